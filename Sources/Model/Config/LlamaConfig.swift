/// HF `LlamaConfig` keys (LlamaForCausalLM, e.g. SmolLM2, Llama 3).
/// Reference: https://github.com/huggingface/transformers/blob/main/src/transformers/models/llama/configuration_llama.py
public struct LlamaConfig: ArchitectureConfig, Equatable {
    public static let architecture = ModelArchitecture.llama
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
    public var attentionBias: Bool?
    public var mlpBias: Bool?
    public var tieWordEmbeddings: Bool?
    public var dtype: String?
    public var torchDtype: String?

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads", headDim = "head_dim", hiddenAct = "hidden_act"
        case maxPositionEmbeddings = "max_position_embeddings", rmsNormEps = "rms_norm_eps"
        case ropeTheta = "rope_theta", ropeScaling = "rope_scaling", ropeParameters = "rope_parameters"
        case attentionBias = "attention_bias", mlpBias = "mlp_bias", tieWordEmbeddings = "tie_word_embeddings"
        case dtype, torchDtype = "torch_dtype"
    }

    public func resolve(path: String) throws -> ModelConfig {
        try CommonChecks.activation(hiddenAct, path: path)
        if mlpBias == true {
            throw ModelError("mlp_bias = true is not supported", at: .init(file: path, field: "mlp_bias"))
        }
        let bias = attentionBias ?? false
        let c = ModelConfig(
            architecture: .llama, vocabSize: vocabSize, hiddenSize: hiddenSize, intermediateSize: intermediateSize,
            numLayers: numHiddenLayers, numHeads: numAttentionHeads, numKVHeads: numKeyValueHeads ?? numAttentionHeads,
            headDim: headDim ?? (numAttentionHeads > 0 ? hiddenSize / numAttentionHeads : 0),
            rmsNormEps: rmsNormEps ?? 1e-6,
            rope: try RopeConfig.resolve(parameters: ropeParameters, legacyTheta: ropeTheta, legacyScaling: ropeScaling, path: path),
            tieWordEmbeddings: tieWordEmbeddings ?? false, qkvBias: bias, oBias: bias, qkNorm: false,
            maxPositionEmbeddings: maxPositionEmbeddings ?? 2048, dtype: CommonChecks.dtype(dtype, torchDtype))
        try c.validate(path: path)
        return c
    }
}
