import DataIO
import Records
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

    func score(batch: [[TokenID]], topK: Int) throws -> [TokenStats] {
        try model.scoreBatch(batch, topK: topK)
    }
}
