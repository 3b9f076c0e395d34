import Records

/// Order-preserving JSON form of `Record`, with exactly the keys of its `Codable` encoding
/// (see schemas/records.md). Foundation's coders lose object key order and turn `7.0` into
/// `7` inside `JSONValue`s; this form does neither, so `decode(encode(r)) == r` exactly.
public enum RecordJSON {
    /// `{"id","source","domain","messages","tools","reference"?,"metadata"}`.
    public static func encode(_ r: Record) -> JSONValue {
        var o = JSONObject()
        o["id"] = .string(r.id)
        o["source"] = .string(r.source)
        o["domain"] = .string(r.domain.rawValue)
        o["messages"] = .array(r.messages.map(encode))
        o["tools"] = .array(r.tools)
        if let ref = r.reference { o["reference"] = encode(ref) }
        o["metadata"] = .object(r.metadata)
        return .object(o)
    }

    public static func encode(_ m: Message) -> JSONValue {
        var o = JSONObject()
        o["role"] = .string(m.role.rawValue)
        o["content"] = .string(m.content)
        if let r = m.reasoning { o["reasoning"] = .string(r) }
        o["tool_calls"] = .array(m.toolCalls.map(encode))
        if let id = m.toolCallID { o["tool_call_id"] = .string(id) }
        if let n = m.name { o["name"] = .string(n) }
        return .object(o)
    }

    public static func encode(_ c: ToolCall) -> JSONValue {
        var o = JSONObject()
        if let id = c.id { o["id"] = .string(id) }
        o["name"] = .string(c.name)
        o["arguments"] = c.arguments
        return .object(o)
    }

    public static func encode(_ ref: Reference) -> JSONValue {
        var o = JSONObject()
        o["kind"] = .string(ref.kind.rawValue)
        if let a = ref.answer { o["answer"] = .string(a) }
        if let c = ref.choice { o["choice"] = .string(c) }
        if let opts = ref.options {
            o["options"] = .array(opts.map { .object(JSONObject([("key", .string($0.key)), ("text", .string($0.text))])) })
        }
        if let calls = ref.toolCalls { o["tool_calls"] = .array(calls.map(encode)) }
        return .object(o)
    }

    /// Compact one-line JSON text of a record.
    public static func line(_ r: Record) -> String { JSONWriter().string(encode(r)) }

    /// Reads the form written by `encode` (or by `JSONEncoder`); `location` names the input in errors.
    public static func decode(_ v: JSONValue, at location: SourceLocation) throws -> Record {
        func fail(_ field: String, _ why: String) -> DataIOError {
            var l = location
            l.field = field
            return DataIOError("record JSON: \(field) \(why)", at: l)
        }
        func str(_ o: JSONValue, _ k: String, _ path: String) throws -> String {
            guard let s = o[k]?.stringValue else { throw fail(path, "must be a string") }
            return s
        }
        func optStr(_ o: JSONValue, _ k: String, _ path: String) throws -> String? {
            guard let x = o[k], !x.isNull else { return nil }
            guard let s = x.stringValue else { throw fail(path, "must be a string") }
            return s
        }
        func call(_ c: JSONValue, _ path: String) throws -> ToolCall {
            ToolCall(id: try optStr(c, "id", path + ".id"), name: try str(c, "name", path + ".name"),
                     arguments: c["arguments"] ?? .object(JSONObject()))
        }
        guard case .object = v else { throw fail("record", "must be an object") }
        guard let domain = Domain(rawValue: try str(v, "domain", "domain")) else { throw fail("domain", "is not a known domain") }
        var msgs: [Message] = []
        for (i, m) in (v["messages"]?.arrayValue ?? []).enumerated() {
            let p = "messages.\(i)"
            guard let role = Role(rawValue: try str(m, "role", p + ".role")) else { throw fail(p + ".role", "is not a known role") }
            var calls: [ToolCall] = []
            for (k, c) in (m["tool_calls"]?.arrayValue ?? []).enumerated() { calls.append(try call(c, "\(p).tool_calls.\(k)")) }
            msgs.append(Message(role: role, content: try optStr(m, "content", p + ".content") ?? "",
                                reasoning: try optStr(m, "reasoning", p + ".reasoning"), toolCalls: calls,
                                toolCallID: try optStr(m, "tool_call_id", p + ".tool_call_id"), name: try optStr(m, "name", p + ".name")))
        }
        var ref: Reference?
        if let rv = v["reference"], !rv.isNull {
            guard let kind = Reference.Kind(rawValue: try str(rv, "kind", "reference.kind")) else { throw fail("reference.kind", "is unknown") }
            var opts: [Reference.Option]?
            if let ov = rv["options"]?.arrayValue {
                opts = try ov.enumerated().map { i, o in
                    Reference.Option(key: try str(o, "key", "reference.options.\(i).key"), text: try str(o, "text", "reference.options.\(i).text"))
                }
            }
            var calls: [ToolCall]?
            if let cv = rv["tool_calls"]?.arrayValue { calls = try cv.enumerated().map { try call($1, "reference.tool_calls.\($0)") } }
            ref = Reference(kind: kind, answer: try optStr(rv, "answer", "reference.answer"), choice: try optStr(rv, "choice", "reference.choice"),
                            options: opts, toolCalls: calls)
        }
        return Record(id: try str(v, "id", "id"), source: try str(v, "source", "source"), domain: domain, messages: msgs,
                      tools: v["tools"]?.arrayValue ?? [], reference: ref, metadata: v["metadata"]?.objectValue ?? JSONObject())
    }
}
