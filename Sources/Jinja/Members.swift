/// Attribute and item access as jinja2's `ImmutableSandboxedEnvironment` does it (transformers
/// renders in one): `x.name` tries the Python attribute first (so `d.items` is the method) and then
/// the item; `x[key]` tries the item first and then the attribute; a miss is an `Undefined` that
/// remembers the message (`'dict object' has no attribute 'content'`); methods that mutate are unsafe.
/// Reference: jinja2/sandbox.py (`getattr`, `getitem`, `modifies_known_mutable`).
enum Members {
    enum Lookup {
        case value(Value)
        case error(JinjaError)
    }

    static let strMethods: Set<String> = [
        "startswith", "endswith", "split", "rsplit", "strip", "lstrip", "rstrip", "replace", "upper", "lower",
        "title", "capitalize", "find", "rfind", "index", "rindex", "count", "join", "format", "isdigit", "isalpha",
        "isalnum", "isspace", "isupper", "islower", "isnumeric", "isdecimal", "istitle", "zfill", "center", "ljust",
        "rjust", "splitlines", "partition", "rpartition", "swapcase", "casefold", "removeprefix", "removesuffix",
        "encode", "expandtabs", "format_map", "isascii", "isidentifier", "isprintable", "maketrans", "translate",
    ]
    static let dictMethods: Set<String> = ["items", "keys", "values", "get", "copy", "fromkeys"]
    static let dictUnsafe: Set<String> = ["clear", "pop", "popitem", "setdefault", "update"]
    static let listMethods: Set<String> = ["count", "index", "copy"]
    static let listUnsafe: Set<String> = ["append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"]

    static func method(_ v: Value, _ name: String) -> Value { .callable(Callable(.method(v, name))) }

    static func unsafe(_ v: Value, _ name: String) -> Value {
        .undefined(Undefined(name: name, message: "access to attribute '\(name)' of '\(v.pyTypeName)' object is unsafe.", unsafe: true))
    }

    static func missing(_ v: Value, _ name: Value) -> Value {
        if case .string(let s) = name {
            return .undef("'\(v.objectTypeRepr)' has no attribute '\(s)'", name: s)
        }
        return .undef("\(v.objectTypeRepr) has no element \(PyFormat.repr(name))")
    }

    /// The Python attribute `name` of `v`, if it has one (methods, namespace and loop attributes).
    static func attribute(_ v: Value, _ name: String) -> Value? {
        if name.hasPrefix("_") { return nil }
        switch v {
        case .string: return strMethods.contains(name) ? method(v, name) : nil
        case .dict:
            if dictMethods.contains(name) { return method(v, name) }
            if dictUnsafe.contains(name) { return unsafe(v, name) }
            return nil
        case .list:
            if listMethods.contains(name) { return method(v, name) }
            if listUnsafe.contains(name) { return unsafe(v, name) }
            return nil
        case .tuple: return listMethods.contains(name) && name != "copy" ? method(v, name) : nil
        case .namespace(let ns): return ns.attrs[string: name]
        case .loop(let l): return loopAttribute(l, name)
        case .int, .bool:
            switch name {
            case "real", "numerator": return .int(PyOps.int(v)!)
            case "imag": return .int(0)
            case "denominator": return .int(1)
            default: return nil
            }
        case .float(let d):
            switch name {
            case "real": return .float(d)
            case "imag": return .float(0)
            default: return nil
            }
        default: return nil
        }
    }

    /// Whether `name` is an attribute of Python's `dict` that templates can reach (a method).
    @inline(__always)
    static func isDictAttribute(_ name: String) -> Bool {
        switch name {
        case "items", "keys", "values", "get", "copy", "fromkeys", "clear", "pop", "popitem", "setdefault", "update": return true
        default: return false
        }
    }

    /// Whether `v.name` is a safe method of a str, dict or list (what `callMethod` implements).
    static func isBuiltinMethod(_ v: Value, _ name: String) -> Bool {
        switch v {
        case .string: return strMethods.contains(name)
        case .dict: return isDictAttribute(name) && dictMethods.contains(name)
        case .list, .tuple: return listMethods.contains(name)
        default: return false
        }
    }

    static func getattr(_ v: Value, _ name: String) -> Lookup {
        if case .undefined(let u) = v { return .error(u.error) }
        if case .dict(let d) = v, !isDictAttribute(name) {
            if let x = d[string: name] { return .value(x) }
            return .value(missing(v, .string(name)))
        }
        if let a = attribute(v, name) { return .value(a) }
        if case .namespace = v {
            return .value(.undef("'jinja2.utils.Namespace object' has no attribute '\(name)'", name: name))
        }
        if case .dict(let d) = v, let x = d[string: name] { return .value(x) }
        return .value(missing(v, .string(name)))
    }

    static func getitem(_ v: Value, _ key: Value) -> Lookup {
        switch v {
        case .undefined(let u): return .error(u.error)
        case .dict(let d):
            if let x = d[key] { return .value(x) }
        case .list(let a), .tuple(let a):
            if let i = PyOps.int(key) {
                let j = i < 0 ? i + a.count : i
                if j >= 0 && j < a.count { return .value(a[j]) }
            }
        case .string(let s):
            if let i = PyOps.int(key) {
                let u = s.unicodeScalars
                let n = u.count
                let j = i < 0 ? i + n : i
                if j >= 0 && j < n { return .value(.string(String(u[u.index(u.startIndex, offsetBy: j)]))) }
            }
        case .namespace(let ns):
            if case .string(let name) = key, let x = ns.attrs[string: name] { return .value(x) }
        case .loop:
            break
        default: break
        }
        if case .string(let name) = key, let a = attribute(v, name) { return .value(a) }
        return .value(missing(v, key))
    }

    static func loopAttribute(_ l: LoopInfo, _ name: String) -> Value? {
        let n = l.items.count, i = l.index0
        switch name {
        case "index0": return .int(i)
        case "index": return .int(i + 1)
        case "revindex": return .int(n - i)
        case "revindex0": return .int(n - i - 1)
        case "first": return .bool(i == 0)
        case "last": return .bool(i == n - 1)
        case "length": return .int(n)
        case "depth": return .int(l.depth0 + 1)
        case "depth0": return .int(l.depth0)
        case "previtem": return i > 0 ? l.items[i - 1] : .undef("there is no previous item", name: "previtem")
        case "nextitem": return i + 1 < n ? l.items[i + 1] : .undef("there is no next item", name: "nextitem")
        case "cycle":
            return .callable(Callable(.builtin("cycle") { args, _ in
                guard !args.positional.isEmpty else { throw JinjaError(.type, "no items for cycling given") }
                return args.positional[i % args.positional.count]
            }))
        case "changed":
            return .callable(Callable(.builtin("changed") { args, _ in
                let vals = args.positional
                if let last = l.lastChanged, last.count == vals.count, zip(last, vals).allSatisfy({ PyOps.equal($0, $1) }) {
                    return .bool(false)
                }
                l.lastChanged = vals
                return .bool(true)
            }))
        default: return nil
        }
    }
}
