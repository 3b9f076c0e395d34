import Model

/// The native CPU model (`CausalLM`) as a `Scorer`. Batching is the model's: `scoreBatch`
/// packs the sequences into forward passes of at most `batchTokens` tokens (a longer one runs
/// alone), greedily in input order.
final class ModelScorer: Scorer {
    let model: CausalLM
    init(model: CausalLM, batchTokens: Int) {
        self.model = model
        model.tokenBudget = batchTokens
    }
    var maxPositions: Int { model.config.maxPositionEmbeddings }

    func score(batch: [[UInt32]], topK: Int) throws -> [TokenColumns] {
        let stats = try model.scoreBatch(batch.map { $0.map { Int32(bitPattern: $0) } }, topK: topK)
        return stats.map {
            TokenColumns(logprob: $0.logprob, entropyTopK: $0.topkEntropy, gate: $0.gate, entropyFull: $0.entropy,
                         expectedID: $0.expectedID.map { UInt32(bitPattern: $0) }, expectedLogprob: $0.expectedLogprob)
        }
    }
}
