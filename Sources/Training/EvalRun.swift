import Foundation
import Model

/// `eaft eval`: loss / perplexity / entropy split of one model on held-out sets, and
/// multiple-choice accuracy by option log-likelihood.
public enum EvalRun {
    /// `name=path` → (name, path); a bare path is named `<prefix><index>`.
    public static func named(_ spec: String, index: Int, prefix: String) -> (name: String, path: String) {
        let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : ("\(prefix)\(index)", spec)
    }

    /// One `EvalResult` per set of `data` (JSONL `{"ids", "mask"}` files or shard directories,
    /// `name=path` to label them, else `set<i>`), under the model at `model`; the high/low-entropy
    /// split uses the model's own entropies. `warn` gets each set's bad-line report.
    public static func losses(model: String, data: [String], batchTokens: Int, warn: (String) -> Void) throws -> [EvalResult] {
        let m = try TrainModel.load(directory: model)
        var sets: [(String, TrainDataset)] = []
        for (i, d) in data.enumerated() {
            let (name, path) = named(d, index: i, prefix: "set")
            let ds = try TrainDataset.load(paths: [path], maxLen: batchTokens, vocab: m.config.vocab)
            if !ds.errors.isEmpty { warn(ds.errorReport()) }
            sets.append((name, ds))
        }
        let ev = Evaluator(sets: sets, batchTokens: batchTokens, batchSamples: Int.max)
        let engine = StepEngine(model: m, spec: LossSpec(weight: .sft))
        try ev.captureBaseEntropy(engine)
        return try ev.evaluate(engine, step: 0)
    }

    /// Multiple-choice accuracy of `model` on each set of `choices` (`name=path`, else
    /// `choices<i>`): `read` gives a set's questions, `encode` tokenizes, `emit` gets each set's
    /// result as soon as it is done. Returns every question's choice log-likelihoods as JSON
    /// lines (`QuestionLoglik`).
    public static func choices(_ choices: [String], model: CausalLM, read: (String) throws -> [ChoiceQuestion],
                               encode: (String) -> [Int32], emit: (ChoiceResult) throws -> Void) throws -> String {
        var perQuestion = ""
        for (i, d) in choices.enumerated() {
            let (name, path) = named(d, index: i, prefix: "choices")
            let qs = try read(path)
            let (r, ll) = try ChoiceEvaluation.evaluate(set: name, questions: qs, model: model, encode: encode)
            try emit(r)
            for (j, (q, l)) in zip(qs, ll).enumerated() {
                perQuestion += String(decoding: try JSONEncoder.sorted.encode(QuestionLoglik(set: name, index: j, id: q.id, loglik: l)), as: UTF8.self) + "\n"
            }
        }
        return perQuestion
    }

    /// One multiple-choice question from a JSON line; `location` (`file:line`) names it in the error.
    public static func question(_ line: [UInt8], at location: String) throws -> ChoiceQuestion {
        do { return try JSONDecoder().decode(ChoiceQuestion.self, from: Data(line)) } catch {
            throw TrainError("not a multiple-choice line: \(error)", at: location,
                             hint: #"expected {"context": str, "choices": [str], "answer": int}"#)
        }
    }
}

/// One line of `eaft eval --loglik-out`: a question's choice log-likelihoods.
public struct QuestionLoglik: Sendable, Codable, Equatable {
    public var set: String
    public var index: Int
    public var id: String?
    public var loglik: [Double]
}
