import CBLAS
import Foundation

/// Causal grouped-query attention over variable-length sequences packed into one buffer
/// (no padding): sequence s occupies rows `cuSeqlens[s]..<cuSeqlens[s+1]` and attends only
/// within itself. Query head j uses kv head `j / (heads / kvHeads)`. Scores are scaled by
/// `scale` (head_dim^-0.5), softmax in float32 with the max subtracted.
/// Reference: https://arxiv.org/abs/2305.13245 (GQA); flash-attn `cu_seqlens` packing
/// convention (https://github.com/Dao-AILab/flash-attention).
public enum Attention {
    /// Query tokens handled per block (each block is one GEMM over all the query heads that
    /// share a kv head).
    nonisolated(unsafe) public static var blockRows = 64

    /// Scratch floats needed per worker for sequences up to `maxLen` with `group` query heads
    /// per kv head: gathered queries, scores, outputs (group·blockRows rows each) and the
    /// row normalisers.
    public static func scratchPerWorker(maxLen: Int, headDim: Int, group: Int) -> Int {
        group * blockRows * (max(1, maxLen) + 2 * headDim + 1) + 2 * max(1, maxLen) * headDim
    }

    /// Keys and values a sequence reuses from earlier rows of the same packed buffer instead
    /// of recomputing them (a prefix it shares with an earlier sequence, `PackedBatch`):
    /// sequence s's logical positions `0..<lengths[s]` are the physical rows
    /// `rows[starts[s] ..< starts[s] + lengths[s]]`; its own rows (`cuSeqlens[s]..<cuSeqlens[s+1]`)
    /// are logical positions `lengths[s]...`. Pointers: lengths (nSeq), starts (nSeq), rows (Σ lengths).
    public struct SharedPrefixes {
        public var lengths: UnsafePointer<Int32>
        public var starts: UnsafePointer<Int32>
        public var rows: UnsafePointer<Int32>
        public init(lengths: UnsafePointer<Int32>, starts: UnsafePointer<Int32>, rows: UnsafePointer<Int32>) {
            self.lengths = lengths
            self.starts = starts
            self.rows = rows
        }
    }

    /// q (T, heads, hd), k/v (T, kvHeads, hd) → out (T, heads, hd);
    /// lse (heads, T) receives the log-sum-exp of each query's scaled scores when given
    /// (the backward pass recomputes the probabilities from it).
    /// cuSeqlens (nSeq + 1) with cuSeqlens[0] = 0, cuSeqlens[nSeq] = T.
    /// scratch: `workers · scratchPerWorker(maxLen:headDim:group: heads / kvHeads)` floats.
    /// Work items are (sequence, kv head) pairs spread over `workers` threads, each running
    /// single-threaded sgemm. With `prefixes`, a sequence's queries also see the keys and values
    /// of its shared prefix (`maxLen` is then the longest logical length, prefix included).
    public static func forward(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>?,
        cuSeqlens: UnsafePointer<Int32>, nSeq: Int, heads: Int, kvHeads: Int, headDim: Int,
        scale: Float, scratch: UnsafeMutablePointer<Float>, maxLen: Int, workers: Int,
        prefixes: SharedPrefixes? = nil
    ) {
        let jobs = nSeq * kvHeads
        let per = scratchPerWorker(maxLen: maxLen, headDim: headDim, group: heads / kvHeads)
        let total = Int(cuSeqlens[nSeq])
        let w = max(1, min(workers, jobs))
        Threads.parallel(w) { worker in
            let scr = scratch + worker * per
            var job = worker
            while job < jobs {
                let s = job / kvHeads, g = job % kvHeads
                let base = Int(cuSeqlens[s]), len = Int(cuSeqlens[s + 1]) - base
                let kvStride = kvHeads * headDim
                let shared = prefixes.map { Int($0.lengths[s]) } ?? 0
                if let p = prefixes, shared > 0, len > 0 {
                    // Gather the logical keys / values (prefix rows, then own rows) of kv head g
                    // into the worker's tail scratch: (shared + len, hd) each.
                    let kb = scr + per - 2 * maxLen * headDim, vb = kb + maxLen * headDim
                    let rows = p.rows + Int(p.starts[s])
                    for i in 0..<(shared + len) {
                        let src = (i < shared ? Int(rows[i]) : base + i - shared) * kvStride + g * headDim
                        (kb + i * headDim).update(from: k + src, count: headDim)
                        (vb + i * headDim).update(from: v + src, count: headDim)
                    }
                    group(q: q, kg: kb, vg: vb, keyStride: headDim, keyOffset: shared, out: out, lse: lse, base: base,
                          len: len, total: total, g: g, heads: heads, kvHeads: kvHeads, headDim: headDim, scale: scale,
                          scratch: scr)
                } else {
                    group(q: q, kg: k + base * kvStride + g * headDim, vg: v + base * kvStride + g * headDim,
                          keyStride: kvStride, keyOffset: 0, out: out, lse: lse, base: base, len: len, total: total,
                          g: g, heads: heads, kvHeads: kvHeads, headDim: headDim, scale: scale, scratch: scr)
                }
                job += w
            }
        }
    }

    /// One (sequence, kv head) pair: the `rep = heads / kvHeads` query heads of kv head `g`,
    /// in blocks of `blockRows` query tokens. Rows of a block are ordered (head j, token i), so
    /// Q·Kᵀ and P·V are one GEMM of rep·bq rows each. Keys / values of logical position p are
    /// rows `kg + p·keyStride` / `vg + p·keyStride`; own query i sits at position keyOffset + i.
    @inlinable
    static func group(
        q: UnsafePointer<Float>, kg: UnsafePointer<Float>, vg: UnsafePointer<Float>, keyStride kvStride: Int,
        keyOffset: Int, out: UnsafeMutablePointer<Float>, lse: UnsafeMutablePointer<Float>?, base: Int, len: Int,
        total: Int, g: Int, heads: Int, kvHeads: Int, headDim hd: Int, scale: Float,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let rep = heads / kvHeads
        let qStride = heads * hd
        let cap = rep * blockRows
        let qs = scratch, os = qs + cap * hd, inv = os + cap * hd, sc = inv + cap
        var r0 = 0
        while r0 < len {
            let bq = min(blockRows, len - r0)
            let nk = keyOffset + r0 + bq  // keys 0..<nk are visible to some row of this block
            let m = rep * bq
            // qs (m, hd): row j·bq + i = Q[base + r0 + i, head g·rep + j]
            for j in 0..<rep {
                for i in 0..<bq {
                    (qs + (j * bq + i) * hd).update(from: q + (base + r0 + i) * qStride + (g * rep + j) * hd, count: hd)
                }
            }
            // scores (m, nk) = scale · qs (m, hd) · K[0..<nk, g]ᵀ
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(nk), Int32(hd), scale,
                qs, Int32(hd), kg, Int32(kvStride), 0, sc, Int32(nk))
            // Unnormalised softmax: exp(score − max) over the visible keys, zeros beyond.
            for row in 0..<m {
                let i = row % bq
                let p = sc + row * nk
                let visible = keyOffset + r0 + i + 1
                let mx = FastMath.max(p, count: visible)
                let sum = FastMath.expShiftSum(p, count: visible, shift: mx)
                if visible < nk { (p + visible).update(repeating: 0, count: nk - visible) }
                inv[row] = Float(1 / sum)
                lse?[(g * rep + row / bq) * total + base + r0 + i] = mx + Float(Foundation.log(sum))
            }
            // os (m, hd) = P (m, nk) · V[0..<nk, g] (nk, hd); normalised on the way out.
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(hd), Int32(nk), 1,
                sc, Int32(nk), vg, Int32(kvStride), 0, os, Int32(hd))
            for row in 0..<m {
                let i = row % bq, j = row / bq
                let src = os + row * hd, dst = out + (base + r0 + i) * qStride + (g * rep + j) * hd
                let f = inv[row]
                for c in 0..<hd { dst[c] = src[c] * f }
            }
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
