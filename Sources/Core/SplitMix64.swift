import Foundation

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, seedable; the one seeded RNG of the
/// project (model initialisation, shuffles, perturbations in tests and benchmarks). The same
/// seed gives the same stream on every platform.
/// Reference: https://prng.di.unimi.it/splitmix64.c
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.finalize(state)
    }

    /// The output function (a 64-bit mixer), also used on its own to derive hash seeds.
    @inline(__always)
    public static func finalize(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// One step from state `x` (`finalize(x + golden gamma)`): a strong 64-bit mixer for hashes
    /// and derived seeds; equals the first output of `SplitMix64(seed: x)`.
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 { finalize(x &+ 0x9E37_79B9_7F4A_7C15) }

    /// Uniform in (0, 1).
    public mutating func unit() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }

    /// Two independent N(0, 1) samples (Box–Muller).
    public mutating func normalPair() -> (Double, Double) {
        let r = (-2 * Foundation.log(unit())).squareRoot(), t = 2 * Double.pi * unit()
        return (r * Foundation.cos(t), r * Foundation.sin(t))
    }
}
