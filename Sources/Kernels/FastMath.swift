import Foundation

/// Vectorised float32 `exp` (Cephes `expf` range reduction and polynomial), about 1–2 ulp on
/// the range that matters for softmax and SiLU. Inputs are clamped to [-87.3, 88.3], so the
/// result is always finite and never denormal: use it only where such inputs do not
/// occur or do not matter (softmax after max subtraction, SiLU's `exp(-x)`).
/// Reference: Cephes math library, expf.c (http://www.netlib.org/cephes/).
public enum FastMath {
    @inlinable @inline(__always)
    public static func exp(_ x0: SIMD16<Float>) -> SIMD16<Float> {
        // Only cheap lane-wise ops: Swift's generic SIMD `rounded`, `clamped`, `max()` and
        // float→int conversions compile to scalar loops (≈100× slower).
        var x = x0.replacing(with: -87.3, where: x0 .< -87.3)
        x = x.replacing(with: 88.3, where: x .> 88.3)
        // Round x·log2(e) to nearest with the 1.5·2^23 trick; the low mantissa bits of `t`
        // then hold the integer n.
        let t = x * 1.44269504088896341 + 12_582_912.0
        let n = t - 12_582_912.0
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
        let bits = (unsafeBitCast(t, to: SIMD16<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return e * unsafeBitCast(bits, to: SIMD16<Float>.self)
    }

    /// Maximum of `count` (≥ 1) floats, 16 lanes at a time.
    @inlinable
    public static func max(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var i = 0
        var m = -Float.infinity
        if count >= 16 {
            var mv = UnsafeRawPointer(x).loadUnaligned(as: SIMD16<Float>.self)
            i = 16
            while i + 16 <= count {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
                mv = mv.replacing(with: v, where: v .> mv)
                i += 16
            }
            for l in 0..<16 where mv[l] > m { m = mv[l] }
        }
        while i < count {
            if x[i] > m { m = x[i] }
            i += 1
        }
        return m
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
