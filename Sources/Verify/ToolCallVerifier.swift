import Foundation
import Records

/// Verifies assistant tool calls: against the declared functions (the function exists,
/// required arguments are present, no unknown arguments, values fit the JSON schema types
/// and enums) and optionally against expected calls as BFCL's AST checker does
/// (https://github.com/ShishirPatil/gorilla/blob/main/berkeley-function-call-leaderboard/bfcl_eval/eval_checker/ast_eval/ast_checker.py):
/// order-free matching of parallel calls, any allowed value per argument, `""` in the
/// allowed list = the argument may be omitted, strings compared after BFCL's
/// `standardize_string` (drop ` ,./-_*^`, lowercase, `'` → `"`), ints accepted for floats.
public struct ToolCallVerifier: Sendable {
    /// Accept a string where another type is declared (a variable name), as BFCL does.
    public var allowVariables: Bool

    public init(allowVariables: Bool = false) {
        self.allowVariables = allowVariables
    }

    /// Schema check of every call, then (if given) matching against the expected calls.
    public func verify(calls: [ToolCall], functions: [FunctionSchema], expected: [ExpectedCall]? = nil) -> Verdict {
        let calls = calls.map { ToolCallParser.resolvePositional($0, functions: functions) }
        let extracted = calls.map(\.name).joined(separator: ",")
        for (k, call) in calls.enumerated() {
            if let (code, detail) = checkSchema(call, functions: functions) {
                return .fail(code, "call \(k) \(call.name): \(detail)", extracted: extracted)
            }
        }
        guard let expected else {
            if calls.isEmpty { return .fail("no_answer_found", "no tool call in the response") }
            return .pass(extracted)
        }
        if let (code, detail) = match(calls: calls, expected: expected, functions: functions) {
            return .fail(code, detail, extracted: extracted)
        }
        return .pass(extracted)
    }

    /// Parses `response` (text, a list of calls or one call; see `ToolCallParser.calls(from:)`)
    /// and judges it. No call in the response → `no_answer_found` (or passed when `expected`
    /// is empty); an attempted call that cannot be parsed → `malformed_tool_call`.
    public func verify(response: JSONValue, functions: [FunctionSchema], expected: [ExpectedCall]? = nil) -> Verdict {
        let calls: [ToolCall]
        do { calls = try ToolCallParser.calls(from: response) } catch {
            return .fail("malformed_tool_call", "\(error)")
        }
        return verify(calls: calls, functions: functions, expected: expected)
    }

    /// Judges a record: tool calls of the last assistant turn against `record.tools` and
    /// `reference.toolCalls` (each argument a list of allowed values or a plain value).
    public func verify(_ record: Record) -> Verdict {
        guard let msg = record.messages.last(where: { $0.role == .assistant }) else {
            return .fail("no_answer_found", "record has no assistant message")
        }
        let functions: [FunctionSchema]
        do { functions = try ToolSchema.functions(from: .array(record.tools)) } catch {
            return .fail("bad_schema", "\(error)")
        }
        var calls = msg.toolCalls
        if calls.isEmpty {
            do { calls = try ToolCallParser.calls(fromText: msg.content) } catch {
                return .fail("malformed_tool_call", "\(error)")
            }
        }
        let expected = record.reference?.toolCalls.map { refs in
            refs.map { c in
                ExpectedCall(name: c.name, arguments: (c.arguments.objectValue ?? JSONObject()).entries.map { e in
                    (e.key, e.value.arrayValue ?? [e.value])
                })
            }
        }
        return verify(calls: calls, functions: functions, expected: expected)
    }

    /// nil if `call` fits its declaration, else (reason code, detail).
    public func checkSchema(_ call: ToolCall, functions: [FunctionSchema]) -> (String, String)? {
        guard let f = functions.first(where: { $0.name == call.name }) else {
            return ("unknown_function", "\"\(call.name)\" is not declared (declared: \(functions.map(\.name).joined(separator: ", ")))")
        }
        let args: JSONObject
        switch call.arguments {
        case .object(let o): args = o
        case .null: args = JSONObject()
        default: return ("wrong_type", "arguments must be an object, got \(call.arguments.typeName)")
        }
        for r in f.required where args[r] == nil {
            return ("missing_required", "required argument \"\(r)\" is missing")
        }
        let props = f.properties
        for e in args.entries {
            guard let schema = props[e.key] else {
                return ("unknown_argument", "argument \"\(e.key)\" is not declared")
            }
            if let err = ToolSchema.check(e.value, against: schema, path: e.key, allowVariables: allowVariables) { return err }
        }
        return nil
    }

    /// Validates a BFCL ground truth against the declared functions: each function is
    /// declared, required arguments are present, no argument is undeclared, and every
    /// argument has at least one allowed value that fits its schema (`""` = may be omitted;
    /// `null` on an optional argument = its default). Alternatives that do not fit are
    /// listed in `issues` (BFCL's own checker does not look at enums, so its data has a few).
    public func validateGroundTruth(_ expected: [ExpectedCall], functions: [FunctionSchema]) -> Verdict {
        validateGroundTruthDetailed(expected, functions: functions).verdict
    }

    public func validateGroundTruthDetailed(_ expected: [ExpectedCall], functions: [FunctionSchema])
        -> (verdict: Verdict, issues: [String])
    {
        var issues: [String] = []
        for (k, call) in expected.enumerated() {
            guard let f = functions.first(where: { $0.name == call.name }) else {
                return (.fail("unknown_function", "ground truth \(k): \"\(call.name)\" is not declared"), issues)
            }
            for r in f.required where call.allowed(r) == nil {
                return (.fail("missing_required", "ground truth \(k) \(call.name): required argument \"\(r)\" is missing"), issues)
            }
            let props = f.properties
            let required = Set(f.required)
            for a in call.arguments {
                guard let schema = props[a.key] else {
                    // an undeclared argument that may be omitted can still be satisfied
                    if a.allowed.contains(.string("")) {
                        issues.append("ground truth \(k) \(call.name): optional argument \"\(a.key)\" is not declared")
                        continue
                    }
                    return (.fail("unknown_argument", "ground truth \(k) \(call.name): argument \"\(a.key)\" is not declared"), issues)
                }
                var fits = a.allowed.contains(.string("")) && !required.contains(a.key)
                var firstError: (String, String)?
                for v in a.allowed where v != .string("") {
                    if v.isNull, !required.contains(a.key) { fits = true; continue }
                    if let err = ToolSchema.check(ToolCallVerifier.concreteValue(v, schema: schema), against: schema, path: a.key,
                                                  allowVariables: allowVariables, standardizedEnums: true) {
                        firstError = firstError ?? err
                        issues.append("ground truth \(k) \(call.name): \(err.1)")
                    } else {
                        fits = true
                    }
                }
                if !fits, let (code, detail) = firstError {
                    return (.fail(code, "ground truth \(k) \(call.name): \(detail)"), issues)
                }
            }
        }
        return (.pass(expected.map(\.name).joined(separator: ",")), issues)
    }

    /// A ground-truth value with nested allowed lists (BFCL writes dict arguments as
    /// `{"k": [v1, v2]}` and lists of dicts likewise) reduced to one concrete value: the
    /// first allowed alternative at every level.
    public static func concreteValue(_ v: JSONValue, schema: JSONValue?) -> JSONValue {
        let kind = schema?["type"]?.stringValue.flatMap(ToolSchema.kind(of:))
        switch (v, kind) {
        case (.object(let o), .some(.object)), (.object(let o), .some(.any)), (.object(let o), nil):
            var out = JSONObject()
            for e in o.entries {
                let ps = schema?["properties"]?[e.key]
                if case .array(let alts) = e.value, ps?["type"]?.stringValue.flatMap(ToolSchema.kind(of:)) != .array || alts.first?.arrayValue != nil {
                    if let first = alts.first(where: { $0 != .string("") }) { out[e.key] = concreteValue(first, schema: ps) }
                } else {
                    out[e.key] = concreteValue(e.value, schema: ps)
                }
            }
            return .object(out)
        case (.array(let items), .some(.array)):
            return .array(items.map { concreteValue($0, schema: schema?["items"]) })
        default:
            return v
        }
    }

    // MARK: - matching (BFCL AST checker)

    func match(calls: [ToolCall], expected: [ExpectedCall], functions: [FunctionSchema]) -> (String, String)? {
        guard calls.count == expected.count else {
            return ("wrong_count", "expected \(expected.count) call(s), got \(calls.count)")
        }
        var used = [Bool](repeating: false, count: calls.count)
        for (k, exp) in expected.enumerated() {
            var lastError: (String, String) = ("no_match", "no call to \(exp.name)")
            var found = false
            for (j, call) in calls.enumerated() where !used[j] {
                if let err = matchOne(call, exp, function: functions.first(where: { $0.name == exp.name })) {
                    lastError = err
                } else {
                    used[j] = true
                    found = true
                    break
                }
            }
            if !found {
                return (lastError.0, "expected call \(k) \(exp.name) not matched: \(lastError.1)")
            }
        }
        return nil
    }

    func matchOne(_ call: ToolCall, _ exp: ExpectedCall, function: FunctionSchema?) -> (String, String)? {
        guard call.name == exp.name else { return ("wrong_function", "\"\(call.name)\" instead of \"\(exp.name)\"") }
        let args = call.arguments.objectValue ?? JSONObject()
        for e in args.entries {
            guard let allowed = exp.allowed(e.key) else { return ("unknown_argument", "unexpected argument \"\(e.key)\"") }
            var value = e.value
            if case .int(let i) = value, let t = function?.properties[e.key]?["type"]?.stringValue, ToolSchema.kind(of: t) == .number {
                value = .double(Double(i))
            }
            if !allowed.contains(where: { ToolCallVerifier.valueMatches(value, $0) }) {
                return ("wrong_value", "argument \"\(e.key)\" = \(value) is not one of \(JSONValue.array(allowed))")
            }
        }
        for a in exp.arguments where args[a.key] == nil && !a.allowed.contains(.string("")) {
            return ("missing_required", "argument \"\(a.key)\" is missing and not optional")
        }
        return nil
    }

    /// BFCL `standardize_string`: remove ` ,./-_*^`, lowercase, `'` → `"`.
    public static func standardize(_ s: String) -> String {
        String(s.lowercased().unicodeScalars.compactMap { c -> Character? in
            switch c {
            case " ", ",", ".", "/", "-", "_", "*", "^": return nil
            case "'": return "\""
            default: return Character(c)
            }
        })
    }

    /// One value against one allowed value: strings standardised, lists element-wise,
    /// dicts key-wise against nested allowed lists, numbers with 1 == 1.0.
    static func valueMatches(_ v: JSONValue, _ allowed: JSONValue) -> Bool {
        switch (v, allowed) {
        case (.string(let a), .string(let b)): return standardize(a) == standardize(b)
        case (.array(let xs), .array(let ys)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy { valueMatches($0, $1) }
        case (.object(let o), .object(let spec)):
            // spec values are lists of allowed values (BFCL dict_checker)
            for e in o.entries {
                guard let alts = spec[e.key] else { return false }
                let options = alts.arrayValue ?? [alts]
                if !options.contains(where: { valueMatches(e.value, $0) }) { return false }
            }
            for e in spec.entries where o[e.key] == nil {
                let options = e.value.arrayValue ?? [e.value]
                if !options.contains(.string("")) { return false }
            }
            return true
        default:
            return ToolSchema.looseEqual(v, allowed)
        }
    }
}
