import DataIO
import Records

/// One item of an input stream: a normalised record, or a row that could not become one.
public enum StreamItem: Sendable {
    case record(Record, SourceLocation)
    case bad(reason: String, detail: String, SourceLocation)
}

/// Records of one pipeline input, in file order.
public protocol RecordStream: AnyObject {
    func next() throws -> StreamItem?
}

/// A conversation rendered by the chat template: token ids and the assistant-only loss mask.
public struct RenderedConversation: Sendable, Equatable {
    public var ids: [UInt32]
    public var mask: [UInt8]
    public init(ids: [UInt32], mask: [UInt8]) { self.ids = ids; self.mask = mask }
    public var labelCount: Int { mask.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
}

/// Chat template + tokenizer.
public protocol ConversationRendering: Sendable {
    func render(_ record: Record) throws -> RenderedConversation
}

/// Answer verification: a verdict (`correct`, `incorrect`, `unverifiable`) and a reason.
public protocol RecordVerifying: Sendable {
    func verify(_ record: Record) -> (verdict: String, reason: String)
}

/// Per-token statistics for positions 1…T−1 (entry j describes token j+1 as a label).
public struct TokenColumns: Sendable, Equatable {
    public var logprob: [Float]
    public var entropyTopK: [Float]
    public var gate: [Float]
    /// Full-vocabulary entropy, when the scorer computes it.
    public var entropyFull: [Float]?
    /// The model's most probable token at each position and its log-probability, when the scorer reports them.
    public var expectedID: [UInt32]?
    public var expectedLogprob: [Float]?
    public init(logprob: [Float], entropyTopK: [Float], gate: [Float], entropyFull: [Float]? = nil,
                expectedID: [UInt32]? = nil, expectedLogprob: [Float]? = nil) {
        self.logprob = logprob
        self.entropyTopK = entropyTopK
        self.gate = gate
        self.entropyFull = entropyFull
        self.expectedID = expectedID
        self.expectedLogprob = expectedLogprob
    }
}

/// A causal LM that scores token sequences. One instance per worker thread; results must not
/// depend on which instance or thread scores a sequence (so shards are thread-count independent).
public protocol TokenScoring: AnyObject {
    /// Scores each sequence; returns T−1 entries per sequence.
    func score(batch: [[UInt32]], topK: Int) throws -> [TokenColumns]
    /// Longest sequence the model accepts (longer samples are dropped with reason `too_long_for_model`).
    var maxPositions: Int { get }
}

/// Everything the executor needs besides the spec. The CLI builds it from the real
/// tokenizer, verifiers and model; tests build it from small in-test implementations.
public struct PipelineComponents {
    public var openInput: (PipelineSpec.Input) throws -> RecordStream
    public var renderer: ConversationRendering?
    public var verifier: RecordVerifying?
    public var makeScorer: (() throws -> TokenScoring)?
    public var tokenizer: ShardManifest.Fingerprint?
    public var model: ShardManifest.Fingerprint?
    /// The scoring server, when one scores instead of a local model.
    public var scorer: ShardManifest.ScorerInfo?

    public init(openInput: @escaping (PipelineSpec.Input) throws -> RecordStream, renderer: ConversationRendering? = nil,
                verifier: RecordVerifying? = nil, makeScorer: (() throws -> TokenScoring)? = nil,
                tokenizer: ShardManifest.Fingerprint? = nil, model: ShardManifest.Fingerprint? = nil) {
        self.openInput = openInput
        self.renderer = renderer
        self.verifier = verifier
        self.makeScorer = makeScorer
        self.tokenizer = tokenizer
        self.model = model
    }
}

/// Stable 64-bit FNV-1a, used for sampling keys (never Swift's seeded `Hasher`); dedup uses Curation.
public enum StableHash {
    public static func fnv1a(_ bytes: some Sequence<UInt8>, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var h = seed
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// SplitMix64 finaliser: spreads FNV's weak low bits.
    public static func mix(_ x: UInt64) -> UInt64 { SplitMix64.mix(x) }

    public static func string(_ s: String, seed: UInt64 = 0) -> UInt64 { mix(fnv1a(s.utf8, seed: 0xCBF2_9CE4_8422_2325 ^ mix(seed))) }
}
