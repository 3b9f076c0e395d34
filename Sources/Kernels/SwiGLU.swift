import Foundation

/// The SwiGLU MLP activation `silu(gate) · up`, with `silu(x) = x · sigmoid(x)`.
/// Reference: https://arxiv.org/abs/2002.05202
public enum SwiGLU {
    /// gate (n), up (n) → out (n) = silu(gate)·up. `out` may alias `gate` or `up`.
    @inlinable
    public static func forward(
        gate: UnsafePointer<Float>, up: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        while i + 16 <= count {
            let g = UnsafeRawPointer(gate + i).loadUnaligned(as: SIMD16<Float>.self)
            let u = UnsafeRawPointer(up + i).loadUnaligned(as: SIMD16<Float>.self)
            let e = FastMath.exp(-g)
            let r = g / (1 + e) * u
            UnsafeMutableRawPointer(out + i).storeBytes(of: r, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count {
            let g = gate[i]
            out[i] = g / (1 + Foundation.exp(-g)) * up[i]
            i += 1
        }
    }

    /// Naive twin (Double) for tests.
    public static func naive(
        gate: UnsafePointer<Float>, up: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count {
            let g = Double(gate[i])
            out[i] = Float(g / (1 + Foundation.exp(-g)) * Double(up[i]))
        }
    }
}
