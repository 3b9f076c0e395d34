import Foundation
import Records

/// PubMedQA (https://github.com/pubmedqa/pubmedqa) PQA-L rows: `QUESTION`, `CONTEXTS` (list of
/// abstract sections), `LONG_ANSWER`, `final_decision` (yes / no / maybe).
///
/// - user = `prompt_template` with `{contexts}` (sections joined by blank lines) and `{question}`.
/// - assistant = `{long_answer}\n\nThe answer is {decision}.` (`include_long_answer: false`
///   drops the long answer; `answer_template` overrides the whole text).
/// - reference = .choice, key = the decision, options yes / no / maybe.
public struct PubMedQAAdapter: RecordAdapter {
    public static let name = "pubmedqa"
    public static let defaultDomain = Domain.medical
    public static let fieldSpecs = [
        FieldSpec("question", "QUESTION", required: true, "question"),
        FieldSpec("contexts", "CONTEXTS", required: true, "abstract sections: list of strings or a string"),
        FieldSpec("long_answer", "LONG_ANSWER", required: false, "conclusion text"),
        FieldSpec("decision", "final_decision", required: true, "yes, no or maybe"),
        FieldSpec("id", "pubid", required: false, "record id"),
    ]
    public static let optionKeys = ["prompt_template", "answer_template", "include_long_answer", "include_answer"]

    let ctx: AdapterContext
    let promptTemplate: String
    let answerTemplate: String?
    let includeLong: Bool
    let includeAnswer: Bool

    public init(config: AdapterConfig) throws {
        ctx = try Self.context(config)
        promptTemplate = try ctx.string("prompt_template",
            default: "Context:\n{contexts}\n\nQuestion: {question}\nAnswer yes, no, or maybe.")!
        answerTemplate = try ctx.string("answer_template", default: nil)
        includeLong = try ctx.bool("include_long_answer", default: true)
        includeAnswer = try ctx.bool("include_answer", default: true)
    }

    static let choices = ["yes", "no", "maybe"]

    public func record(from row: JSONValue, index: Int, location: SourceLocation) throws -> Record {
        var r = try ctx.row(row, index: index, location: location)
        let q = try r.string("question")
        guard let contexts = try r.optionalText("contexts", separator: "\n\n") else { throw r.error("contexts", "is missing") }
        let long = try r.optionalString("long_answer")
        let d = try r.string("decision").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard Self.choices.contains(d) else { throw r.error("decision", "must be yes, no or maybe, got '\(d)'") }
        var msgs = [Message(role: .user, content: fill(promptTemplate, ["contexts": contexts, "question": q]))]
        if includeAnswer {
            let text: String
            if let t = answerTemplate {
                text = fill(t, ["long_answer": long ?? "", "decision": d])
            } else if includeLong, let long, !long.isEmpty {
                text = "\(long)\n\nThe answer is \(d)."
            } else {
                text = "The answer is \(d)."
            }
            msgs.append(Message(role: .assistant, content: text))
        }
        let ref = Reference(kind: .choice, choice: d, options: Self.choices.map { .init(key: $0, text: $0) })
        return try ctx.finish(&r, index: index, messages: msgs, reference: ref)
    }
}
