import Foundation
import Kernels

/// One multiple-choice question, tokenized the lm-evaluation-harness way: `context` is
/// `encode(context)`, each choice is `encode(context + delimiter + choice)` minus the context's
/// tokens (harness `_encode_pair`), so a choice is the continuation the model must produce.
public struct ChoiceItem: Sendable, Equatable {
    public var context: [Int32]
    public var choices: [[Int32]]
    public init(context: [Int32], choices: [[Int32]]) { self.context = context; self.choices = choices }
}

extension CausalLM {
    /// Log-likelihood of every choice of every item given its context: the sum of the choice
    /// tokens' log-probabilities, as lm-evaluation-harness computes `loglikelihood` requests
    /// (https://github.com/EleutherAI/lm-evaluation-harness, `multiple_choice` output type).
    /// When every choice of an item is one token (" A", " B", …) the item costs one forward pass
    /// of its context; otherwise one pass per choice. Items are packed into passes of at most
    /// `tokenBudget` tokens. An empty context or choice is a `ModelError`.
    public func choiceLogLikelihoods(_ items: [ChoiceItem]) throws -> [[Double]] {
        // Each pass sequence carries the rows it needs: (row within the sequence, targets, (item, choice) per target).
        struct Need { var seq: [Int32]; var row0: Int; var targets: [[Int32]]; var owners: [(Int, Int)] }
        var needs: [Need] = []
        for (i, it) in items.enumerated() {
            guard !it.context.isEmpty, !it.choices.isEmpty, it.choices.allSatisfy({ !$0.isEmpty }) else {
                throw ModelError("multiple-choice item \(i) has an empty context or choice", at: .init(file: directory ?? "<model>", record: i))
            }
            try checkIDs(it.context, sequence: i)
            for c in it.choices { try checkIDs(c, sequence: i) }
            if it.choices.allSatisfy({ $0.count == 1 }) {
                needs.append(Need(seq: it.context, row0: it.context.count - 1, targets: [it.choices.map { $0[0] }],
                                  owners: it.choices.indices.map { (i, $0) }))
            } else {
                for (k, c) in it.choices.enumerated() {
                    // rows L-1 … L+m-2 predict the choice's m tokens, one target each
                    needs.append(Need(seq: it.context + c.dropLast(), row0: it.context.count - 1, targets: c.map { [$0] },
                                      owners: [(i, k)]))
                }
            }
        }
        var out = items.map { [Double](repeating: 0, count: $0.choices.count) }
        lock.lock()
        defer { lock.unlock() }
        var start = 0
        while start < needs.count {
            var end = start + 1, tokens = needs[start].seq.count
            while end < needs.count, tokens + needs[end].seq.count <= tokenBudget { tokens += needs[end].seq.count; end += 1 }
            let group = needs[start..<end]
            let batch = PackedBatch(group.map(\.seq), sharingPrefixes: sharePrefixes)
            let hidden = runForward(batch, cache: scratchCache(tokens: batch.tokenCount))
            let h = config.hiddenSize, vocab = config.vocabSize
            var logits = [Float](repeating: 0, count: vocab)
            for (s, n) in group.enumerated() {
                for (r, targets) in n.targets.enumerated() {
                    let row = batch.row(sequence: s, position: n.row0 + r)
                    logits.withUnsafeMutableBufferPointer { lg in
                        // logits (1, V) = hidden row (1, H) · lm_head (V, H)ᵀ
                        Linear.forward(x: hidden + row * h, w: weights.lmHead, bias: nil, y: lg.baseAddress!,
                                       rows: 1, inDim: h, outDim: vocab)
                    }
                    let lse = Self.logSumExp(logits)
                    for (j, t) in targets.enumerated() {
                        let lp = Double(logits[Int(t)]) - lse
                        let (item, choice) = n.owners.count > 1 ? n.owners[j] : n.owners[0]
                        out[item][choice] += lp
                    }
                }
            }
            start = end
        }
        return out
    }

    /// log Σ exp(x), in Double, max-shifted.
    static func logSumExp(_ x: [Float]) -> Double {
        let m = Double(x.max() ?? 0)
        var s = 0.0
        for v in x { s += Foundation.exp(Double(v) - m) }
        return m + Foundation.log(s)
    }
}
