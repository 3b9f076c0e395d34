import CBLAS
import Foundation

extension Backward {
    /// Causal GQA attention backward over packed variable-length sequences
    /// (FlashAttention-2 style recomputation from the saved row logsumexp,
    /// https://arxiv.org/abs/2307.08691, Algorithm 2; done here with dense per-sequence sgemm tiles).
    ///
    /// Sequence `s` occupies token rows `seqStarts[s] ..< seqStarts[s+1]`; tokens only attend to
    /// earlier tokens of the same sequence. Query head `h` uses kv head `h / (heads / kvHeads)`.
    /// `// q (T, H·D), k, v (T, KV·D), lse (H, T), dOut (T, H·D) -> dq (T, H·D), dk, dv (T, KV·D)`
    /// (all three outputs overwritten). `scratchP`, `scratchDP` hold at least `maxLen²` floats,
    /// `maxLen` = the longest sequence. `scale` = 1/sqrt(D).
    /// Recomputed: `P = exp(scale·QKᵀ − lse)` (causal); `dP = dO·Vᵀ`; `dV += Pᵀ·dO`;
    /// `dS = P ⊙ (dP − rowsum(P ⊙ dP))`; `dQ = scale·dS·K`; `dK += scale·dSᵀ·Q`.
    public static func attention(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, lse: UnsafePointer<Float>,
        dOut: UnsafePointer<Float>, dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>,
        dv: UnsafeMutablePointer<Float>, seqStarts: UnsafePointer<Int>, seqCount: Int, tokens t: Int,
        heads: Int, kvHeads: Int, headDim hd: Int, scale: Float,
        scratchP: UnsafeMutablePointer<Float>, scratchDP: UnsafeMutablePointer<Float>
    ) {
        let qs = heads * hd, ks = kvHeads * hd, rep = heads / kvHeads
        dk.update(repeating: 0, count: t * ks)
        dv.update(repeating: 0, count: t * ks)
        for s in 0..<seqCount {
            let s0 = seqStarts[s], n = seqStarts[s + 1] - s0
            if n == 0 { continue }
            for h in 0..<heads {
                let g = h / rep
                let qh = q + s0 * qs + h * hd, kg = k + s0 * ks + g * hd, vg = v + s0 * ks + g * hd
                let doh = dOut + s0 * qs + h * hd
                let l = lse + h * t + s0
                // P (n, n) = exp(scale · Q Kᵀ − lse), zero above the diagonal.
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(hd),
                            scale, qh, Int32(qs), kg, Int32(ks), 0, scratchP, Int32(n))
                // dP (n, n) = dO Vᵀ
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(hd),
                            1, doh, Int32(qs), vg, Int32(ks), 0, scratchDP, Int32(n))
                for i in 0..<n {
                    let pr = scratchP + i * n, dpr = scratchDP + i * n
                    let li = l[i]
                    var dsum: Float = 0
                    for j in 0...i {
                        let p = expf(pr[j] - li)
                        pr[j] = p
                        dsum += p * dpr[j]
                    }
                    for j in 0...i { dpr[j] = pr[j] * (dpr[j] - dsum) }
                    for j in (i + 1)..<n { pr[j] = 0; dpr[j] = 0 }
                }
                // dV_g += Pᵀ dO
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(hd), Int32(n),
                            1, scratchP, Int32(n), doh, Int32(qs), 1, dv + s0 * ks + g * hd, Int32(ks))
                // dQ_h = scale · dS K
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(hd), Int32(n),
                            scale, scratchDP, Int32(n), kg, Int32(ks), 0, dq + s0 * qs + h * hd, Int32(qs))
                // dK_g += scale · dSᵀ Q
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(hd), Int32(n),
                            scale, scratchDP, Int32(n), qh, Int32(qs), 1, dk + s0 * ks + g * hd, Int32(ks))
            }
        }
    }

    /// Naive twin of `attention`: recomputes the softmax from scratch in double precision
    /// (no saved logsumexp), loops only. Same shapes; outputs overwritten.
    public static func attentionNaive(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        dOut: UnsafePointer<Float>, dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>,
        dv: UnsafeMutablePointer<Float>, seqStarts: [Int], tokens t: Int,
        heads: Int, kvHeads: Int, headDim hd: Int, scale: Float
    ) {
        let qs = heads * hd, ks = kvHeads * hd, rep = heads / kvHeads
        dq.update(repeating: 0, count: t * qs)
        dk.update(repeating: 0, count: t * ks)
        dv.update(repeating: 0, count: t * ks)
        for s in 0..<(seqStarts.count - 1) {
            let s0 = seqStarts[s], n = seqStarts[s + 1] - s0
            for h in 0..<heads {
                let g = h / rep
                for i in 0..<n {
                    let qi = s0 + i
                    var sc = [Double](repeating: 0, count: i + 1)
                    for j in 0...i {
                        var d = 0.0
                        for e in 0..<hd { d += Double(q[qi * qs + h * hd + e]) * Double(k[(s0 + j) * ks + g * hd + e]) }
                        sc[j] = d * Double(scale)
                    }
                    let m = sc.max()!
                    var z = 0.0
                    for j in 0...i { sc[j] = exp(sc[j] - m); z += sc[j] }
                    for j in 0...i { sc[j] /= z }
                    var dp = [Double](repeating: 0, count: i + 1)
                    var dsum = 0.0
                    for j in 0...i {
                        var d = 0.0
                        for e in 0..<hd { d += Double(dOut[qi * qs + h * hd + e]) * Double(v[(s0 + j) * ks + g * hd + e]) }
                        dp[j] = d
                        dsum += d * sc[j]
                    }
                    for j in 0...i {
                        let ds = sc[j] * (dp[j] - dsum) * Double(scale)
                        for e in 0..<hd {
                            dv[(s0 + j) * ks + g * hd + e] += Float(sc[j] * Double(dOut[qi * qs + h * hd + e]))
                            dq[qi * qs + h * hd + e] += Float(ds * Double(k[(s0 + j) * ks + g * hd + e]))
                            dk[(s0 + j) * ks + g * hd + e] += Float(ds * Double(q[qi * qs + h * hd + e]))
                        }
                    }
                }
            }
        }
    }
}
