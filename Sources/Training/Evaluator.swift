import Foundation

/// Held-out evaluation of one set at one step.
public struct EvalResult: Sendable, Codable, Equatable {
    public var step: Int
    /// `target` or `general`.
    public var set: String
    /// Mean cross-entropy over the set's label tokens, and exp of it.
    public var loss: Double
    public var perplexity: Double
    public var labelTokens: Int
    /// Mean CE over label tokens whose entropy under the BASE model is ≥ 2.0 nats / ≤ 0.5 nats
    /// (the paper's Figure 4 split; the entropy is fixed from the base model so the token sets
    /// do not move during training). nil when the set has no such tokens.
    public var highEntropyLoss: Double?
    public var lowEntropyLoss: Double?
    public var highEntropyTokens: Int
    public var lowEntropyTokens: Int
    /// The low-entropy tokens split by the BASE model's probability of the label (the audit's
    /// absolute confident-conflict definition, ../shared/DESIGN.md: H ≤ 0.5 nats and p ≤ 0.1):
    /// confident conflicts (p ≤ 0.1) and confident-correct tokens (p > 0.1). nil when empty.
    public var confidentConflictLoss: Double? = nil
    public var confidentConflictTokens: Int = 0
    public var confidentCorrectLoss: Double? = nil
    public var confidentCorrectTokens: Int = 0
    enum CodingKeys: String, CodingKey {
        case step, set, loss, perplexity, labelTokens = "label_tokens", highEntropyLoss = "high_entropy_loss"
        case lowEntropyLoss = "low_entropy_loss", highEntropyTokens = "high_entropy_tokens", lowEntropyTokens = "low_entropy_tokens"
        case confidentConflictLoss = "confident_conflict_loss", confidentConflictTokens = "confident_conflict_tokens"
        case confidentCorrectLoss = "confident_correct_loss", confidentCorrectTokens = "confident_correct_tokens"
    }
    public init(step: Int, set: String, loss: Double, perplexity: Double, labelTokens: Int, highEntropyLoss: Double?,
                lowEntropyLoss: Double?, highEntropyTokens: Int, lowEntropyTokens: Int) {
        self.step = step; self.set = set; self.loss = loss; self.perplexity = perplexity; self.labelTokens = labelTokens
        self.highEntropyLoss = highEntropyLoss; self.lowEntropyLoss = lowEntropyLoss
        self.highEntropyTokens = highEntropyTokens; self.lowEntropyTokens = lowEntropyTokens
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        step = try c.decode(Int.self, forKey: .step); set = try c.decode(String.self, forKey: .set)
        loss = try c.decode(Double.self, forKey: .loss); perplexity = try c.decode(Double.self, forKey: .perplexity)
        labelTokens = try c.decode(Int.self, forKey: .labelTokens)
        highEntropyLoss = try c.decodeIfPresent(Double.self, forKey: .highEntropyLoss)
        lowEntropyLoss = try c.decodeIfPresent(Double.self, forKey: .lowEntropyLoss)
        highEntropyTokens = try c.decode(Int.self, forKey: .highEntropyTokens)
        lowEntropyTokens = try c.decode(Int.self, forKey: .lowEntropyTokens)
        // Absent in trainer states written before the probability split existed.
        confidentConflictLoss = try c.decodeIfPresent(Double.self, forKey: .confidentConflictLoss)
        confidentConflictTokens = try c.decodeIfPresent(Int.self, forKey: .confidentConflictTokens) ?? 0
        confidentCorrectLoss = try c.decodeIfPresent(Double.self, forKey: .confidentCorrectLoss)
        confidentCorrectTokens = try c.decodeIfPresent(Int.self, forKey: .confidentCorrectTokens) ?? 0
    }
}

/// Loss / perplexity on held-out sets, with the base model's token groups (the EAFT paper's
/// Figure 4): uncertain (H ≥ 2), confident (H ≤ 0.5) split into confident-correct and
/// confident-conflict by the base probability of the label.
public final class Evaluator: @unchecked Sendable {
    public struct EvalSet {
        public var name: String; public var data: TrainDataset
        /// The base model's entropy and label cross-entropy per label token (fixed at step 0).
        public var baseEntropy: [Float] = []; public var baseCE: [Float] = []
    }
    /// Group bounds (nats; probability): the audit's absolute definition and the high-entropy cut.
    public static let uncertainEntropy: Float = 2.0, confidentEntropy: Float = 0.5, conflictProbability: Float = 0.1
    public private(set) var sets: [EvalSet]
    let batchTokens: Int
    let batchSamples: Int

    public init(sets: [(String, TrainDataset)], batchTokens: Int, batchSamples: Int) {
        self.sets = sets.map { EvalSet(name: $0.0, data: $0.1) }
        self.batchTokens = batchTokens; self.batchSamples = batchSamples
    }

    /// Per-label-token CE and entropy of `model` over one set, in file order.
    func perToken(_ engine: StepEngine, _ ds: TrainDataset) throws -> (ce: [Float], entropy: [Float]) {
        let order = Array(0..<ds.samples.count)
        var ce: [Float] = [], ent: [Float] = []
        for r in Batcher.plan(order: order, lengths: ds.samples.map(\.ids.count), batchTokens: batchTokens, batchSamples: batchSamples) {
            let b = Batcher.pack(ds, order: order, range: r)
            let res = try engine.run(b, coef: 0, backward: false, keepPerToken: true)
            ce += res.ce; ent += res.entropy
        }
        return (ce, ent)
    }

    /// Records the base model's per-token entropies and cross-entropies (call once with the base weights).
    public func captureBaseEntropy(_ engine: StepEngine) throws {
        for i in sets.indices { (sets[i].baseCE, sets[i].baseEntropy) = try perToken(engine, sets[i].data) }
    }

    /// The evaluation of the base weights from what `captureBaseEntropy` recorded, without
    /// another pass (identical to `evaluate` on the base weights: the same numbers).
    public func baseResults(step: Int) -> [EvalResult] {
        sets.map { result($0, step: step, ce: $0.baseCE, ent: $0.baseEntropy) }
    }

    /// Evaluates every set at `step`.
    public func evaluate(_ engine: StepEngine, step: Int) throws -> [EvalResult] {
        try sets.map { s in
            let (ce, ent) = try perToken(engine, s.data)
            return result(s, step: step, ce: ce, ent: ent)
        }
    }

    /// One set's result from its per-token CE and entropy (groups by the base's, when recorded).
    func result(_ s: EvalSet, step: Int, ce: [Float], ent: [Float]) -> EvalResult {
        let haveBase = s.baseEntropy.count == ce.count
        let base = haveBase ? s.baseEntropy : ent, baseCE = haveBase ? s.baseCE : ce
        // p ≤ 0.1 ⇔ CE ≥ −ln 0.1
        let conflictCE = -Foundation.log(Self.conflictProbability)
        var hi = (0.0, 0), lo = (0.0, 0), conflict = (0.0, 0), correct = (0.0, 0)
        for i in 0..<ce.count {
            if base[i] >= Self.uncertainEntropy { hi.0 += Double(ce[i]); hi.1 += 1 }
            if base[i] <= Self.confidentEntropy {
                lo.0 += Double(ce[i]); lo.1 += 1
                if baseCE[i] >= conflictCE { conflict.0 += Double(ce[i]); conflict.1 += 1 } else { correct.0 += Double(ce[i]); correct.1 += 1 }
            }
        }
        func mean(_ x: (Double, Int)) -> Double? { x.1 > 0 ? x.0 / Double(x.1) : nil }
        let m = ce.isEmpty ? 0 : ce.reduce(0.0) { $0 + Double($1) } / Double(ce.count)
        var r = EvalResult(step: step, set: s.name, loss: m, perplexity: exp(m), labelTokens: ce.count,
                           highEntropyLoss: mean(hi), lowEntropyLoss: mean(lo), highEntropyTokens: hi.1, lowEntropyTokens: lo.1)
        r.confidentConflictLoss = mean(conflict); r.confidentConflictTokens = conflict.1
        r.confidentCorrectLoss = mean(correct); r.confidentCorrectTokens = correct.1
        return r
    }
}
