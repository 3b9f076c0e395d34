import Foundation
import Model

/// One multiple-choice question as text (a JSONL line of `eaft eval --choices`):
/// `{"id": "...", "context": "Question: …\nAnswer:", "choices": ["A", "B", "C", "D"], "answer": 2}`.
public struct ChoiceQuestion: Sendable, Codable, Equatable {
    public var id: String?
    public var context: String
    public var choices: [String]
    /// Index of the correct choice.
    public var answer: Int
    public init(id: String? = nil, context: String, choices: [String], answer: Int) {
        self.id = id; self.context = context; self.choices = choices; self.answer = answer
    }
}

/// Accuracy of one model on one multiple-choice set.
public struct ChoiceResult: Sendable, Codable, Equatable {
    public var set: String
    public var questions: Int
    /// Fraction whose highest log-likelihood choice is the answer (harness `acc`).
    public var acc: Double
    /// Binomial standard error √(acc(1−acc)/(n−1)) (harness `acc_stderr`).
    public var accStderr: Double
    /// Same with log-likelihoods divided by the choice's length in characters (harness `acc_norm`).
    public var accNorm: Double
    /// Mean log-likelihood of the correct choice.
    public var meanCorrectLoglik: Double
    enum CodingKeys: String, CodingKey {
        case set, questions, acc, accStderr = "acc_stderr", accNorm = "acc_norm", meanCorrectLoglik = "mean_correct_loglik"
    }
}

/// Multiple-choice accuracy by option log-likelihood, the lm-evaluation-harness way
/// (https://github.com/EleutherAI/lm-evaluation-harness, `output_type: multiple_choice`):
/// each choice's continuation `delimiter + choice` is scored after the context and the highest
/// log-likelihood wins; ties go to the first choice (numpy `argmax`).
public enum ChoiceEvaluation {
    /// Tokenizes like harness `_encode_pair`: the context's trailing whitespace moves to the
    /// continuation, the continuation is `encode(context + continuation)` minus `encode(context)`.
    public static func tokenize(_ q: ChoiceQuestion, delimiter: String = " ", encode: (String) -> [Int32]) -> ChoiceItem {
        // Python's str.rstrip(): Unicode whitespace plus the ASCII separators 0x1C–0x1F
        var ctx = q.context.unicodeScalars[...]
        while let last = ctx.last, last.properties.isWhitespace || (0x1C...0x1F).contains(last.value) { ctx.removeLast() }
        let trail = String(q.context.unicodeScalars[ctx.endIndex...])
        let ctxText = String(ctx)
        let c = encode(ctxText)
        let choices = q.choices.map { choice -> [Int32] in
            let whole = encode(ctxText + trail + delimiter + choice)
            return whole.count > c.count ? Array(whole[c.count...]) : []
        }
        return ChoiceItem(context: c, choices: choices)
    }

    /// Scores `questions` under `model`: the set's accuracy and every choice's log-likelihood.
    /// A question whose answer index is out of range is an error.
    public static func evaluate(set: String, questions: [ChoiceQuestion], model: CausalLM,
                                delimiter: String = " ", encode: (String) -> [Int32]) throws -> (ChoiceResult, [[Double]]) {
        for (i, q) in questions.enumerated() where !q.choices.indices.contains(q.answer) {
            throw TrainError("answer index \(q.answer) is outside the \(q.choices.count) choices", at: "\(set) question \(i)")
        }
        let items = questions.map { tokenize($0, delimiter: delimiter, encode: encode) }
        let ll = try model.choiceLogLikelihoods(items)
        var right = 0, rightNorm = 0, correctLL = 0.0
        for (q, l) in zip(questions, ll) {
            if argmax(l) == q.answer { right += 1 }
            let norm = zip(l, q.choices).map { $0 / Double(max(1, $1.unicodeScalars.count)) }
            if argmax(norm) == q.answer { rightNorm += 1 }
            correctLL += l[q.answer]
        }
        let n = questions.count
        let acc = n > 0 ? Double(right) / Double(n) : 0
        return (ChoiceResult(set: set, questions: n, acc: acc, accStderr: n > 1 ? (acc * (1 - acc) / Double(n - 1)).squareRoot() : 0,
                             accNorm: n > 0 ? Double(rightNorm) / Double(n) : 0, meanCorrectLoglik: n > 0 ? correctLL / Double(n) : 0), ll)
    }

    static func argmax(_ x: [Double]) -> Int {
        var best = 0
        for i in x.indices where x[i] > x[best] { best = i }
        return best
    }
}
