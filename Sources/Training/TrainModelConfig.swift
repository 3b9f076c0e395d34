import Foundation

/// The architecture facts the backward pass needs (derived from the Model module's
/// `ModelConfig`, plus `pad_token_id`, which HF passes to `nn.Embedding(padding_idx=…)`).
public struct TrainModelConfig: Sendable, Equatable {
    public var modelType: String
    public var vocab: Int
    public var hidden: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var intermediate: Int
    public var eps: Float
    public var ropeTheta: Double
    public var tied: Bool
    public var qkvBias: Bool
    public var oBias: Bool
    public var qkNorm: Bool
    /// `pad_token_id`: HF's `nn.Embedding(padding_idx=pad_token_id)` never updates that row from the input side.
    public var padTokenId: Int? = nil

    public init(modelType: String, vocab: Int, hidden: Int, layers: Int, heads: Int, kvHeads: Int, headDim: Int,
                intermediate: Int, eps: Float, ropeTheta: Double, tied: Bool, qkvBias: Bool, oBias: Bool, qkNorm: Bool,
                padTokenId: Int? = nil) {
        self.modelType = modelType; self.vocab = vocab; self.hidden = hidden; self.layers = layers; self.heads = heads
        self.kvHeads = kvHeads; self.headDim = headDim; self.intermediate = intermediate; self.eps = eps
        self.ropeTheta = ropeTheta; self.tied = tied; self.qkvBias = qkvBias; self.oBias = oBias; self.qkNorm = qkNorm
        self.padTokenId = padTokenId
    }
}
