import Records

/// A value inside a running template: the subset of Python / jinja2 types chat templates meet.
///
/// Semantics follow Python 3 and jinja2 3.1 (https://jinja.palletsprojects.com/en/3.1.x/templates/):
/// truthiness, `str()` / `repr()` forms (`PyFormat`), equality (`1 == 1.0 == True`), and jinja2's
/// default `Undefined` (renders as empty, is falsy, iterates as empty, raises when used otherwise).
/// Lists, tuples and dicts are values (transformers' sandbox is immutable, so they are never
/// mutated in place); a `namespace()` is a shared, mutable object as in jinja2.
public enum Value: @unchecked Sendable {
    /// jinja2 `Undefined`: `name` and the message an error would carry when it is used.
    case undefined(Undefined)
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([Value])
    /// A Python tuple (from `(a, b)`, `dict.items()`, loop unpacking); renders as `(a, b)`.
    case tuple([Value])
    case dict(Dict)
    case namespace(Namespace)
    case callable(Callable)
    /// The `loop` variable of a for loop.
    case loop(LoopInfo)

    /// Convenience: an undefined value whose use raises `message`.
    static func undef(_ message: String, name: String? = nil) -> Value {
        .undefined(Undefined(name: name, message: message))
    }

    /// Python truthiness (`bool(x)`); jinja2's Undefined is false.
    public var truthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let a), .tuple(let a): return !a.isEmpty
        case .dict(let d): return !d.isEmpty
        case .namespace, .callable, .loop: return true
        }
    }

    public var isUndefined: Bool { if case .undefined = self { return true } else { return false } }

    /// The Python type name used in error messages (`str`, `list`, `dict`, `NoneType`, ...).
    public var pyTypeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        case .callable(let c): return c.isMacro ? "Macro" : "function"
        case .loop: return "LoopContext"
        }
    }

    /// jinja2's `object_type_repr` for undefined-attribute messages: `'dict object'`, `None`.
    var objectTypeRepr: String {
        if case .none = self { return "None" }
        return "\(pyTypeName) object"
    }

    /// Converts decoded JSON input to a template value (objects keep key order).
    public init(json: JSONValue) {
        switch json {
        case .null: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(Int(i))
        case .bigInt(let s): self = .float(Double(s) ?? .nan)
        case .double(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .list(a.map { Value(json: $0) })
        case .object(let o):
            var d = Dict()
            d.reserve(o.count)
            for e in o.entries { d[.string(e.key)] = Value(json: e.value) }
            self = .dict(d)
        }
    }

    /// The value as JSON when it is plain data (lists, tuples, dicts with string keys, scalars).
    public var json: JSONValue? {
        switch self {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .float(let d): return .double(d)
        case .string(let s): return .string(s)
        case .list(let a), .tuple(let a):
            var out: [JSONValue] = []
            for v in a { guard let j = v.json else { return nil }; out.append(j) }
            return .array(out)
        case .dict(let d):
            var o = JSONObject()
            for (k, v) in d.entries {
                guard case .string(let ks) = k, let j = v.json else { return nil }
                o.entries.append((key: ks, value: j))
            }
            return .object(o)
        default: return nil
        }
    }
}

/// jinja2's default `Undefined`: falsy, empty when rendered or iterated, an error when used otherwise.
/// (A class, so that `Value` stays small.)
public final class Undefined: Sendable {
    public let name: String?
    /// The `UndefinedError` message (`'x' is undefined`, `'dict object' has no attribute 'content'`).
    public let message: String
    /// True for attributes the immutable sandbox refuses (`list.append`): using it is a SecurityError.
    public let unsafe: Bool

    public init(name: String?, message: String, unsafe: Bool = false) {
        self.name = name
        self.message = message
        self.unsafe = unsafe
    }

    var error: JinjaError { JinjaError(unsafe ? .security : .undefined, message) }
}

/// An insertion-ordered Python dict (keys are values; string keys are the common case).
public struct Dict: Sendable {
    public private(set) var entries: [(key: Value, value: Value)] = []

    public init() {}
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public mutating func reserve(_ n: Int) { entries.reserveCapacity(n) }

    func index(of key: Value) -> Int? {
        if case .string(let s) = key {
            for i in entries.indices { if case .string(let k) = entries[i].key, k == s { return i } }
            return nil
        }
        for i in entries.indices where PyOps.equal(entries[i].key, key) { return i }
        return nil
    }

    public subscript(key: Value) -> Value? {
        get { index(of: key).map { entries[$0].value } }
        set {
            if let i = index(of: key) {
                if let v = newValue { entries[i].value = v } else { entries.remove(at: i) }
            } else if let v = newValue {
                entries.append((key: key, value: v))
            }
        }
    }

    /// Lookup by a string key (the fast path for `message.content`).
    public subscript(string key: String) -> Value? {
        for e in entries { if case .string(let k) = e.key, k == key { return e.value } }
        return nil
    }
}

/// `namespace(...)`: the one mutable object of the language (`{% set ns.x = ... %}`).
public final class Namespace: @unchecked Sendable {
    var attrs: Dict
    init(_ attrs: Dict) { self.attrs = attrs }
}

/// The `loop` object of a for loop (jinja2 `LoopContext`).
public final class LoopInfo: @unchecked Sendable {
    let items: [Value]
    var index0 = 0
    var lastChanged: [Value]? = nil
    let depth0: Int
    init(items: [Value], depth0: Int) {
        self.items = items
        self.depth0 = depth0
    }
}

/// Something a template can call: a macro, a built-in function or global, or a bound method.
public final class Callable: @unchecked Sendable {
    typealias Builtin = (_ args: Arguments, _ interp: Interpreter) throws -> Value
    enum Body {
        case macro(Macro)
        case builtin(String, Builtin)
        /// A method of a str / dict / list value, e.g. `content.split`.
        case method(Value, String)
    }
    let body: Body
    init(_ body: Body) { self.body = body }
    var isMacro: Bool { if case .macro = body { return true } else { return false } }
}

/// A defined macro, with the scope it was defined in (free names are looked up there at call time).
final class Macro {
    let node: MacroNode
    let scope: Scope
    /// The body of the `{% call %}` block when this is a `caller`.
    init(node: MacroNode, scope: Scope) {
        self.node = node
        self.scope = scope
    }
}

/// Call arguments: positional then keyword, in source order.
struct Arguments {
    var positional: [Value] = []
    var keyword: [(String, Value)] = []
    var pos: SourcePos

    /// The argument at `index` or named `name`, else nil.
    func get(_ index: Int, _ name: String) -> Value? {
        if index < positional.count { return positional[index] }
        for (k, v) in keyword where k == name { return v }
        return nil
    }
}
