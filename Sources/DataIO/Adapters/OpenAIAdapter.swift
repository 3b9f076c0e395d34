import Records

/// OpenAI chat layout: `messages` [{role, content, tool_calls, tool_call_id, name}] + `tools`.
///
/// - `content` may be a string, null, or a list of parts: `{type: text, text|value}`,
///   `{type: reasoning|thinking, text|value}` (→ `Message.reasoning`), `{type: tool_call, value}`
///   (a `{"name","arguments"}` call, the LLaMA-Factory reason_tool_use layout). Text parts are
///   joined with "\n". Other part types (images, audio) are an error.
/// - `reasoning_content` / `reasoning` string members → `Message.reasoning`.
/// - `tool_calls[].function.arguments` JSON strings are parsed into ordered `JSONValue`s
///   (`invalid_arguments: string` keeps unparsable ones as text instead of failing).
///   The legacy single `function_call` member is accepted too.
/// - `tools` may be a list or a JSON string; bare `{name, description, parameters}` entries are
///   wrapped as `{type: function, function: ...}`; Gorilla type names (`dict`, `float`) are
///   mapped to JSON Schema unless `schema_types: keep`.
/// - No reference unless `reference: last_tool_calls`, which uses the last assistant turn's
///   tool calls as a .toolCalls reference (arguments as plain values).
public struct OpenAIAdapter: RecordAdapter {
    public static let name = "openai"
    public static let defaultDomain = Domain.agent
    public static let fieldSpecs = [
        FieldSpec("messages", "messages", required: true, "list of chat messages"),
        FieldSpec("tools", "tools", required: false, "tool schemas (list or JSON string)"),
        FieldSpec("system", "system", required: false, "system prompt (if not in messages)"),
        FieldSpec("id", "id", required: false, "record id"),
    ]
    public static let optionKeys = ["invalid_arguments", "schema_types", "reference"]

    let ctx: AdapterContext
    let lenient: Bool
    let openAPI: Bool
    let refFromCalls: Bool

    public init(config: AdapterConfig) throws {
        ctx = try Self.context(config)
        lenient = try ctx.choice("invalid_arguments", ["error", "string"], default: "error") == "string"
        openAPI = try ctx.choice("schema_types", ["openapi", "keep"], default: "openapi") == "openapi"
        refFromCalls = try ctx.choice("reference", ["none", "last_tool_calls"], default: "none") == "last_tool_calls"
    }

    public func record(from row: JSONValue, index: Int, location: SourceLocation) throws -> Record {
        var r = try ctx.row(row, index: index, location: location)
        let mv = try r.require("messages")
        guard case .array(let list) = mv else { throw r.error("messages", "must be a list, got \(mv.typeName)") }
        var msgs: [Message] = []
        if let s = try r.optionalString("system"), !s.isEmpty { msgs.append(Message(role: .system, content: s)) }
        for (i, m) in list.enumerated() { msgs.append(try message(m, i, r)) }
        let tools = try ChatParsing.tools(r.raw("tools"), row: r, field: "tools", openAPITypes: openAPI)
        var ref: Reference?
        if refFromCalls, let last = msgs.last(where: { $0.role == .assistant }), !last.toolCalls.isEmpty {
            ref = Reference(kind: .toolCalls, toolCalls: last.toolCalls)
        }
        return try ctx.finish(&r, index: index, messages: msgs, tools: tools, reference: ref)
    }

    func message(_ m: JSONValue, _ i: Int, _ r: RowFields) throws -> Message {
        guard case .object(let o) = m else { throw r.error("messages", "message \(i) must be an object, got \(m.typeName)") }
        guard let rn = o["role"]?.stringValue, let role = ChatParsing.role(rn) else {
            throw r.error("messages", "message \(i) has no known role (got \(o["role"].map { "\($0)" } ?? "none"))")
        }
        var msg = Message(role: role, content: "")
        var texts: [String] = [], thoughts: [String] = []
        switch o["content"] {
        case nil, .null?: break
        case .string(let s)?: texts.append(s)
        case .array(let parts)?:
            for (k, p) in parts.enumerated() {
                let type = p["type"]?.stringValue ?? "text"
                let body = p["text"] ?? p["value"] ?? p["content"]
                switch type {
                case "text", "input_text", "output_text":
                    guard let s = body?.stringValue else { throw r.error("messages", "message \(i) part \(k): text part without a string") }
                    texts.append(s)
                case "reasoning", "thinking":
                    guard let s = body?.stringValue else { throw r.error("messages", "message \(i) part \(k): reasoning part without a string") }
                    thoughts.append(s)
                case "tool_call", "function_call":
                    guard let b = body else { throw r.error("messages", "message \(i) part \(k): tool_call part without a value") }
                    msg.toolCalls.append(try ChatParsing.call(b, lenient: lenient, row: r, field: "messages", what: "message \(i) part \(k)"))
                default:
                    throw r.error("messages", "message \(i) part \(k) has unsupported type '\(type)'")
                }
            }
        case let c?:
            throw r.error("messages", "message \(i) content must be a string, list or null, got \(c.typeName)")
        }
        msg.content = texts.joined(separator: "\n")
        for key in ["reasoning_content", "reasoning"] {
            if case .string(let s)? = o[key], !s.isEmpty { thoughts.insert(s, at: 0) }
        }
        if !thoughts.isEmpty { msg.reasoning = thoughts.joined(separator: "\n") }
        if case .array(let calls)? = o["tool_calls"] {
            for (k, c) in calls.enumerated() {
                msg.toolCalls.append(try ChatParsing.call(c, lenient: lenient, row: r, field: "messages", what: "message \(i) tool_call \(k)"))
            }
        } else if let tc = o["tool_calls"], !tc.isNull {
            throw r.error("messages", "message \(i) tool_calls must be a list, got \(tc.typeName)")
        }
        if let fc = o["function_call"], !fc.isNull {
            msg.toolCalls.append(try ChatParsing.call(fc, lenient: lenient, row: r, field: "messages", what: "message \(i) function_call"))
        }
        msg.toolCallID = o["tool_call_id"]?.stringValue
        msg.name = o["name"]?.stringValue
        return msg
    }
}
