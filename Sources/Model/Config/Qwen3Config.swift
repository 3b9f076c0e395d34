/// HF `Qwen3Config` keys (Qwen3ForCausalLM). Qwen3 applies a per-head RMSNorm to q and k
/// before RoPE; `attention_bias` puts a bias on q, k, v and o. head_dim defaults to 128.
/// Reference: https://github.com/huggingface/transformers/blob/main/src/transformers/models/qwen3/configuration_qwen3.py
public struct Qwen3Config: ArchitectureConfig, Equatable {
    public static let architecture = ModelArchitecture.qwen3
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var numKeyValueHeads: Int?
    public var headDim: Int?
    public var hiddenAct: String?
    public var maxPositionEmbeddings: Int?
    public var rmsNormEps: Double?
    public var ropeTheta: Double?
    public var ropeScaling: RopeParameters?
    public var ropeParameters: RopeParameters?
    public var useSlidingWindow: Bool?
    public var layerTypes: [String]?
    public var attentionBias: Bool?
    public var tieWordEmbeddings: Bool?
    public var dtype: String?
    public var torchDtype: String?

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads", headDim = "head_dim", hiddenAct = "hidden_act"
        case maxPositionEmbeddings = "max_position_embeddings", rmsNormEps = "rms_norm_eps"
        case ropeTheta = "rope_theta", ropeScaling = "rope_scaling", ropeParameters = "rope_parameters"
        case useSlidingWindow = "use_sliding_window", layerTypes = "layer_types"
        case attentionBias = "attention_bias", tieWordEmbeddings = "tie_word_embeddings", dtype, torchDtype = "torch_dtype"
    }

    public func resolve(path: String) throws -> ModelConfig {
        try CommonChecks.activation(hiddenAct, path: path)
        try CommonChecks.slidingWindow(useSlidingWindow, path: path)
        try CommonChecks.layerTypes(layerTypes, path: path)
        let c = ModelConfig(
            architecture: .qwen3, vocabSize: vocabSize, hiddenSize: hiddenSize, intermediateSize: intermediateSize,
            numLayers: numHiddenLayers, numHeads: numAttentionHeads, numKVHeads: numKeyValueHeads ?? numAttentionHeads,
            headDim: headDim ?? 128,
            rmsNormEps: rmsNormEps ?? 1e-6,
            rope: try RopeConfig.resolve(parameters: ropeParameters, legacyTheta: ropeTheta, legacyScaling: ropeScaling, path: path),
            tieWordEmbeddings: tieWordEmbeddings ?? false, qkvBias: attentionBias ?? false, oBias: attentionBias ?? false, qkNorm: true,
            maxPositionEmbeddings: maxPositionEmbeddings ?? 40960, dtype: CommonChecks.dtype(dtype, torchDtype))
        try c.validate(path: path)
        return c
    }
}
