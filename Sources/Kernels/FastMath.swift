import Foundation

/// Vectorised float32 `exp` (Cephes `expf` range reduction and polynomial), about 1–2 ulp on
/// the range that matters for softmax and SiLU. Inputs are clamped to [-87.3, 88.3], so the
/// result is always finite and never denormal: use it only where such inputs do not
/// occur or do not matter (softmax after max subtraction, SiLU's `exp(-x)`).
/// Reference: Cephes math library, expf.c (http://www.netlib.org/cephes/).
public enum FastMath {
    @inlinable @inline(__always)
    public static func exp(_ x0: SIMD16<Float>) -> SIMD16<Float> {
        let x = x0.clamped(lowerBound: SIMD16(repeating: -87.3), upperBound: SIMD16(repeating: 88.3))
        let n = (x * 1.44269504088896341).rounded(.toNearestOrEven)
        var r = x - n * 0.693359375
        r = r + n * 2.12194440e-4
        let r2 = r * r
        var p = SIMD16<Float>(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let e = p * r2 + r + 1
        let bits = (SIMD16<Int32>(n, rounding: .towardZero) &+ 127) &<< 23
        return e * unsafeBitCast(bits, to: SIMD16<Float>.self)
    }

    /// Scalar version with the same numerics as the SIMD lanes.
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        exp(SIMD16<Float>(repeating: x))[0]
    }

    /// In place `x[i] = exp(x[i] - shift)` over `count` floats; returns the sum of the results
    /// (accumulated in float lanes per block of 1024, across blocks in Double).
    @inlinable
    public static func expShiftSum(_ x: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Double {
        var total = 0.0
        var i = 0
        let s = SIMD16<Float>(repeating: shift)
        while i < count {
            let end = min(count, i + 1024)
            var acc = SIMD16<Float>()
            while i + 16 <= end {
                let v = exp(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - s)
                UnsafeMutableRawPointer(x + i).storeBytes(of: v, as: SIMD16<Float>.self)
                acc += v
                i += 16
            }
            var tail: Float = 0
            while i < end {
                let v = exp(x[i] - shift)
                x[i] = v
                tail += v
                i += 1
            }
            total += Double(acc.sum()) + Double(tail)
        }
        return total
    }
}
