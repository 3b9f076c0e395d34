import DataIO
import Records
import Model

/// The native CPU model (`CausalLM`) as a `Scorer`. Batching is the model's: `scoreBatch`
/// packs the sequences into forward passes of at most `batchTokens` tokens (a longer one runs
/// alone), greedily in input order, computing a prefix shared within a pass once when
/// `sharePrefixes`.
final class ModelScorer: Scorer {
    let model: CausalLM
    init(model: CausalLM, batchTokens: Int, sharePrefixes: Bool = true) {
        self.model = model
        model.tokenBudget = batchTokens
        model.sharePrefixes = sharePrefixes
    }
    var maxPositions: Int { model.config.maxPositionEmbeddings }
    var computedTokens: Int? { model.computedTokens }

    func score(batch: [[TokenID]], topK: Int) throws -> [TokenStats] {
        try model.scoreBatch(batch, topK: topK)
    }
}
