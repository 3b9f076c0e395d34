import DataIO

/// Everything the executor needs besides the spec. `ComponentLoader` builds it from the real
/// tokenizer, verifiers and model; tests build it from small in-test implementations.
public struct PipelineComponents {
    public var openInput: (ResolvedPipeline.Input) throws -> RecordStream
    public var renderer: ConversationRendering?
    public var verifier: RecordVerifying?
    public var makeScorer: (() throws -> Scorer)?
    public var tokenizer: ShardManifest.Fingerprint?
    public var model: ShardManifest.Fingerprint?
    /// The scoring server, when one scores instead of a local model.
    public var scorer: ShardManifest.ScorerInfo?

    public init(openInput: @escaping (ResolvedPipeline.Input) throws -> RecordStream, renderer: ConversationRendering? = nil,
                verifier: RecordVerifying? = nil, makeScorer: (() throws -> Scorer)? = nil,
                tokenizer: ShardManifest.Fingerprint? = nil, model: ShardManifest.Fingerprint? = nil) {
        self.openInput = openInput
        self.renderer = renderer
        self.verifier = verifier
        self.makeScorer = makeScorer
        self.tokenizer = tokenizer
        self.model = model
    }
}
