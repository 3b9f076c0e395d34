import Foundation
import Records

/// Shared parsing of chat layouts: roles, content parts, tool calls and tool schemas.
public enum ChatParsing {
    /// Maps role names used by OpenAI, ShareGPT and others onto `Role`.
    public static func role(_ name: String) -> Role? {
        switch name.lowercased() {
        case "system", "developer": return .system
        case "user", "human": return .user
        case "assistant", "gpt", "model", "bot": return .assistant
        case "tool", "function", "observation", "ipython": return .tool
        default: return nil
        }
    }

    /// `[{role, content}]` with string contents only (MATH / NuminaMath `messages`).
    static func plainMessages(_ v: JSONValue, field: String, row: RowFields) throws -> [Message] {
        guard case .array(let a) = v else { throw row.error(field, "must be a list of messages, got \(v.typeName)") }
        var out: [Message] = []
        for (i, m) in a.enumerated() {
            guard let rn = m["role"]?.stringValue, let role = role(rn) else {
                throw row.error(field, "message \(i) has no known role (got \(m["role"].map { "\($0)" } ?? "none"))")
            }
            let content: String
            switch m["content"] {
            case .string(let s)?: content = s
            case .null?, nil: content = ""
            case let c?: throw row.error(field, "message \(i) content must be a string, got \(c.typeName)")
            }
            out.append(Message(role: role, content: content))
        }
        return out
    }

    /// Parses a JSON string argument blob into a value, keeping key order. Objects and arrays
    /// pass through. With `lenient`, unparsable strings are kept as `.string`.
    static func arguments(_ v: JSONValue?, lenient: Bool, row: RowFields, field: String, what: String) throws -> JSONValue {
        switch v {
        case nil, .null?: return .object(JSONObject())
        case .string(let s)?:
            let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            if t.isEmpty { return .object(JSONObject()) }
            do { return try JSONParser.parse(t) } catch {
                if lenient { return .string(s) }
                throw row.error(field, "\(what): arguments are not valid JSON (\(error))",
                                hint: "set options.invalid_arguments: string to keep them as text")
            }
        case let x?: return x
        }
    }

    /// A `{"name": ..., "arguments": ...}` call (ShareGPT function_call values, reason_tool_use parts).
    static func call(_ v: JSONValue, lenient: Bool, row: RowFields, field: String, what: String) throws -> ToolCall {
        var obj = v
        if case .string(let s) = v {
            do { obj = try JSONParser.parse(s) } catch {
                throw row.error(field, "\(what): tool call is not valid JSON (\(error))")
            }
        }
        // OpenAI form nested under "function".
        if let f = obj["function"], case .object = f {
            guard let name = f["name"]?.stringValue else { throw row.error(field, "\(what): tool call has no function name") }
            return ToolCall(id: obj["id"]?.stringValue, name: name,
                            arguments: try arguments(f["arguments"], lenient: lenient, row: row, field: field, what: what))
        }
        guard let name = obj["name"]?.stringValue else { throw row.error(field, "\(what): tool call has no 'name'") }
        return ToolCall(id: obj["id"]?.stringValue, name: name,
                        arguments: try arguments(obj["arguments"] ?? obj["parameters"], lenient: lenient, row: row, field: field, what: what))
    }

    /// Tool schemas from a list or a JSON string holding a list; each becomes OpenAI form
    /// `{type: function, function: {name, description, parameters}}`. A JSON-string
    /// `parameters` is parsed. With `openAPITypes`, BFCL/Gorilla type names in the parameter
    /// schema are mapped to JSON-Schema ones (see `schemaType`).
    static func tools(_ v: JSONValue?, row: RowFields, field: String, openAPITypes: Bool) throws -> [JSONValue] {
        guard var v else { return [] }
        if case .string(let s) = v {
            if s.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
            do { v = try JSONParser.parse(s) } catch { throw row.error(field, "is a string but not valid JSON (\(error))") }
        }
        if case .object = v { v = .array([v]) }
        guard case .array(let list) = v else { throw row.error(field, "must be a list of tool schemas, got \(v.typeName)") }
        return try list.enumerated().map { i, t in
            guard case .object(let o) = t else { throw row.error(field, "tool \(i) must be an object, got \(t.typeName)") }
            var fn: JSONObject
            if let f = o["function"], case .object(let fo) = f { fn = fo } else { fn = o }
            guard fn["name"]?.stringValue != nil else { throw row.error(field, "tool \(i) has no 'name'") }
            if case .string(let ps)? = fn["parameters"] {
                do { fn["parameters"] = try JSONParser.parse(ps) } catch {
                    throw row.error(field, "tool \(i) parameters are a string but not valid JSON (\(error))")
                }
            }
            if openAPITypes, let p = fn["parameters"] { fn["parameters"] = normaliseSchema(p) }
            return .object(JSONObject([("type", .string("function")), ("function", .object(fn))]))
        }
    }

    /// BFCL / Gorilla type names → JSON Schema (OpenAPI) types, as BFCL's own
    /// `GORILLA_TO_OPENAPI` table does (https://github.com/ShishirPatil/gorilla, bfcl_eval/constants).
    static let schemaTypes: [String: String] = [
        "integer": "integer", "number": "number", "float": "number", "string": "string", "boolean": "boolean",
        "bool": "boolean", "array": "array", "list": "array", "dict": "object", "object": "object", "tuple": "array",
        "any": "string", "byte": "integer", "short": "integer", "long": "integer", "double": "number", "char": "string",
        "ArrayList": "array", "Array": "array", "HashMap": "object", "Hashtable": "object", "Queue": "array",
        "Stack": "array", "Any": "string", "String": "string", "Bigint": "integer",
    ]

    /// Rewrites `type` in a JSON-Schema node and its `properties` / `items` / `additionalProperties`.
    static func normaliseSchema(_ v: JSONValue) -> JSONValue {
        guard case .object(var o) = v else { return v }
        if case .string(let t)? = o["type"], let m = schemaTypes[t] { o["type"] = .string(m) }
        if case .object(var props)? = o["properties"] {
            for k in props.entries.indices { props.entries[k].value = normaliseSchema(props.entries[k].value) }
            o["properties"] = .object(props)
        }
        if let items = o["items"] { o["items"] = normaliseSchema(items) }
        if case .object? = o["additionalProperties"], let ap = o["additionalProperties"] { o["additionalProperties"] = normaliseSchema(ap) }
        return .object(o)
    }
}
