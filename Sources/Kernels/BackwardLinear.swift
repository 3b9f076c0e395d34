import CBLAS
import Foundation

/// Backward kernels for training. Every kernel takes pointers and explicit sizes, allocates
/// nothing and throws nothing; each has a `…Naive` twin used by the tests.
///
/// Conventions: row-major; HF Linear weights are stored `[out, in]`, so the forward is
/// `y = x · Wᵀ + b` (https://pytorch.org/docs/stable/generated/torch.nn.Linear.html).
public enum Backward {
    /// Linear layer backward.
    /// `// x (T, IN), w (OUT, IN), dy (T, OUT) -> dx (T, IN), dw (OUT, IN) +=, db (OUT) +=`
    /// `dx = dy · W` (overwritten, or added to when `accumulateDX`), `dW += dyᵀ · x`, `db += Σ_t dy`.
    /// Pass `dx == nil` to skip the input gradient (e.g. the first layer's input is an embedding
    /// handled separately), `db == nil` when the layer has no bias.
    @inline(__always)
    public static func linear(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>?,
        tokens t: Int, inDim: Int, outDim: Int, accumulateDX: Bool = false
    ) {
        if t == 0 { return }
        if let dx {
            Threads.sgemm(transA: false, transB: false, m: t, n: inDim, k: outDim, alpha: 1,
                          a: dy, lda: outDim, b: w, ldb: inDim, beta: accumulateDX ? 1 : 0, c: dx, ldc: inDim)
        }
        Threads.sgemm(transA: true, transB: false, m: outDim, n: inDim, k: t, alpha: 1,
                      a: dy, lda: outDim, b: x, ldb: inDim, beta: 1, c: dw, ldc: inDim)
        if let db {
            for r in 0..<t {
                let row = dy + r * outDim
                for o in 0..<outDim { db[o] += row[o] }
            }
        }
    }

    /// Naive twin of `linear` (plain loops, double accumulation).
    public static func linearNaive(
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>?,
        tokens t: Int, inDim: Int, outDim: Int, accumulateDX: Bool = false
    ) {
        if let dx {
            for r in 0..<t {
                for i in 0..<inDim {
                    var s = 0.0
                    for o in 0..<outDim { s += Double(dy[r * outDim + o]) * Double(w[o * inDim + i]) }
                    dx[r * inDim + i] = (accumulateDX ? dx[r * inDim + i] : 0) + Float(s)
                }
            }
        }
        for o in 0..<outDim {
            for i in 0..<inDim {
                var s = 0.0
                for r in 0..<t { s += Double(dy[r * outDim + o]) * Double(x[r * inDim + i]) }
                dw[o * inDim + i] += Float(s)
            }
            if let db {
                var s = 0.0
                for r in 0..<t { s += Double(dy[r * outDim + o]) }
                db[o] += Float(s)
            }
        }
    }

    /// Embedding backward (scatter-add). `// dx (T, C), ids (T) -> dTable (V, C) +=`
    /// For tied embeddings the same `dTable` also receives the LM-head contribution.
    /// Rows with `ids[r] == paddingIdx` are skipped, as `nn.Embedding(padding_idx=…)` does
    /// (HF Llama/Qwen pass `config.pad_token_id`); pass -1 for none.
    public static func embedding(dx: UnsafePointer<Float>, ids: UnsafePointer<Int32>, dTable: UnsafeMutablePointer<Float>,
                                 tokens t: Int, dim c: Int, paddingIdx: Int32 = -1) {
        for r in 0..<t where ids[r] != paddingIdx {
            let dst = dTable + Int(ids[r]) * c
            let src = dx + r * c
            for j in 0..<c { dst[j] += src[j] }
        }
    }

    /// SwiGLU backward: `m = silu(a) · b`. `// a, b, dm (T·I) -> da, db (T·I)` (overwritten).
    /// silu'(a) = σ(a)·(1 + a·(1 − σ(a))). 16 lanes at a time with `FastMath.exp` (the
    /// forward's exp); runs over contiguous ranges on `Threads.workers` threads.
    public static func swiglu(a: UnsafePointer<Float>, b: UnsafePointer<Float>, dm: UnsafePointer<Float>,
                              da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, count n: Int) {
        Threads.forRanges(n, minPerWorker: 1 << 14) { r in
            let o = r.lowerBound
            swigluSpan(a: a + o, b: b + o, dm: dm + o, da: da + o, db: db + o, count: r.count)
        }
    }

    /// `swiglu` with the two gradients written side by side for the fused gate|up weight:
    /// `// a, b, dm (T, I) -> dGateUp (T, 2I)`, row r = [da_r | db_r]. Rows split over the workers.
    public static func swigluRows(a: UnsafePointer<Float>, b: UnsafePointer<Float>, dm: UnsafePointer<Float>,
                                  dGateUp: UnsafeMutablePointer<Float>, rows: Int, inter: Int) {
        Threads.forRanges(rows, minPerWorker: 16) { r in
            for row in r {
                let o = row * inter, d = dGateUp + 2 * o
                swigluSpan(a: a + o, b: b + o, dm: dm + o, da: d, db: d + inter, count: inter)
            }
        }
    }

    @inline(__always)
    static func swigluSpan(a: UnsafePointer<Float>, b: UnsafePointer<Float>, dm: UnsafePointer<Float>,
                           da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i + 16 <= n {
            let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            let bv = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            let g = UnsafeRawPointer(dm + i).loadUnaligned(as: SIMD16<Float>.self)
            let s = 1 / (1 + FastMath.exp(-x))
            UnsafeMutableRawPointer(db + i).storeBytes(of: g * (x * s), as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(da + i).storeBytes(of: g * bv * (s * (1 + x * (1 - s))), as: SIMD16<Float>.self)
            i += 16
        }
        while i < n {
            let x = a[i]
            let s = 1 / (1 + FastMath.exp(-x))
            db[i] = dm[i] * (x * s)
            da[i] = dm[i] * b[i] * (s * (1 + x * (1 - s)))
            i += 1
        }
    }

    /// Naive twin of `swiglu` in double precision.
    public static func swigluNaive(a: UnsafePointer<Float>, b: UnsafePointer<Float>, dm: UnsafePointer<Float>,
                                   da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0..<n {
            let x = Double(a[i])
            let s = 1 / (1 + exp(-x))
            db[i] = Float(Double(dm[i]) * x * s)
            da[i] = Float(Double(dm[i]) * Double(b[i]) * (s + x * s * (1 - s)))
        }
    }
}

