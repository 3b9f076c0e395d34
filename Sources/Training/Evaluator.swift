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
    enum CodingKeys: String, CodingKey {
        case step, set, loss, perplexity, labelTokens = "label_tokens", highEntropyLoss = "high_entropy_loss"
        case lowEntropyLoss = "low_entropy_loss", highEntropyTokens = "high_entropy_tokens", lowEntropyTokens = "low_entropy_tokens"
    }
}

/// Loss / perplexity on held-out sets, with the base-model entropy split.
public final class Evaluator: @unchecked Sendable {
    public struct EvalSet { public var name: String; public var data: TrainDataset; public var baseEntropy: [Float] = [] }
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

    /// Records the base model's per-token entropies (call once with the base weights).
    public func captureBaseEntropy(_ engine: StepEngine) throws {
        for i in sets.indices { sets[i].baseEntropy = try perToken(engine, sets[i].data).entropy }
    }

    /// Evaluates every set at `step`.
    public func evaluate(_ engine: StepEngine, step: Int) throws -> [EvalResult] {
        try sets.map { s in
            let (ce, ent) = try perToken(engine, s.data)
            let base = s.baseEntropy.count == ce.count ? s.baseEntropy : ent
            var hi = (0.0, 0), lo = (0.0, 0)
            for i in 0..<ce.count {
                if base[i] >= 2.0 { hi.0 += Double(ce[i]); hi.1 += 1 }
                if base[i] <= 0.5 { lo.0 += Double(ce[i]); lo.1 += 1 }
            }
            let mean = ce.isEmpty ? 0 : ce.reduce(0.0) { $0 + Double($1) } / Double(ce.count)
            return EvalResult(step: step, set: s.name, loss: mean, perplexity: exp(mean), labelTokens: ce.count,
                              highEntropyLoss: hi.1 > 0 ? hi.0 / Double(hi.1) : nil, lowEntropyLoss: lo.1 > 0 ? lo.0 / Double(lo.1) : nil,
                              highEntropyTokens: hi.1, lowEntropyTokens: lo.1)
        }
    }
}
