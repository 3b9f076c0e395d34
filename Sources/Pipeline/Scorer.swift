import DataIO
import Records
/// Scores token sequences under a causal LM: the score stage's backend. Two implementations:
/// `ModelScorer` (the native CPU model) and `ServerScorer` (a vLLM server). One instance per
/// worker thread (or one shared, thread-safe instance); results must not depend on which
/// instance or thread scores a sequence, and any grouping must be decided from the sequences
/// alone (never from timing or thread count), so shards are thread-count independent.
/// Different groupings (packing, shared prefixes) agree to float rounding.
///
/// The scorer owns batching: the scoring stage hands it a whole work unit at once, and it
/// groups the sequences as its backend runs best (packed forward passes of `batch_tokens`
/// tokens; requests in flight to a server).
public protocol Scorer: AnyObject {
    /// Scores each sequence; returns T entries per sequence, in input order (the shard
    /// convention: entry 0 has no prediction and is 0).
    func score(batch: [[TokenID]], topK: Int) throws -> [TokenStats]
    /// Longest sequence the model accepts (longer samples are dropped with reason `too_long_for_model`).
    var maxPositions: Int { get }
    /// Token positions run through the model so far, when the backend knows it (the native
    /// model: fewer than submitted when shared prefixes are computed once; nil for a server).
    var computedTokens: Int? { get }
}

extension Scorer {
    public var computedTokens: Int? { nil }
}
