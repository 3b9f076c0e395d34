import CBLAS

/// Dense layers with the Hugging Face weight layout: a `Linear(in, out)` weight is stored
/// `[out, in]` row-major and the layer computes `y = x · Wᵀ (+ b)`.
/// Reference: https://pytorch.org/docs/stable/generated/torch.nn.Linear.html
public enum Linear {
    /// y (T, OC) = beta·y + x (T, C) · w (OC, C)ᵀ + bias (OC).
    /// `beta = 1` accumulates into `y` (residual add for free). One GEMM, split over
    /// `Threads.gemmThreads`.
    @inlinable
    public static func forward(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, rows: Int, inDim: Int, outDim: Int, beta: Float = 0
    ) {
        guard rows > 0, outDim > 0 else { return }
        let t0 = KernelProfile.enabled ? KernelProfile.now() : 0
        defer {
            if KernelProfile.enabled {
                KernelProfile.linearSeconds += KernelProfile.now() - t0
                KernelProfile.linearFlops += 2 * Double(rows) * Double(inDim) * Double(outDim)
            }
        }
        var beta = beta
        if let bias {
            if beta == 0 {
                for r in 0..<rows { (y + r * outDim).update(from: bias, count: outDim) }
            } else {
                for r in 0..<rows {
                    let yr = y + r * outDim
                    for o in 0..<outDim { yr[o] += bias[o] }
                }
            }
            beta = 1
        }
        Threads.sgemm(transA: false, transB: true, m: rows, n: outDim, k: inDim, alpha: 1,
                      a: x, lda: inDim, b: w, ldb: inDim, beta: beta, c: y, ldc: outDim)
    }

    /// Naive twin of `forward` (triple loop, Double accumulation) for tests.
    public static func naive(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, rows: Int, inDim: Int, outDim: Int, beta: Float = 0
    ) {
        for r in 0..<rows {
            for o in 0..<outDim {
                var s = 0.0
                for c in 0..<inDim { s += Double(x[r * inDim + c]) * Double(w[o * inDim + c]) }
                if let bias { s += Double(bias[o]) }
                let prev = beta == 0 ? 0 : Double(beta) * Double(y[r * outDim + o])
                y[r * outDim + o] = Float(s + prev)
            }
        }
    }
}
