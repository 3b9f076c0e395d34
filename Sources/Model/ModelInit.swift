import Foundation

/// Seeded, deterministic random initialisation of a checkpoint (for demos and benchmarks).
/// Follows the Hugging Face `_init_weights` recipe for these models: every Linear weight and
/// the embedding ~ N(0, std²) (`initializer_range`, 0.02 by default), biases 0, every RMSNorm
/// weight 1. Each parameter draws from its own SplitMix64 stream keyed by (seed, parameter
/// index), with Box–Muller normals, so results do not depend on thread count.
/// Reference: https://github.com/huggingface/transformers/blob/main/src/transformers/modeling_utils.py (`_init_weights`)
public enum ModelInit {
    public static func randomWeights(config: ModelConfig, seed: UInt64, std: Float = 0.02) -> ModelWeights {
        let w = ModelWeights(config: config)
        let params = w.parameters
        DispatchQueue.concurrentPerform(iterations: params.count) { i in
            let p = params[i]
            let dst = w.flat + p.offset
            if p.name.hasSuffix("norm.weight") {
                dst.update(repeating: 1, count: p.count)
            } else if p.name.hasSuffix(".bias") {
                dst.update(repeating: 0, count: p.count)
            } else {
                var rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(i) &* 0xD1B5_4A32_D192_ED03)
                var j = 0
                while j < p.count {
                    let (a, b) = rng.normalPair()
                    dst[j] = Float(a) * std
                    if j + 1 < p.count { dst[j + 1] = Float(b) * std }
                    j += 2
                }
            }
        }
        return w
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, seedable.
/// Reference: https://prng.di.unimi.it/splitmix64.c
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    public mutating func unit() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }
    /// Two independent N(0, 1) samples (Box–Muller).
    public mutating func normalPair() -> (Double, Double) {
        let r = (-2 * Foundation.log(unit())).squareRoot(), t = 2 * Double.pi * unit()
        return (r * Foundation.cos(t), r * Foundation.sin(t))
    }
}
