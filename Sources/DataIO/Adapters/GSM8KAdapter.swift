import Foundation
import Records

/// GSM8K (https://github.com/openai/grade-school-math): `question`, `answer` where the answer
/// is a worked solution ending in `#### N`.
///
/// - user = question; assistant = the full answer with calculator annotations `<<48/2=24>>`
///   removed (they are tool-use artefacts of the original data collection, not reasoning text;
///   `keep_calculator_annotations: true` keeps them).
/// - reference (.answer) = the text after the last `answer_marker` (default `####`), commas
///   removed (`1,000` → `1000`); or the `reference` field when mapped (e.g. `ground_truth_answer`).
public struct GSM8KAdapter: RecordAdapter {
    public static let name = "gsm8k"
    public static let defaultDomain = Domain.math
    public static let fieldSpecs = [
        FieldSpec("question", "question", required: true, "the problem text (user turn)"),
        FieldSpec("answer", "answer", required: true, "worked solution ending in '#### N' (assistant turn)"),
        FieldSpec("reference", nil, required: false, "final answer field; overrides the '####' marker"),
        FieldSpec("id", "id", required: false, "record id"),
    ]
    public static let optionKeys = ["keep_calculator_annotations", "answer_marker", "include_answer"]

    let ctx: AdapterContext
    let keepAnnotations: Bool
    let marker: String
    let includeAnswer: Bool

    public init(config: AdapterConfig) throws {
        ctx = try Self.context(config)
        keepAnnotations = try ctx.bool("keep_calculator_annotations", default: false)
        marker = try ctx.string("answer_marker", default: "####") ?? "####"
        includeAnswer = try ctx.bool("include_answer", default: true)
    }

    public func record(from row: JSONValue, index: Int, location: SourceLocation) throws -> Record {
        var r = try ctx.row(row, index: index, location: location)
        let q = try r.string("question")
        let a = try r.string("answer")
        let ref: String
        if r.path("reference") != nil {
            guard let v = try r.optionalAnswer("reference") else { throw r.error("reference", "is missing") }
            ref = AnswerText.trimmed(String(v.unicodeScalars.filter { $0 != "," }))
        } else {
            guard let v = AnswerText.afterMarker(a, marker: marker), !v.isEmpty else {
                throw r.error("answer", "has no '\(marker) <answer>' line",
                              hint: "set options.answer_marker or map fields.reference")
            }
            ref = v
        }
        var msgs = [Message(role: .user, content: q)]
        if includeAnswer {
            msgs.append(Message(role: .assistant, content: keepAnnotations ? a : AnswerText.removeCalculatorAnnotations(a)))
        }
        return try ctx.finish(&r, index: index, messages: msgs, reference: .answer(ref))
    }
}
