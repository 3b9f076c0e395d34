import Records

/// Per-token statistics of one token sequence under a model: what a scorer computes, a shard
/// stores, the audit reads and the trainer takes its static gate from.
///
/// Shard convention (schemas/shard.v1.md): T entries for T tokens; entry `t` describes token
/// `t` as a label, predicted from tokens `< t`. Entry 0 has no prediction and holds 0 (and
/// `expectedID[0]` is 0). Natural logs; entropies in nats. Every row comes from one kernel,
/// `DistributionStats.row` (Kernels), which the trainer's dynamic gate also uses.
public struct TokenStats: Sendable, Codable, Equatable {
    /// log p(token t | tokens < t).
    public var logprob: [Float]
    /// The EAFT gate `topKEntropy / ln K`, in [0, 1] (0 when K = 1).
    public var gate: [Float]
    /// Entropy of the K largest logits renormalised (H^K).
    public var topKEntropy: [Float]
    /// Full-vocabulary entropy, when the scorer saw the whole vocabulary (nil for a server scorer).
    public var entropy: [Float]?
    /// The model's most probable token at each position (first index of the largest logit),
    /// when the scorer reports it.
    public var expectedID: [TokenID]?
    /// log p(expectedID[t] | tokens < t) (≥ `logprob[t]`), present with `expectedID`.
    public var expectedLogprob: [Float]?

    public init(logprob: [Float] = [], gate: [Float] = [], topKEntropy: [Float] = [], entropy: [Float]? = nil,
                expectedID: [TokenID]? = nil, expectedLogprob: [Float]? = nil) {
        self.logprob = logprob
        self.gate = gate
        self.topKEntropy = topKEntropy
        self.entropy = entropy
        self.expectedID = expectedID
        self.expectedLogprob = expectedLogprob
    }

    /// `count` zero entries in every column; the optional columns present as asked.
    public init(count: Int, entropy: Bool, expected: Bool) {
        let z = [Float](repeating: 0, count: count)
        self.init(logprob: z, gate: z, topKEntropy: z, entropy: entropy ? z : nil,
                  expectedID: expected ? [TokenID](repeating: 0, count: count) : nil, expectedLogprob: expected ? z : nil)
    }

    /// Number of entries (= tokens of the sequence).
    public var count: Int { logprob.count }

    /// Why these columns cannot describe `tokens` tokens (a column of another length, or
    /// `expectedID` without `expectedLogprob`), or nil.
    public func lengthProblem(tokens t: Int) -> String? {
        for (name, n) in [("logprob", logprob.count), ("gate", gate.count), ("entropy_topk", topKEntropy.count),
                          ("entropy_full", entropy?.count ?? t), ("expected_id", expectedID?.count ?? t),
                          ("expected_logprob", expectedLogprob?.count ?? t)] where n != t {
            return "\(name) has \(n) entries for \(t) tokens"
        }
        if (expectedID == nil) != (expectedLogprob == nil) { return "expected_id and expected_logprob go together" }
        return nil
    }

    /// The first non-finite value (NaN / ±Inf) in a float column, with the column's name (as in
    /// the shard reader) and the token position, or nil.
    public func firstNonFinite() -> (column: String, token: Int, value: Float)? {
        let cols: [(String, [Float]?)] = [("logprob", logprob), ("gate", gate), ("entropy_topk", topKEntropy),
                                         ("entropy_full", entropy), ("expected_logprob", expectedLogprob)]
        for (name, v) in cols {
            if let v, let t = v.firstIndex(where: { !$0.isFinite }) { return (name, t, v[t]) }
        }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case logprob, gate, topKEntropy = "entropy_topk", entropy = "entropy_full", expectedID = "expected_id"
        case expectedLogprob = "expected_logprob"
    }
}
