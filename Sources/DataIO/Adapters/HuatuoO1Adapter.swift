import Records

/// HuatuoGPT-o1 SFT layout (https://github.com/FreedomIntelligence/HuatuoGPT-o1):
/// `Question`, `Complex_CoT`, `Response`.
///
/// - user = Question; assistant content = Response, `reasoning` = Complex_CoT (kept apart so a
///   chat template can render it as `<think>`; `reasoning_in_content: true` instead writes
///   "<CoT>\n\n<Response>" as the content).
/// - reference (.answer) = `reference` (default `Ground-True Answer`) when the row has it.
public struct HuatuoO1Adapter: RecordAdapter {
    public static let name = "huatuo_o1"
    public static let defaultDomain = Domain.medical
    public static let fieldSpecs = [
        FieldSpec("question", "Question", required: true, "question (user turn)"),
        FieldSpec("reasoning", "Complex_CoT", required: false, "chain of thought"),
        FieldSpec("response", "Response", required: true, "final response (assistant content)"),
        FieldSpec("reference", "Ground-True Answer", required: false, "verifiable answer"),
        FieldSpec("id", "id", required: false, "record id"),
    ]
    public static let optionKeys = ["reasoning_in_content"]

    let ctx: AdapterContext
    let inline: Bool

    public init(config: AdapterConfig) throws {
        ctx = try Self.context(config)
        inline = try ctx.bool("reasoning_in_content", default: false)
    }

    public func record(from row: JSONValue, index: Int, location: SourceLocation) throws -> Record {
        var r = try ctx.row(row, index: index, location: location)
        let q = try r.string("question")
        let cot = try r.optionalString("reasoning")
        let resp = try r.string("response")
        let ref = try r.optionalAnswer("reference")
        let a: Message
        if inline, let cot { a = Message(role: .assistant, content: cot + "\n\n" + resp) } else {
            a = Message(role: .assistant, content: resp, reasoning: cot)
        }
        return try ctx.finish(&r, index: index, messages: [Message(role: .user, content: q), a], reference: ref.map { .answer($0) })
    }
}
