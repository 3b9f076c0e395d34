import Foundation

extension Backward {
    /// RMSNorm backward (https://arxiv.org/abs/1910.07467; HF `LlamaRMSNorm`).
    /// Forward: `y = x · r · w`, `r = 1/sqrt(mean(x²) + eps)` (r saved per row).
    /// `// x (R, C), invRms (R), w (C), dy (R, C) -> dx (R, C), dw (C) +=`
    /// `dx = r·(dy⊙w) − x·r³·⟨dy⊙w, x⟩/C`. `dx` may alias `dy`. With `accumulateDX`, dx is added to.
    public static func rmsNorm(x: UnsafePointer<Float>, invRms: UnsafePointer<Float>, w: UnsafePointer<Float>,
                               dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>,
                               rows: Int, dim c: Int, accumulateDX: Bool = false) {
        for r in 0..<rows {
            let xr = x + r * c, dyr = dy + r * c, dxr = dx + r * c
            let inv = invRms[r]
            var dot: Float = 0
            for j in 0..<c {
                dot += dyr[j] * w[j] * xr[j]
                dw[j] += dyr[j] * xr[j] * inv
            }
            let k = dot * inv * inv * inv / Float(c)
            if accumulateDX {
                for j in 0..<c { dxr[j] += inv * dyr[j] * w[j] - xr[j] * k }
            } else {
                for j in 0..<c { dxr[j] = inv * dyr[j] * w[j] - xr[j] * k }
            }
        }
    }

    /// Naive twin of `rmsNorm` in double precision (recomputes r from x and eps).
    public static func rmsNormNaive(x: UnsafePointer<Float>, w: UnsafePointer<Float>, eps: Float,
                                    dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>,
                                    rows: Int, dim c: Int) {
        for r in 0..<rows {
            var ss = 0.0
            for j in 0..<c { ss += Double(x[r * c + j]) * Double(x[r * c + j]) }
            let inv = 1 / (ss / Double(c) + Double(eps)).squareRoot()
            var dot = 0.0
            for j in 0..<c { dot += Double(dy[r * c + j]) * Double(w[j]) * Double(x[r * c + j]) }
            for j in 0..<c {
                dw[j] += Float(Double(dy[r * c + j]) * Double(x[r * c + j]) * inv)
                dx[r * c + j] = Float(inv * Double(dy[r * c + j]) * Double(w[j]) - Double(x[r * c + j]) * inv * inv * inv * dot / Double(c))
            }
        }
    }

    /// RoPE backward, rotate-half convention (https://arxiv.org/abs/2104.09864; HF `apply_rotary_pos_emb`):
    /// the inverse rotation applied in place.
    /// `// dy (T, H·D) in place, pos (T), cos/sin (P, D/2) -> dx (T, H·D)`
    /// Forward: `y1 = x1·c − x2·s`, `y2 = x2·c + x1·s`; backward: `dx1 = dy1·c + dy2·s`, `dx2 = dy2·c − dy1·s`.
    public static func rope(_ d: UnsafeMutablePointer<Float>, positions: UnsafePointer<Int32>,
                            cos: UnsafePointer<Float>, sin: UnsafePointer<Float>,
                            tokens t: Int, heads: Int, headDim: Int) {
        let half = headDim / 2
        for r in 0..<t {
            let p = Int(positions[r]) * half
            for h in 0..<heads {
                let row = d + (r * heads + h) * headDim
                for i in 0..<half {
                    let c = cos[p + i], s = sin[p + i]
                    let a = row[i], b = row[i + half]
                    row[i] = a * c + b * s
                    row[i + half] = b * c - a * s
                }
            }
        }
    }
}
