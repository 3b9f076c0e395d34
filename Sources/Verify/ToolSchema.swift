import Foundation
import Records

/// A declared function: name and JSON-schema-like `parameters` (OpenAI `{type:function,
/// function:{…}}` or BFCL `{name, description, parameters{type:"dict", properties, required}}`).
public struct FunctionSchema: Sendable, Equatable {
    public var name: String
    /// The `parameters` object schema (`.null` when the function takes none).
    public var parameters: JSONValue

    public init(name: String, parameters: JSONValue) {
        self.name = name
        self.parameters = parameters
    }

    public var properties: JSONObject { parameters["properties"]?.objectValue ?? JSONObject() }
    public var required: [String] { parameters["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
}

/// Parsing of tool declarations and the type rules used to check argument values.
public enum ToolSchema {
    /// Functions from a list (or a JSON string of a list) of OpenAI tools or BFCL functions.
    public static func functions(from v: JSONValue) throws -> [FunctionSchema] {
        var value = v
        if case .string(let s) = v {
            value = try JSONParser.parse(s)
        }
        if case .object = value { value = .array([value]) }
        guard case .array(let items) = value else { throw VerifyError("'tools' must be a list of function schemas") }
        return try items.enumerated().map { k, item in
            let f = item["function"] ?? item
            guard let name = f["name"]?.stringValue else { throw VerifyError("tool \(k) has no name") }
            var params = f["parameters"] ?? .null
            if case .string(let s) = params { params = try JSONParser.parse(s) }
            return FunctionSchema(name: name, parameters: params)
        }
    }

    /// The kind a schema `type` stands for. JSON Schema names plus BFCL's Python names
    /// ("dict", "float", "tuple", "any") and Java / JavaScript names ("String", "long",
    /// "HashMap", "ArrayList", …), mapped as BFCL's `PYTHON_TYPE_MAPPING`, `JAVA_TYPE_CONVERSION`
    /// and `JS_TYPE_CONVERSION` do (https://github.com/ShishirPatil/gorilla/tree/main/berkeley-function-call-leaderboard).
    public enum Kind: String, Sendable {
        case string, integer, number, boolean, array, object, null, any
    }

    public static func kind(of typeName: String) -> Kind? {
        switch typeName {
        case "string", "String", "char", "str", "any_string": return .string
        case "integer", "int", "long", "Integer", "Long", "short", "byte": return .integer
        case "number", "float", "double", "Float", "Double", "Number", "Bigint", "bigint": return .number
        case "boolean", "Boolean", "bool": return .boolean
        case "array", "tuple", "Array", "ArrayList", "List", "list", "Set", "Stack", "Queue": return .array
        case "object", "dict", "HashMap", "Map", "Object", "Hashtable", "TreeMap": return .object
        case "null": return .null
        case "any", "", "Any": return .any
        default: return nil
        }
    }

    /// Checks `value` against `schema`; returns nil when it fits, else (reason code, detail).
    /// `path` names the argument (`args.units[2]`). With `allowVariables` a string stands
    /// for a variable of any type, as BFCL's `type_checker` allows (`is_variable`).
    static func check(_ value: JSONValue, against schema: JSONValue, path: String, allowVariables: Bool,
                      standardizedEnums: Bool = false) -> (String, String)? {
        guard case .object = schema else { return nil }
        if let en = schema["enum"]?.arrayValue, !en.isEmpty,
           case .array(let items) = value, schema["type"]?.stringValue.flatMap(kind(of:)) == .array {
            // BFCL's live data puts the allowed item values on the array itself.
            for (k, item) in items.enumerated() {
                var itemSchema = schema["items"]?.objectValue ?? JSONObject()
                itemSchema["enum"] = .array(en)
                if let e = check(item, against: .object(itemSchema), path: "\(path)[\(k)]", allowVariables: allowVariables,
                                 standardizedEnums: standardizedEnums) { return e }
            }
            return nil
        }
        if let en = schema["enum"]?.arrayValue, !en.isEmpty {
            let inEnum = en.contains { e in
                if standardizedEnums, let a = e.stringValue, let b = value.stringValue {
                    return ToolCallVerifier.standardize(a) == ToolCallVerifier.standardize(b)
                }
                return ToolSchema.looseEqual(e, value)
            }
            if !inEnum {
                if !(allowVariables && value.stringValue != nil && !en.contains(where: { $0.stringValue != nil })) {
                    return ("bad_enum", "\(path) = \(value) is not one of \(JSONValue.array(en))")
                }
            }
        }
        var types: [String] = []
        if let t = schema["type"]?.stringValue { types = [t] }
        else if let ts = schema["type"]?.arrayValue { types = ts.compactMap(\.stringValue) }
        guard !types.isEmpty else { return nil }
        var lastError: (String, String)?
        for t in types {
            guard let kind = kind(of: t) else { return ("bad_schema", "\(path): unknown type \"\(t)\"") }
            if let err = checkKind(value, kind, typeName: t, schema: schema, path: path, allowVariables: allowVariables,
                                   standardizedEnums: standardizedEnums) {
                lastError = err
            } else {
                return nil
            }
        }
        return lastError
    }

    private static func checkKind(_ value: JSONValue, _ kind: Kind, typeName: String, schema: JSONValue, path: String,
                                  allowVariables: Bool, standardizedEnums: Bool) -> (String, String)? {
        let fits: Bool
        switch kind {
        case .any: return nil
        case .string: fits = value.stringValue != nil
        case .integer:
            switch value {
            case .int, .bigInt: fits = true
            default: fits = false
            }
        case .number: fits = value.doubleValue != nil
        case .boolean: fits = value.boolValue != nil
        case .null: fits = value.isNull
        case .array:
            guard case .array(let items) = value else { fits = false; break }
            if let itemSchema = schema["items"] {
                for (k, item) in items.enumerated() {
                    if let e = check(item, against: itemSchema, path: "\(path)[\(k)]", allowVariables: allowVariables,
                                     standardizedEnums: standardizedEnums) { return e }
                }
            }
            return nil
        case .object:
            guard case .object(let o) = value else { fits = false; break }
            if let props = schema["properties"]?.objectValue, !props.isEmpty {
                for req in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where o[req] == nil {
                    return ("missing_required", "\(path).\(req) is required")
                }
                for e in o.entries {
                    if let ps = props[e.key] {
                        if let err = check(e.value, against: ps, path: "\(path).\(e.key)", allowVariables: allowVariables,
                                           standardizedEnums: standardizedEnums) { return err }
                    } else if schema["additionalProperties"]?.boolValue == false {
                        return ("unknown_argument", "\(path).\(e.key) is not a declared property")
                    }
                }
            }
            return nil
        }
        if fits { return nil }
        if allowVariables, value.stringValue != nil { return nil }
        return ("wrong_type", "\(path) expects \(typeName), got \(value.typeName) \(value)")
    }

    /// True when `value` passes `check` with variables disallowed.
    public static func kindFits(_ value: JSONValue, schema: JSONValue) -> Bool {
        check(value, against: schema, path: "", allowVariables: false) == nil
    }

    /// Equality with Python semantics for numbers (1 == 1.0), recursive for containers.
    public static func looseEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int, .double), (.double, .int): return a.doubleValue == b.doubleValue
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { looseEqual($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.entries.allSatisfy { e in y[e.key].map { looseEqual(e.value, $0) } ?? false }
        default: return a == b
        }
    }
}
