import Foundation
import Model
import TestSupport
@testable import Training
import XCTest

/// The pieces the forgetting experiment (experiments/forgetting-smollm2.sh) measures with: the
/// base model's token groups in every evaluation, several general sets, the pooled forgetting
/// figure, multiple-choice tokenization the lm-evaluation-harness way, and the chart.
final class ForgettingEvalTests: XCTestCase {
    func testBaseGroupsPartitionTheConfidentTokensAndBaseResultsEqualAnEvaluation() throws {
        let model = try TrainModel.load(directory: try SharedData.require("reference/qwen3-tiny").path)
        let fx = SharedData.repo("Tests/Fixtures/training").path
        let ds = try TrainDataset.load(paths: ["\(fx)/eval_general.jsonl"], maxLen: 256, vocab: model.config.vocab)
        let ev = Evaluator(sets: [("general", ds)], batchTokens: 256, batchSamples: 64)
        let engine = StepEngine(model: model, spec: LossSpec(weight: .sft))
        try ev.captureBaseEntropy(engine)
        let base = ev.baseResults(step: 0)[0]
        // The recorded base pass is exactly what an evaluation of the base weights computes.
        XCTAssertEqual(base, try ev.evaluate(engine, step: 0)[0])
        XCTAssertEqual(base.confidentConflictTokens + base.confidentCorrectTokens, base.lowEntropyTokens)
        // Recount from the per-token arrays with the stated bounds.
        let s = ev.sets[0]
        var conflict = 0, correct = 0, uncertain = 0
        for i in s.baseCE.indices {
            if s.baseEntropy[i] >= 2 { uncertain += 1 }
            if s.baseEntropy[i] <= 0.5 { if exp(-Double(s.baseCE[i])) <= 0.1 { conflict += 1 } else { correct += 1 } }
        }
        XCTAssertEqual([base.confidentConflictTokens, base.confidentCorrectTokens, base.highEntropyTokens], [conflict, correct, uncertain])
        XCTAssertGreaterThan(base.labelTokens, 0)
        if base.lowEntropyTokens > 0 {
            let pooled = ((base.confidentConflictLoss ?? 0) * Double(conflict) + (base.confidentCorrectLoss ?? 0) * Double(correct)) / Double(conflict + correct)
            XCTAssertEqual(pooled, base.lowEntropyLoss!, accuracy: 1e-9)
        }
        // Older trainer states without the split still decode.
        let old = #"{"step":1,"set":"general","loss":2,"perplexity":7.3,"label_tokens":3,"high_entropy_tokens":1,"low_entropy_tokens":0}"#
        let r = try JSONDecoder().decode(EvalResult.self, from: Data(old.utf8))
        XCTAssertEqual(r.confidentConflictTokens, 0); XCTAssertNil(r.confidentConflictLoss)
    }

    func testGeneralSetsFromOnePathOrAList() throws {
        func decode(_ json: String) throws -> TrainConfig { try JSONDecoder().decode(TrainConfig.self, from: Data(json.utf8)) }
        XCTAssertEqual(try decode(#"{"eval_general": "g.jsonl"}"#).generalEvalSets.map(\.name), ["general"])
        let two = try decode(#"{"eval_general": ["wiki=a/w.jsonl", "b/c4.jsonl"]}"#).generalEvalSets
        XCTAssertEqual(two.map(\.name), ["general:wiki", "general:c4"])
        XCTAssertEqual(two.map(\.path), ["a/w.jsonl", "b/c4.jsonl"])
        XCTAssertThrowsError(try decode(#"{"eval_general": 3}"#))
        var dup = try decode(#"{"model": "m", "data": "d", "eval_general": ["a/c4.jsonl", "b/c4.jsonl"]}"#)
        XCTAssertThrowsError(try dup.validate())
        dup.evalGeneral = ["x=a/c4.jsonl", "b/c4.jsonl"]
        XCTAssertNoThrow(try dup.validate())
    }

    func testForgettingPoolsGeneralSetsByTokens() {
        func e(_ step: Int, _ set: String, _ loss: Double, _ n: Int) -> EvalResult {
            EvalResult(step: step, set: set, loss: loss, perplexity: exp(loss), labelTokens: n, highEntropyLoss: nil,
                       lowEntropyLoss: nil, highEntropyTokens: 0, lowEntropyTokens: 0)
        }
        var st = TrainerState(config: TrainConfig())
        st.step = 4
        st.evals = [e(0, "general:a", 2, 100), e(0, "general:b", 4, 300), e(0, "target", 1, 10),
                    e(4, "general:a", 3, 100), e(4, "general:b", 4, 300), e(4, "target", 0.5, 10)]
        let r = TrainReport(state: st, checkpoint: "c")
        let after: Double = (3.0 * 100 + 4.0 * 300) / 400, before: Double = (2.0 * 100 + 4.0 * 300) / 400
        XCTAssertEqual(r.forgetting!, after - before, accuracy: 1e-12)
        XCTAssertEqual(r.targetDelta!, -0.5, accuracy: 1e-12)
        XCTAssertTrue(r.svg().contains("general:b eval"))
    }

    func testChoiceTokenizationFollowsTheHarness() {
        // A toy byte tokenizer that merges " A" into one token, so the continuation must be the
        // whole encoding minus the context's (not the continuation encoded alone).
        func enc(_ s: String) -> [Int32] {
            var out: [Int32] = [], b = Array(s.utf8), i = 0
            while i < b.count {
                if b[i] == 0x20, i + 1 < b.count, b[i + 1] == 0x41 { out.append(1000); i += 2 } else { out.append(Int32(b[i])); i += 1 }
            }
            return out
        }
        let q = ChoiceQuestion(context: "Answer: ", choices: ["A", "B"], answer: 0)
        let item = ChoiceEvaluation.tokenize(q, encode: enc)
        // The trailing space moves to the continuation: context "Answer:", continuations "  A" / "  B".
        XCTAssertEqual(item.context, enc("Answer:"))
        XCTAssertEqual(item.choices[0], [0x20, 1000])
        XCTAssertEqual(item.choices[1], [0x20, 0x20, 0x42])
        // Any trailing whitespace moves (Python rstrip), not only spaces.
        let nl = ChoiceEvaluation.tokenize(ChoiceQuestion(context: "Q?\n\t ", choices: ["B"], answer: 0), encode: enc)
        XCTAssertEqual(nl.context, enc("Q?"))
        XCTAssertEqual(nl.choices[0], enc("Q?\n\t  B").dropFirst(2).map { $0 })
    }

    func testChartDrawsBandsAndEscapesNames() {
        let c = LineChart(title: "a < b", xLabel: "step", series: [
            .init(name: "sft & co", color: "#d62728", points: [[0, 1], [5, 2], [10, .nan]], low: [0.9, 1.8, 2], high: [1.1, 2.2, 2])])
        let svg = c.svg()
        XCTAssertTrue(svg.contains("<polygon")); XCTAssertTrue(svg.contains("sft &amp; co")); XCTAssertTrue(svg.contains("a &lt; b"))
        XCTAssertFalse(svg.contains("nan"))
    }
}
