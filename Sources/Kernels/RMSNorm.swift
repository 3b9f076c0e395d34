/// RMSNorm as in Hugging Face Llama/Qwen (`LlamaRMSNorm`): in float32,
/// `y = x · rsqrt(mean(x²) + eps) · w`.
/// Reference: https://arxiv.org/abs/1910.07467 ,
/// https://github.com/huggingface/transformers/blob/main/src/transformers/models/llama/modeling_llama.py
public enum RMSNorm {
    /// x (rows, dim) → y (rows, dim); w (dim); rstd (rows) receives `rsqrt(mean(x²)+eps)` when
    /// given (the backward pass needs it). `y` may alias `x` (in place).
    @inlinable
    public static func forward(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
        rstd: UnsafeMutablePointer<Float>?, rows: Int, dim: Int, eps: Float
    ) {
        for r in 0..<rows {
            let xr = x + r * dim
            let yr = y + r * dim
            var acc = SIMD8<Float>()
            var c = 0
            while c + 8 <= dim {
                let v = UnsafeRawPointer(xr + c).loadUnaligned(as: SIMD8<Float>.self)
                acc += v * v
                c += 8
            }
            var ss = acc.sum()
            while c < dim { ss += xr[c] * xr[c]; c += 1 }
            let inv = 1 / (ss / Float(dim) + eps).squareRoot()
            rstd?[r] = inv
            for i in 0..<dim { yr[i] = w[i] * (xr[i] * inv) }
        }
    }

    /// Naive twin (Double) for tests.
    public static func naive(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
        rstd: UnsafeMutablePointer<Float>?, rows: Int, dim: Int, eps: Float
    ) {
        for r in 0..<rows {
            var ss = 0.0
            for i in 0..<dim { ss += Double(x[r * dim + i]) * Double(x[r * dim + i]) }
            let inv = 1 / (ss / Double(dim) + Double(eps)).squareRoot()
            rstd?[r] = Float(inv)
            for i in 0..<dim { y[r * dim + i] = Float(Double(w[i]) * Double(x[r * dim + i]) * inv) }
        }
    }
}
