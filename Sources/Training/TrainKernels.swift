import CBLAS
import Foundation

/// Forward kernels the trainer uses, each saving what its backward needs (inverse RMS,
/// attention logsumexp). Pointers in, pointers out, no allocation. Maths as in HF
/// `modeling_llama.py` / `modeling_qwen3.py` (https://github.com/huggingface/transformers).
enum TrainKernels {
    /// `// ids (T), table (V, C) -> x (T, C)`
    static func embed(ids: UnsafePointer<Int32>, table: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, tokens t: Int, dim c: Int) {
        for r in 0..<t { (out + r * c).update(from: table + Int(ids[r]) * c, count: c) }
    }

    /// RMSNorm `y = w · x · rsqrt(mean(x²) + eps)`, saving `invRms`.
    /// `// x (R, C), w (C) -> y (R, C), invRms (R)`
    static func rmsNorm(x: UnsafePointer<Float>, w: UnsafePointer<Float>, eps: Float, y: UnsafeMutablePointer<Float>,
                        invRms: UnsafeMutablePointer<Float>, rows: Int, dim c: Int) {
        for r in 0..<rows {
            let xr = x + r * c, yr = y + r * c
            var ss: Float = 0
            for j in 0..<c { ss += xr[j] * xr[j] }
            let inv = 1 / (ss / Float(c) + eps).squareRoot()
            invRms[r] = inv
            for j in 0..<c { yr[j] = w[j] * (xr[j] * inv) }
        }
    }

    /// `// x (T, IN), w (OUT, IN), b (OUT)? -> y (T, OUT)` (`y = x·Wᵀ + b`; `accumulate` adds to y)
    static func linear(x: UnsafePointer<Float>, w: UnsafePointer<Float>, b: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
                       tokens t: Int, inDim: Int, outDim: Int, accumulate: Bool = false) {
        if t == 0 { return }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(t), Int32(outDim), Int32(inDim),
                    1, x, Int32(inDim), w, Int32(inDim), accumulate ? 1 : 0, y, Int32(outDim))
        if let b {
            for r in 0..<t { let yr = y + r * outDim; for o in 0..<outDim { yr[o] += b[o] } }
        }
    }

    /// RoPE, rotate-half convention, in place. `// x (T, H·D), pos (T), cos/sin (P, D/2)`
    static func rope(_ x: UnsafeMutablePointer<Float>, positions: UnsafePointer<Int32>, cos: UnsafePointer<Float>,
                     sin: UnsafePointer<Float>, tokens t: Int, heads: Int, headDim: Int) {
        let half = headDim / 2
        for r in 0..<t {
            let p = Int(positions[r]) * half
            for h in 0..<heads {
                let row = x + (r * heads + h) * headDim
                for i in 0..<half {
                    let c = cos[p + i], s = sin[p + i]
                    let a = row[i], b = row[i + half]
                    row[i] = a * c - b * s
                    row[i + half] = b * c + a * s
                }
            }
        }
    }

    /// Causal GQA attention over packed sequences, saving the row logsumexp.
    /// `// q (T, H·D), k, v (T, KV·D) -> out (T, H·D), lse (H, T)`; scratch ≥ maxLen² floats.
    static func attention(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                          out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>,
                          seqStarts: UnsafePointer<Int>, seqCount: Int, tokens t: Int,
                          heads: Int, kvHeads: Int, headDim hd: Int, scale: Float, scratch: UnsafeMutablePointer<Float>) {
        let qs = heads * hd, ks = kvHeads * hd, rep = heads / kvHeads
        for s in 0..<seqCount {
            let s0 = seqStarts[s], n = seqStarts[s + 1] - s0
            if n == 0 { continue }
            for h in 0..<heads {
                let g = h / rep
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(hd),
                            scale, q + s0 * qs + h * hd, Int32(qs), k + s0 * ks + g * hd, Int32(ks), 0, scratch, Int32(n))
                for i in 0..<n {
                    let row = scratch + i * n
                    var m = -Float.infinity
                    for j in 0...i { m = max(m, row[j]) }
                    var sum: Float = 0
                    for j in 0...i { let e = expf(row[j] - m); row[j] = e; sum += e }
                    let inv = 1 / sum
                    for j in 0...i { row[j] *= inv }
                    for j in (i + 1)..<n { row[j] = 0 }
                    lse[h * t + s0 + i] = m + logf(sum)
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(hd), Int32(n),
                            1, scratch, Int32(n), v + s0 * ks + g * hd, Int32(ks), 0, out + s0 * qs + h * hd, Int32(qs))
            }
        }
    }

    /// `m = silu(a) · b`. `// a, b (N) -> m (N)`
    static func swiglu(a: UnsafePointer<Float>, b: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0..<n { let x = a[i]; m[i] = x / (1 + expf(-x)) * b[i] }
    }
}
