/// HF `Qwen2Config` keys (Qwen2ForCausalLM, Qwen2.5). Qwen2 always has q/k/v bias and no
/// o_proj bias (there is no `attention_bias` key).
/// Reference: https://github.com/huggingface/transformers/blob/main/src/transformers/models/qwen2/configuration_qwen2.py
public struct Qwen2Config: ArchitectureConfig, Equatable {
    public static let architecture = ModelArchitecture.qwen2
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
        case tieWordEmbeddings = "tie_word_embeddings", dtype, torchDtype = "torch_dtype"
    }

    public func resolve(path: String) throws -> ModelConfig {
        try CommonChecks.activation(hiddenAct, path: path)
        try CommonChecks.slidingWindow(useSlidingWindow, path: path)
        try CommonChecks.layerTypes(layerTypes, path: path)
        let c = ModelConfig(
            architecture: .qwen2, vocabSize: vocabSize, hiddenSize: hiddenSize, intermediateSize: intermediateSize,
            numLayers: numHiddenLayers, numHeads: numAttentionHeads, numKVHeads: numKeyValueHeads ?? numAttentionHeads,
            headDim: headDim ?? (numAttentionHeads > 0 ? hiddenSize / numAttentionHeads : 0),
            rmsNormEps: rmsNormEps ?? 1e-6,
            rope: try RopeConfig.resolve(parameters: ropeParameters, legacyTheta: ropeTheta, legacyScaling: ropeScaling, path: path),
            tieWordEmbeddings: tieWordEmbeddings ?? false, qkvBias: true, oBias: false, qkNorm: false,
            maxPositionEmbeddings: maxPositionEmbeddings ?? 32768, dtype: CommonChecks.dtype(dtype, torchDtype))
        try c.validate(path: path)
        return c
    }
}
