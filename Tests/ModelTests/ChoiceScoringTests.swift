import Foundation
import Model
import TestSupport
import XCTest

/// `CausalLM.choiceLogLikelihoods` (the multiple-choice path of `eaft eval --choices`) against its
/// naive twin: full logits of context + choice (`CausalLM.logits`), log-softmax in Double, the
/// choice tokens' log-probabilities summed. Tolerance 1e-4 per choice: the fast path multiplies one
/// hidden row by the LM head where the twin multiplies all rows (a different GEMM blocking), and a
/// choice sums at most 3 tokens here. The transformers comparison is python/tests/test_choices_parity.py.
final class ChoiceScoringTests: XCTestCase {
    func naive(_ lm: CausalLM, _ item: ChoiceItem) throws -> [Double] {
        try item.choices.map { c in
            let ids = item.context + c
            let logits = try lm.logits(ids: ids)
            let v = lm.config.vocabSize
            var total = 0.0
            for (j, t) in c.enumerated() {
                let row = Array(logits[(item.context.count - 1 + j) * v..<(item.context.count + j) * v])
                let m = Double(row.max()!)
                let lse = m + log(row.reduce(0.0) { $0 + exp(Double($1) - m) })
                total += Double(row[Int(t)]) - lse
            }
            return total
        }
    }

    func testSingleAndMultiTokenChoicesMatchFullLogits() throws {
        for name in ["qwen3-tiny", "llama-tiny"] {
            let lm = try CausalLM.load(directory: try SharedData.require("reference/\(name)").path)
            let v = Int32(lm.config.vocabSize)
            var rng = SystemRandomNumberGenerator()
            var items: [ChoiceItem] = []
            for i in 0..<6 {
                let ctx = (0..<(5 + 7 * i)).map { _ in Int32.random(in: 0..<v, using: &rng) }
                // items 0-2: one-token choices (one pass of the context); 3-5: 1-3 tokens each
                let choices: [[Int32]] = (0..<4).map { k in
                    (0..<(i < 3 ? 1 : 1 + (k + i) % 3)).map { _ in Int32.random(in: 0..<v, using: &rng) }
                }
                items.append(ChoiceItem(context: ctx, choices: choices))
            }
            lm.tokenBudget = 64  // several packed passes
            let fast = try lm.choiceLogLikelihoods(items)
            var worst = (0.0, 0, 0)
            for (i, it) in items.enumerated() {
                for (k, (a, b)) in zip(fast[i], try naive(lm, it)).enumerated() where abs(a - b) > worst.0 { worst = (abs(a - b), i, k) }
            }
            XCTAssertLessThan(worst.0, 1e-4, "\(name): max |Δ loglik| \(worst.0) at item \(worst.1) choice \(worst.2)")
        }
    }

    func testEmptyChoiceIsAnErrorNotATrap() throws {
        let lm = try CausalLM.load(directory: try SharedData.require("reference/qwen3-tiny").path)
        XCTAssertThrowsError(try lm.choiceLogLikelihoods([ChoiceItem(context: [1, 2], choices: [[3], []])]))
        XCTAssertThrowsError(try lm.choiceLogLikelihoods([ChoiceItem(context: [], choices: [[3]])]))
        XCTAssertThrowsError(try lm.choiceLogLikelihoods([ChoiceItem(context: [1], choices: [[Int32(lm.config.vocabSize)]])]))
    }
}
