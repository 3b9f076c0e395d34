import CBLAS
import Foundation

/// Causal grouped-query attention over variable-length sequences packed into one buffer
/// (no padding): sequence s occupies rows `cuSeqlens[s]..<cuSeqlens[s+1]` and attends only
/// within itself. Query head j uses kv head `j / (heads / kvHeads)`. Scores are scaled by
/// `scale` (head_dim^-0.5), softmax in float32 with the max subtracted.
/// Reference: https://arxiv.org/abs/2305.13245 (GQA); flash-attn `cu_seqlens` packing
/// convention (https://github.com/Dao-AILab/flash-attention).
public enum Attention {
    /// Query rows handled per GEMM block.
    nonisolated(unsafe) public static var blockRows = 64

    /// Scratch floats needed per worker for sequences up to `maxLen`.
    public static func scratchPerWorker(maxLen: Int) -> Int { blockRows * max(1, maxLen) }

    /// q (T, heads, hd), k/v (T, kvHeads, hd) → out (T, heads, hd);
    /// lse (heads, T) receives the log-sum-exp of each query's scaled scores when given
    /// (the backward pass recomputes the probabilities from it).
    /// cuSeqlens (nSeq + 1) with cuSeqlens[0] = 0, cuSeqlens[nSeq] = T.
    /// scratch: `workers · scratchPerWorker(maxLen)` floats. Work items are (sequence, head)
    /// pairs spread over `workers` threads, each running single-threaded sgemm.
    public static func forward(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>?,
        cuSeqlens: UnsafePointer<Int32>, nSeq: Int, heads: Int, kvHeads: Int, headDim: Int,
        scale: Float, scratch: UnsafeMutablePointer<Float>, maxLen: Int, workers: Int
    ) {
        let jobs = nSeq * heads
        let per = scratchPerWorker(maxLen: maxLen)
        let total = Int(cuSeqlens[nSeq])
        let w = max(1, min(workers, jobs))
        Threads.parallel(w) { worker in
            let scr = scratch + worker * per
            var job = worker
            while job < jobs {
                let s = job / heads, h = job % heads
                let base = Int(cuSeqlens[s]), len = Int(cuSeqlens[s + 1]) - base
                head(q: q, k: k, v: v, out: out, lse: lse, base: base, len: len, total: total, h: h,
                     heads: heads, kvHeads: kvHeads, headDim: headDim, scale: scale, scratch: scr)
                job += w
            }
        }
    }

    /// One (sequence, head) pair, in query blocks of `blockRows`.
    @inlinable
    static func head(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>?, base: Int, len: Int,
        total: Int, h: Int, heads: Int, kvHeads: Int, headDim: Int, scale: Float,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let g = h / (heads / kvHeads)
        let qStride = heads * headDim, kvStride = kvHeads * headDim
        var r0 = 0
        while r0 < len {
            let bq = min(blockRows, len - r0)
            let nk = r0 + bq  // keys 0..<nk are visible to some row of this block
            // scores (bq, nk) = scale · Q[r0..<r0+bq, h] · K[0..<nk, g]ᵀ
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(bq), Int32(nk), Int32(headDim), scale,
                q + (base + r0) * qStride + h * headDim, Int32(qStride),
                k + base * kvStride + g * headDim, Int32(kvStride), 0, scratch, Int32(nk))
            for i in 0..<bq {
                let row = scratch + i * nk
                let visible = r0 + i + 1
                let m = FastMath.max(row, count: visible)
                let sum = FastMath.expShiftSum(row, count: visible, shift: m)
                let inv = Float(1 / sum)
                for j in 0..<visible { row[j] *= inv }
                if visible < nk { (row + visible).update(repeating: 0, count: nk - visible) }
                lse?[h * total + base + r0 + i] = m + Float(Foundation.log(sum))
            }
            // out[r0..<r0+bq, h] (bq, hd) = P (bq, nk) · V[0..<nk, g] (nk, hd)
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(bq), Int32(headDim), Int32(nk), 1,
                scratch, Int32(nk), v + base * kvStride + g * headDim, Int32(kvStride), 0,
                out + (base + r0) * qStride + h * headDim, Int32(qStride))
            r0 += bq
        }
    }

    /// Naive twin (Double, explicit loops) for tests; same argument meaning, no scratch.
    public static func naive(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>?,
        cuSeqlens: UnsafePointer<Int32>, nSeq: Int, heads: Int, kvHeads: Int, headDim: Int, scale: Float
    ) {
        let total = Int(cuSeqlens[nSeq])
        let rep = heads / kvHeads
        for s in 0..<nSeq {
            let base = Int(cuSeqlens[s]), end = Int(cuSeqlens[s + 1])
            for h in 0..<heads {
                let g = h / rep
                for i in base..<end {
                    var sc = [Double]()
                    for j in base...i {
                        var d = 0.0
                        for c in 0..<headDim {
                            d += Double(q[(i * heads + h) * headDim + c]) * Double(k[(j * kvHeads + g) * headDim + c])
                        }
                        sc.append(d * Double(scale))
                    }
                    let m = sc.max()!
                    let z = sc.reduce(0) { $0 + Foundation.exp($1 - m) }
                    lse?[h * total + i] = Float(m + Foundation.log(z))
                    for c in 0..<headDim {
                        var o = 0.0
                        for (jj, j) in (base...i).enumerated() {
                            o += Foundation.exp(sc[jj] - m) / z * Double(v[(j * kvHeads + g) * headDim + c])
                        }
                        out[(i * heads + h) * headDim + c] = Float(o)
                    }
                }
            }
        }
    }
}
