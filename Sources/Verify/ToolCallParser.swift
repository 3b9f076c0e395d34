import Foundation
import Records

/// An expected call from a BFCL ground truth: each argument maps to its allowed values
/// (`""` among them = the argument may be omitted).
public struct ExpectedCall: Sendable, Equatable {
    public var name: String
    public var arguments: [(key: String, allowed: [JSONValue])]

    public init(name: String, arguments: [(key: String, allowed: [JSONValue])]) {
        self.name = name
        self.arguments = arguments
    }

    public static func == (a: ExpectedCall, b: ExpectedCall) -> Bool {
        a.name == b.name && a.arguments.count == b.arguments.count
            && zip(a.arguments, b.arguments).allSatisfy { $0.key == $1.key && $0.allowed == $1.allowed }
    }

    func allowed(_ key: String) -> [JSONValue]? { arguments.first(where: { $0.key == key })?.allowed }
}

/// Reads assistant tool calls from the forms models and datasets use:
/// Qwen / Hermes `<tool_call>{"name":…, "arguments":{…}}</tool_call>` blocks, OpenAI
/// `tool_calls` lists (`{function:{name, arguments: "json"}}`), `{name, arguments}` lists,
/// and BFCL Python call strings `[func(a=1, b="x"), mod.g(c=[1, 2])]`.
public enum ToolCallParser {
    /// Calls from a JSON value: a string (text with tags, a JSON list, or Python calls) or a list.
    public static func calls(from v: JSONValue) throws -> [ToolCall] {
        switch v {
        case .string(let s): return try calls(fromText: s)
        case .array(let items): return try items.map(call(from:))
        case .object: return [try call(from: v)]
        default: throw VerifyError("tool calls must be text or a list, got \(v.typeName)")
        }
    }

    /// Calls from model text. Plain prose with no call in it ("I don't need a tool.")
    /// gives `[]`; text that attempts a call (a `<tool_call>` block, a JSON object/list, a
    /// Python call `f(…)` / `[f(…)]`) but cannot be parsed throws, with the detail.
    public static func calls(fromText s: String) throws -> [ToolCall] {
        if s.contains("<tool_call>") {
            var out: [ToolCall] = []
            var rest = Substring(s)
            while let open = rest.range(of: "<tool_call>") {
                let after = rest[open.upperBound...]
                let close = after.range(of: "</tool_call>")
                let body = close.map { after[..<$0.lowerBound] } ?? after
                do {
                    let json = try JSONParser.parse(String(body).trimmingCharacters(in: .whitespacesAndNewlines))
                    out.append(try call(from: json))
                } catch {
                    throw VerifyError("<tool_call> block \(out.count): \(error)")
                }
                rest = close.map { after[$0.upperBound...] } ?? ""
            }
            return out
        }
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty { return [] }
        if t.hasPrefix("{") || (t.hasPrefix("[") && (t.dropFirst().first == "{" || t.dropFirst().first == "]")) {
            if let j = try? JSONParser.parse(t) { return try calls(from: j) }
        }
        do {
            return try pythonCalls(t)
        } catch {
            if looksLikeCall(t) { throw error }
            return []  // prose: no tool call
        }
    }

    /// True when text starts like an attempted call: `[`, `{`, or a (dotted) identifier
    /// directly followed by `(` (`f(`, `math.sqrt(`; not prose like "Sure (no tool)").
    public static func looksLikeCall(_ t: String) -> Bool {
        let u = Array(t.utf8)
        guard let first = u.first else { return false }
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") { return true }
        var i = 0
        while i < u.count, LatexText.isLetter(u[i]) || LatexText.isDigit(u[i]) || u[i] == UInt8(ascii: "_") || u[i] == UInt8(ascii: ".") { i += 1 }
        return i > 0 && i < u.count && u[i] == UInt8(ascii: "(")
    }

    /// One call from `{name, arguments}`, OpenAI `{function:{name, arguments}}`, or BFCL `{name: {args}}`.
    public static func call(from v: JSONValue) throws -> ToolCall {
        guard case .object(let o) = v else { throw VerifyError("a tool call must be an object, got \(v.typeName)") }
        let f = o["function"] ?? v
        if let name = f["name"]?.stringValue {
            var args = f["arguments"] ?? f["parameters"] ?? .object(JSONObject())
            if case .string(let s) = args {
                do { args = try JSONParser.parse(s.isEmpty ? "{}" : s) } catch {
                    throw VerifyError("arguments of \(name) are not valid JSON: \(error)")
                }
            }
            return ToolCall(id: o["id"]?.stringValue, name: name, arguments: args)
        }
        if o.count == 1, let e = o.entries.first, case .object = e.value {
            return ToolCall(name: e.key, arguments: e.value)
        }
        throw VerifyError("tool call has no 'name'")
    }

    /// A BFCL ground truth `[{func: {arg: [allowed…]}}]`.
    public static func groundTruth(_ v: JSONValue) throws -> [ExpectedCall] {
        guard case .array(let items) = v else { throw VerifyError("ground truth must be a list") }
        return try items.map { item in
            guard case .object(let o) = item, o.count == 1, let e = o.entries.first, case .object(let args) = e.value else {
                throw VerifyError("ground truth entries must be {function_name: {argument: [allowed values]}}")
            }
            return ExpectedCall(name: e.key, arguments: args.entries.map { a in
                (a.key, a.value.arrayValue ?? [a.value])
            })
        }
    }

    /// Maps positional arguments ("#0", "#1", … from `pythonCalls`) onto the declared
    /// parameter order of the called function (unknown functions are left as they are).
    public static func resolvePositional(_ call: ToolCall, functions: [FunctionSchema]) -> ToolCall {
        guard case .object(let args) = call.arguments, args.keys.contains(where: { $0.hasPrefix("#") }),
              let f = functions.first(where: { $0.name == call.name }) else { return call }
        let names = f.properties.keys
        var out = JSONObject()
        for e in args.entries {
            if e.key.hasPrefix("#"), let k = Int(e.key.dropFirst()), k < names.count { out[names[k]] = e.value } else { out[e.key] = e.value }
        }
        var c = call
        c.arguments = .object(out)
        return c
    }

    /// Parses Python call syntax `[f(a=1), g.h(b='x', c=[1, 2.5], d={'k': True})]` (brackets
    /// optional). Values: numbers, strings, True/False/None, lists, tuples (as lists), dicts;
    /// anything else (a variable, an expression) becomes its source text as a string, as
    /// BFCL's decoder does for unparseable values.
    public static func pythonCalls(_ s: String) throws -> [ToolCall] {
        var p = PythonCallParser(u: Array(s.utf8))
        return try p.parseCalls()
    }
}

struct PythonCallParser {
    let u: [UInt8]
    var i = 0

    init(u: [UInt8]) { self.u = u }

    func error(_ msg: String) -> VerifyError {
        VerifyError("cannot parse tool call at byte \(i): \(msg)", hint: "expected [func(arg=value, ...)]")
    }

    mutating func ws() { while i < u.count, LatexText.isSpace(u[i]) { i += 1 } }

    mutating func parseCalls() throws -> [ToolCall] {
        ws()
        var bracketed = false
        if i < u.count, u[i] == UInt8(ascii: "[") { bracketed = true; i += 1 }
        var calls: [ToolCall] = []
        while true {
            ws()
            if i >= u.count { break }
            if bracketed, u[i] == UInt8(ascii: "]") { i += 1; break }
            calls.append(try parseCall())
            ws()
            if i < u.count, u[i] == UInt8(ascii: ",") { i += 1 }
        }
        ws()
        guard i == u.count else { throw error("trailing text") }
        return calls
    }

    mutating func identifier() -> String? {
        let start = i
        while i < u.count, LatexText.isLetter(u[i]) || LatexText.isDigit(u[i]) || u[i] == UInt8(ascii: "_") || u[i] == UInt8(ascii: ".") || u[i] >= 128 { i += 1 }
        return i > start ? String(decoding: u[start..<i], as: UTF8.self) : nil
    }

    mutating func parseCall() throws -> ToolCall {
        guard let name = identifier() else { throw error("expected a function name") }
        ws()
        guard i < u.count, u[i] == UInt8(ascii: "(") else { throw error("expected '(' after \(name)") }
        i += 1
        var args = JSONObject()
        var positional = 0
        while true {
            ws()
            guard i < u.count else { throw error("unterminated call \(name)(") }
            if u[i] == UInt8(ascii: ")") { i += 1; break }
            // keyword argument `name=value`, or a positional one (stored as "#0", "#1", …
            // and mapped onto the declared parameter order by `ToolCallParser.resolvePositional`)
            let save = i
            if let key = identifier() {
                ws()
                if i < u.count, u[i] == UInt8(ascii: "="), !(i + 1 < u.count && u[i + 1] == UInt8(ascii: "=")) {
                    i += 1
                    args[key] = try value()
                    ws()
                    if i < u.count, u[i] == UInt8(ascii: ",") { i += 1 }
                    continue
                }
            }
            i = save
            args["#\(positional)"] = try value()
            positional += 1
            ws()
            if i < u.count, u[i] == UInt8(ascii: ",") { i += 1 }
        }
        return ToolCall(name: name, arguments: .object(args))
    }

    mutating func value() throws -> JSONValue {
        ws()
        guard i < u.count else { throw error("expected a value") }
        let c = u[i]
        if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") { return .string(try string()) }
        if c == UInt8(ascii: "[") || c == UInt8(ascii: "(") {
            let close = c == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: ")")
            i += 1
            var items: [JSONValue] = []
            while true {
                ws()
                guard i < u.count else { throw error("unterminated list") }
                if u[i] == close { i += 1; break }
                items.append(try value())
                ws()
                if i < u.count, u[i] == UInt8(ascii: ",") { i += 1 }
            }
            return .array(items)
        }
        if c == UInt8(ascii: "{") {
            i += 1
            var o = JSONObject()
            while true {
                ws()
                guard i < u.count else { throw error("unterminated dict") }
                if u[i] == UInt8(ascii: "}") { i += 1; break }
                let k = try value()
                ws()
                guard i < u.count, u[i] == UInt8(ascii: ":") else { throw error("expected ':' in dict") }
                i += 1
                let key: String
                switch k {
                case .string(let s): key = s
                default: key = "\(k)"
                }
                o[key] = try value()
                ws()
                if i < u.count, u[i] == UInt8(ascii: ",") { i += 1 }
            }
            return .object(o)
        }
        // number, keyword, or bare expression up to the next top-level ',' / ')' / ']' / '}'
        let start = i
        var depth = 0
        while i < u.count {
            let d = u[i]
            if d == UInt8(ascii: "(") || d == UInt8(ascii: "[") || d == UInt8(ascii: "{") { depth += 1 }
            else if d == UInt8(ascii: ")") || d == UInt8(ascii: "]") || d == UInt8(ascii: "}") {
                if depth == 0 { break }
                depth -= 1
            } else if d == UInt8(ascii: ","), depth == 0 { break }
            else if d == UInt8(ascii: "'") || d == UInt8(ascii: "\"") { _ = try string(); continue }
            i += 1
        }
        let text = String(decoding: u[start..<i], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        switch text {
        case "True", "true": return .bool(true)
        case "False", "false": return .bool(false)
        case "None", "null": return .null
        default: break
        }
        if let n = Int64(text) { return .int(n) }
        if let d = Double(text), text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return .double(d) }
        guard !text.isEmpty else { throw error("empty value") }
        return .string(text)
    }

    mutating func string() throws -> String {
        let q = u[i]
        var triple = false
        if i + 2 < u.count, u[i + 1] == q, u[i + 2] == q { triple = true; i += 3 } else { i += 1 }
        var out: [UInt8] = []
        while i < u.count {
            let c = u[i]
            if c == UInt8(ascii: "\\"), i + 1 < u.count {
                let n = u[i + 1]
                switch n {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(n)
                default: out.append(c); out.append(n)
                }
                i += 2
                continue
            }
            if c == q {
                if !triple { i += 1; return String(decoding: out, as: UTF8.self) }
                if i + 2 < u.count, u[i + 1] == q, u[i + 2] == q { i += 3; return String(decoding: out, as: UTF8.self) }
            }
            out.append(c)
            i += 1
        }
        throw error("unterminated string")
    }
}
