import Foundation

/// The architectures the runtime implements.
public enum ModelArchitecture: String, Sendable, Equatable, Codable, CaseIterable {
    case llama, qwen2, qwen3

    /// The `architectures[0]` class name Hugging Face writes.
    public var className: String {
        switch self {
        case .llama: return "LlamaForCausalLM"
        case .qwen2: return "Qwen2ForCausalLM"
        case .qwen3: return "Qwen3ForCausalLM"
        }
    }
}

/// Architecture-independent description of a decoder-only transformer, resolved and
/// validated from an HF config.json by `ConfigRegistry` (one `Codable` struct per
/// architecture mirrors the HF keys; this is what the kernels need).
public struct ModelConfig: Sendable, Equatable, Codable {
    public var architecture: ModelArchitecture
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numLayers: Int
    public var numHeads: Int
    public var numKVHeads: Int
    public var headDim: Int
    public var rmsNormEps: Double
    public var rope: RopeConfig
    public var tieWordEmbeddings: Bool
    /// Bias on q/k/v projections (Qwen2 always; Llama/Qwen3 `attention_bias`).
    public var qkvBias: Bool
    /// Bias on o_proj (Llama/Qwen3 `attention_bias`; never Qwen2).
    public var oBias: Bool
    /// Per-head RMSNorm on q and k before RoPE (Qwen3).
    public var qkNorm: Bool
    public var maxPositionEmbeddings: Int
    /// Declared weight dtype (`dtype` or legacy `torch_dtype`), informational.
    public var dtype: String?

    public var qDim: Int { numHeads * headDim }
    public var kvDim: Int { numKVHeads * headDim }

    /// Checks the shape invariants; errors name the offending key.
    func validate(path: String) throws {
        func bad(_ key: String, _ why: String) -> ModelError {
            ModelError(why, at: .init(file: path, field: key))
        }
        for (k, v) in [("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
                       ("num_hidden_layers", numLayers), ("num_attention_heads", numHeads),
                       ("num_key_value_heads", numKVHeads), ("head_dim", headDim)] where v <= 0 {
            throw bad(k, "must be positive, got \(v)")
        }
        guard vocabSize < Int(Int32.max) else { throw bad("vocab_size", "too large") }
        // Stated maxima (schemas/limits.md): far above any released model, small enough that
        // products of dimensions cannot overflow and a hostile config.json cannot make us
        // allocate before the tensor shapes are compared (`ModelWeights.load`).
        for (k, v, limit) in [("hidden_size", hiddenSize, Self.maxHiddenSize), ("intermediate_size", intermediateSize, Self.maxIntermediateSize),
                              ("num_hidden_layers", numLayers, Self.maxLayers), ("num_attention_heads", numHeads, Self.maxHeads),
                              ("num_key_value_heads", numKVHeads, Self.maxHeads), ("head_dim", headDim, Self.maxHeadDim)] where v > limit {
            throw ModelError("\(v) exceeds the maximum of \(limit)", at: .init(file: path, field: k),
                             hint: "config.json is corrupt or describes a model far larger than eaft supports")
        }
        guard numHeads % numKVHeads == 0 else {
            throw bad("num_key_value_heads", "\(numKVHeads) does not divide num_attention_heads \(numHeads)")
        }
        guard headDim % 2 == 0 else { throw bad("head_dim", "must be even for RoPE, got \(headDim)") }
        guard rmsNormEps > 0 else { throw bad("rms_norm_eps", "must be positive") }
        guard rope.theta > 0 else { throw bad("rope_theta", "must be positive") }
    }

    /// Upper bounds on config dimensions, checked by `validate` (stated in schemas/limits.md).
    public static let maxHiddenSize = 1 << 16, maxIntermediateSize = 1 << 18, maxLayers = 1024
    public static let maxHeads = 1024, maxHeadDim = 1024

    /// Parameter count (tied embeddings counted once).
    public var parameterCount: Int {
        let h = hiddenSize
        var perLayer = 2 * h + h * qDim + 2 * h * kvDim + qDim * h + 3 * h * intermediateSize
        if qkvBias { perLayer += qDim + 2 * kvDim }
        if oBias { perLayer += h }
        if qkNorm { perLayer += 2 * headDim }
        return vocabSize * h * (tieWordEmbeddings ? 1 : 2) + h + numLayers * perLayer
    }
}
