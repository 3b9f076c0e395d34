import Core
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
        Parallel.run(params.count) { i in
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
