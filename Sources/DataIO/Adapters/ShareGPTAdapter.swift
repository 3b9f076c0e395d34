import Records

/// ShareGPT layout as used by LLaMA-Factory (https://github.com/hiyouga/LLaMA-Factory/blob/main/data/README.md):
/// `conversations` [{from, value}], `tools` (JSON string), optional `system`.
///
/// Roles: human/user → user, gpt/assistant → assistant, system → system,
/// `function_call` → an assistant turn whose value is a JSON call `{"name","arguments"}` (or a
/// list of them, for parallel calls) → `Message.toolCalls`; `observation`/`tool` → a tool turn
/// (`name` = the called function when the preceding call turn made exactly one call).
/// Calls get no ids (the source has none). `role_key` / `content_key` options rename `from` / `value`.
public struct ShareGPTAdapter: RecordAdapter {
    public static let name = "sharegpt"
    public static let defaultDomain = Domain.agent
    public static let fieldSpecs = [
        FieldSpec("conversations", "conversations", required: true, "list of {from, value} turns"),
        FieldSpec("tools", "tools", required: false, "tool schemas (JSON string or list)"),
        FieldSpec("system", "system", required: false, "system prompt"),
        FieldSpec("id", "id", required: false, "record id"),
    ]
    public static let optionKeys = ["role_key", "content_key", "invalid_arguments", "schema_types"]

    let ctx: AdapterContext
    let roleKey: String
    let contentKey: String
    let lenient: Bool
    let openAPI: Bool

    public init(config: AdapterConfig) throws {
        ctx = try Self.context(config)
        roleKey = try ctx.string("role_key", default: "from")!
        contentKey = try ctx.string("content_key", default: "value")!
        lenient = try ctx.choice("invalid_arguments", ["error", "string"], default: "error") == "string"
        openAPI = try ctx.choice("schema_types", ["openapi", "keep"], default: "openapi") == "openapi"
    }

    public func record(from row: JSONValue, index: Int, location: SourceLocation) throws -> Record {
        var r = try ctx.row(row, index: index, location: location)
        let cv = try r.require("conversations")
        guard case .array(let turns) = cv else { throw r.error("conversations", "must be a list, got \(cv.typeName)") }
        var msgs: [Message] = []
        if let s = try r.optionalString("system"), !s.isEmpty { msgs.append(Message(role: .system, content: s)) }
        var lastCalls: [ToolCall] = []
        for (i, t) in turns.enumerated() {
            guard let from = t[roleKey]?.stringValue else { throw r.error("conversations", "turn \(i) has no '\(roleKey)' string") }
            guard let value = t[contentKey] else { throw r.error("conversations", "turn \(i) has no '\(contentKey)'") }
            let what = "turn \(i) (\(from))"
            switch from {
            case "function_call":
                var calls: [ToolCall] = []
                var v = value
                if case .string(let s) = value, let parsed = try? JSONParser.parse(s) { v = parsed }
                if case .array(let a) = v {
                    for c in a { calls.append(try ChatParsing.call(c, lenient: lenient, row: r, field: "conversations", what: what)) }
                } else {
                    calls.append(try ChatParsing.call(v, lenient: lenient, row: r, field: "conversations", what: what))
                }
                lastCalls = calls
                msgs.append(Message(role: .assistant, content: "", toolCalls: calls))
            default:
                guard let role = ChatParsing.role(from) else { throw r.error("conversations", "\(what): unknown role '\(from)'") }
                guard let text = RowFields.scalarText(value) ?? (value.isNull ? "" : nil) else {
                    throw r.error("conversations", "\(what): value must be a string, got \(value.typeName)")
                }
                var m = Message(role: role, content: text)
                if role == .tool, lastCalls.count == 1 { m.name = lastCalls[0].name }
                msgs.append(m)
            }
        }
        let tools = try ChatParsing.tools(r.raw("tools"), row: r, field: "tools", openAPITypes: openAPI)
        return try ctx.finish(&r, index: index, messages: msgs, tools: tools, reference: nil)
    }
}
