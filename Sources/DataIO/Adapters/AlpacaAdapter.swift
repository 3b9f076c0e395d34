import Records

/// Alpaca layout (https://github.com/tatsu-lab/stanford_alpaca, LLaMA-Factory's `alpaca`
/// format): `instruction`, `input`, `output`, optional `system` and `history`
/// (`[[user, assistant], ...]` turns before this one).
///
/// - user = instruction, then input on the next line when non-empty (LLaMA-Factory joins them with "\n").
/// - assistant = output. No reference (general data).
public struct AlpacaAdapter: RecordAdapter {
    public static let name = "alpaca"
    public static let defaultDomain = Domain.general
    public static let fieldSpecs = [
        FieldSpec("instruction", "instruction", required: true, "instruction"),
        FieldSpec("input", "input", required: false, "optional input appended to the instruction"),
        FieldSpec("output", "output", required: true, "response"),
        FieldSpec("system", "system", required: false, "system prompt"),
        FieldSpec("history", "history", required: false, "earlier turns [[user, assistant], ...]"),
        FieldSpec("reference", nil, required: false, "final answer, if the data has one"),
        FieldSpec("id", "id", required: false, "record id"),
    ]
    public static let optionKeys = ["input_separator"]

    let ctx: AdapterContext
    let sep: String

    public init(config: AdapterConfig) throws {
        ctx = try Self.context(config)
        sep = try ctx.string("input_separator", default: "\n")!
    }

    public func record(from row: JSONValue, index: Int, location: SourceLocation) throws -> Record {
        var r = try ctx.row(row, index: index, location: location)
        var msgs: [Message] = []
        if let s = try r.optionalString("system"), !s.isEmpty { msgs.append(Message(role: .system, content: s)) }
        if let h = r.raw("history") {
            guard case .array(let turns) = h else { throw r.error("history", "must be a list of [user, assistant] pairs") }
            for (i, t) in turns.enumerated() {
                guard case .array(let pair) = t, pair.count == 2, let u = pair[0].stringValue, let a = pair[1].stringValue else {
                    throw r.error("history", "turn \(i) must be a [user, assistant] pair of strings")
                }
                msgs.append(Message(role: .user, content: u))
                msgs.append(Message(role: .assistant, content: a))
            }
        }
        var user = try r.string("instruction")
        if let inp = try r.optionalString("input"), !inp.isEmpty { user += sep + inp }
        msgs.append(Message(role: .user, content: user))
        msgs.append(Message(role: .assistant, content: try r.string("output")))
        let ref = try r.optionalAnswer("reference")
        return try ctx.finish(&r, index: index, messages: msgs, reference: ref.map { .answer($0) })
    }
}
