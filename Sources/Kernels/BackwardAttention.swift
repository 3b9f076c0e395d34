import CBLAS
import Foundation

extension Backward {
    /// Query tokens per block of the attention backward (a constant: callers size scratch with it).
    public static let attentionBlockRows = 64

    /// Floats each of `scratchP` and `scratchDP` must hold per worker for `attention`.
    public static func attentionScratch(maxLen: Int, headDim: Int, group: Int) -> Int {
        group * attentionBlockRows * (max(1, maxLen) + 3 * headDim)
    }

    /// Causal GQA attention backward over packed variable-length sequences
    /// (FlashAttention-2 style recomputation from the saved row logsumexp,
    /// https://arxiv.org/abs/2307.08691, Algorithm 2; done here with dense sgemm tiles over
    /// causal query blocks, all query heads of a kv head stacked into one GEMM).
    ///
    /// Sequence `s` occupies token rows `seqStarts[s] ..< seqStarts[s+1]`; tokens only attend to
    /// earlier tokens of the same sequence. Query head `h` uses kv head `h / (heads / kvHeads)`.
    /// `// q (T, H·D), k, v (T, KV·D), lse (H, T), dOut (T, H·D) -> dq (T, H·D), dk, dv (T, KV·D)`
    /// (all three outputs overwritten). `scratchP`, `scratchDP` hold at least
    /// `workers · attentionScratch(maxLen:headDim:group: H / KV)` floats each, `maxLen` = the
    /// longest sequence. `scale` = 1/sqrt(D).
    /// Per query block (rows i, visible keys j ≤ i): `P = exp(scale·QKᵀ − lse)`; `dP = dO·Vᵀ`;
    /// `dV += Pᵀ·dO`; `dS = P ⊙ (dP − rowsum(P ⊙ dP))`; `dQ = scale·dS·K`; `dK += scale·dSᵀ·Q`.
    public static func attention(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, lse: UnsafePointer<Float>,
        dOut: UnsafePointer<Float>, dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>,
        dv: UnsafeMutablePointer<Float>, seqStarts: UnsafePointer<Int>, seqCount: Int, tokens t: Int,
        heads: Int, kvHeads: Int, headDim hd: Int, scale: Float,
        scratchP: UnsafeMutablePointer<Float>, scratchDP: UnsafeMutablePointer<Float>, workers: Int = 1
    ) {
        let ks = kvHeads * hd, rep = heads / kvHeads
        dk.update(repeating: 0, count: t * ks)
        dv.update(repeating: 0, count: t * ks)
        // Jobs = (sequence, kv head): a job owns dK/dV of its kv head in its sequence and dQ of
        // the query heads sharing it, so jobs never write the same memory (deterministic for
        // any worker count). GEMMs inside run single-threaded.
        var maxLen = 0
        for s in 0..<seqCount { maxLen = max(maxLen, seqStarts[s + 1] - seqStarts[s]) }
        let per = attentionScratch(maxLen: maxLen, headDim: hd, group: rep)
        let jobs = seqCount * kvHeads
        let w = max(1, min(workers, jobs))
        Threads.parallel(w) { worker in
            let sP = scratchP + worker * per, sDP = scratchDP + worker * per
            var job = worker
            while job < jobs {
                defer { job += w }
                let s = job / kvHeads, g = job % kvHeads
                let s0 = seqStarts[s], n = seqStarts[s + 1] - s0
                if n == 0 { continue }
                attentionGroup(q: q, k: k, v: v, lse: lse, dOut: dOut, dq: dq, dk: dk, dv: dv, s0: s0, n: n, g: g,
                               tokens: t, heads: heads, kvHeads: kvHeads, headDim: hd, scale: scale, scratchP: sP, scratchDP: sDP)
            }
        }
    }

    /// One (sequence, kv head) of `attention`: the `rep` query heads of kv head `g`, in causal
    /// blocks of `attentionBlockRows` query tokens; block rows are ordered (head j, token i).
    @inline(__always)
    static func attentionGroup(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, lse: UnsafePointer<Float>,
        dOut: UnsafePointer<Float>, dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>,
        dv: UnsafeMutablePointer<Float>, s0: Int, n: Int, g: Int, tokens t: Int, heads: Int, kvHeads: Int,
        headDim hd: Int, scale: Float, scratchP: UnsafeMutablePointer<Float>, scratchDP: UnsafeMutablePointer<Float>
    ) {
        let rep = heads / kvHeads, qs = heads * hd, ks = kvHeads * hd
        let cap = rep * attentionBlockRows
        let pM = scratchP, dpM = scratchDP
        let qg = scratchP + cap * n, dog = qg + cap * hd, dqg = dog + cap * hd
        let kg = k + s0 * ks + g * hd, vg = v + s0 * ks + g * hd
        let dkg = dk + s0 * ks + g * hd, dvg = dv + s0 * ks + g * hd
        var r0 = 0
        while r0 < n {
            let bq = min(attentionBlockRows, n - r0), nk = r0 + bq, m = rep * bq
            // qg, dog (m, hd): row j·bq + i = Q / dO of token r0 + i, head g·rep + j
            for j in 0..<rep {
                for i in 0..<bq {
                    let src = (s0 + r0 + i) * qs + (g * rep + j) * hd, dst = (j * bq + i) * hd
                    (qg + dst).update(from: q + src, count: hd)
                    (dog + dst).update(from: dOut + src, count: hd)
                }
            }
            // P (m, nk) = scale · qg Kᵀ (exp below);  dP (m, nk) = dog Vᵀ
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(nk), Int32(hd),
                        scale, qg, Int32(hd), kg, Int32(ks), 0, pM, Int32(nk))
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(nk), Int32(hd),
                        1, dog, Int32(hd), vg, Int32(ks), 0, dpM, Int32(nk))
            for row in 0..<m {
                let i = row % bq, h = g * rep + row / bq
                softmaxGradRow(p: pM + row * nk, dp: dpM + row * nk, lse: lse[h * t + s0 + r0 + i],
                               visible: r0 + i + 1, count: nk)
            }
            // dV_g[0..<nk] += Pᵀ dog;  dqg = scale · dS K;  dK_g[0..<nk] += scale · dSᵀ qg
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(nk), Int32(hd), Int32(m),
                        1, pM, Int32(nk), dog, Int32(hd), 1, dvg, Int32(ks))
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(hd), Int32(nk),
                        scale, dpM, Int32(nk), kg, Int32(ks), 0, dqg, Int32(hd))
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(nk), Int32(hd), Int32(m),
                        scale, dpM, Int32(nk), qg, Int32(hd), 1, dkg, Int32(ks))
            for j in 0..<rep {
                for i in 0..<bq {
                    (dq + (s0 + r0 + i) * qs + (g * rep + j) * hd).update(from: dqg + (j * bq + i) * hd, count: hd)
                }
            }
            r0 += bq
        }
    }

    /// One row: `p[c] = exp(p[c] − lse)`, `dp[c] = p[c]·(dp[c] − Σ p·dp)` for c < visible;
    /// both zero for visible ≤ c < count. 16 lanes at a time (`FastMath.exp`).
    @inline(__always)
    static func softmaxGradRow(p: UnsafeMutablePointer<Float>, dp: UnsafeMutablePointer<Float>, lse: Float,
                               visible: Int, count: Int) {
        let lv = SIMD16<Float>(repeating: lse)
        var acc = SIMD16<Float>()
        var c = 0
        while c + 16 <= visible {
            let e = FastMath.exp(UnsafeRawPointer(p + c).loadUnaligned(as: SIMD16<Float>.self) - lv)
            UnsafeMutableRawPointer(p + c).storeBytes(of: e, as: SIMD16<Float>.self)
            acc += e * UnsafeRawPointer(dp + c).loadUnaligned(as: SIMD16<Float>.self)
            c += 16
        }
        var dsum = acc.sum()
        while c < visible {
            let e = FastMath.exp(p[c] - lse)
            p[c] = e
            dsum += e * dp[c]
            c += 1
        }
        let dv = SIMD16<Float>(repeating: dsum)
        c = 0
        while c + 16 <= visible {
            let pv = UnsafeRawPointer(p + c).loadUnaligned(as: SIMD16<Float>.self)
            let d = UnsafeRawPointer(dp + c).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(dp + c).storeBytes(of: pv * (d - dv), as: SIMD16<Float>.self)
            c += 16
        }
        while c < visible { dp[c] = p[c] * (dp[c] - dsum); c += 1 }
        if visible < count {
            (p + visible).update(repeating: 0, count: count - visible)
            (dp + visible).update(repeating: 0, count: count - visible)
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
