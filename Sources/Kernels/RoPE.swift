import Foundation

/// Rotary position embedding, "rotate-half" convention as in Hugging Face Llama/Qwen:
/// `x·cos + rotate_half(x)·sin`, `rotate_half(x) = cat(-x[d/2:], x[:d/2])`; frequency i
/// (i < d/2) is used by both element i and element i + d/2.
/// Reference: https://arxiv.org/abs/2104.09864 ,
/// https://github.com/huggingface/transformers/blob/main/src/transformers/models/llama/modeling_llama.py
public enum RoPE {
    /// Default inverse frequencies `1 / theta^(2i/d)`, computed in float32 as transformers does
    /// (`_compute_default_rope_parameters`).
    public static func inverseFrequencies(theta: Double, headDim: Int) -> [Float] {
        let half = headDim / 2
        return (0..<half).map { i in
            let e = Float(2 * i) / Float(headDim)
            return 1 / powf(Float(theta), e)
        }
    }

    /// Fills cos/sin tables (positions, d/2) for positions 0..<positions: angle = Float(p)·invFreq[i]
    /// in float32 (as transformers), cos/sin rounded from double precision.
    public static func tables(
        invFreq: UnsafePointer<Float>, half: Int, positions: Int,
        cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>
    ) {
        for p in 0..<positions {
            for i in 0..<half {
                let a = Float(p) * invFreq[i]
                cos[p * half + i] = Float(Foundation.cos(Double(a)))
                sin[p * half + i] = Float(Foundation.sin(Double(a)))
            }
        }
    }

    /// In place on x (rows, heads, headDim): row r uses position `positions[r]`;
    /// cos/sin (maxPos, headDim/2) from `tables`.
    @inlinable
    public static func forward(
        x: UnsafeMutablePointer<Float>, positions: UnsafePointer<Int32>,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, rows: Int, heads: Int, headDim: Int
    ) {
        let half = headDim / 2
        for r in 0..<rows {
            let c = cos + Int(positions[r]) * half
            let s = sin + Int(positions[r]) * half
            for h in 0..<heads {
                let v = x + (r * heads + h) * headDim
                for i in 0..<half {
                    let x1 = v[i], x2 = v[i + half]
                    v[i] = x1 * c[i] + (-x2) * s[i]
                    v[i + half] = x2 * c[i] + x1 * s[i]
                }
            }
        }
    }

    /// Naive twin: computes each angle in Double from `invFreq` directly (no table).
    public static func naive(
        x: UnsafeMutablePointer<Float>, positions: UnsafePointer<Int32>, invFreq: UnsafePointer<Float>,
        rows: Int, heads: Int, headDim: Int
    ) {
        let half = headDim / 2
        for r in 0..<rows {
            for h in 0..<heads {
                let v = x + (r * heads + h) * headDim
                let orig = Array(UnsafeBufferPointer(start: v, count: headDim))
                for d in 0..<headDim {
                    let a = Double(Float(positions[r]) * invFreq[d % half])
                    let rot = d < half ? -Double(orig[d + half]) : Double(orig[d - half])
                    v[d] = Float(Double(orig[d]) * Foundation.cos(a) + rot * Foundation.sin(a))
                }
            }
        }
    }
}
