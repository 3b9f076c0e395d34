/// jinja2's built-in tests (`x is defined`, `x is string`, …).
/// Reference: jinja2/tests.py, https://jinja.palletsprojects.com/en/3.1.x/templates/#list-of-builtin-tests
enum Tests {
    typealias Fn = (_ value: Value, _ args: Arguments, _ interp: Interpreter) throws -> Bool

    static func arg(_ a: Arguments) throws -> Value {
        guard let v = a.positional.first ?? a.keyword.first?.1 else { throw JinjaError(.type, "test needs an argument") }
        return v
    }

    static let table: [String: Fn] = {
        var t: [String: Fn] = [:]
        t["defined"] = { v, _, _ in !v.isUndefined }
        t["undefined"] = { v, _, _ in v.isUndefined }
        t["none"] = { v, _, _ in if case .none = v { return true }; return false }
        t["boolean"] = { v, _, _ in if case .bool = v { return true }; return false }
        t["true"] = { v, _, _ in if case .bool(true) = v { return true }; return false }
        t["false"] = { v, _, _ in if case .bool(false) = v { return true }; return false }
        t["integer"] = { v, _, _ in if case .int = v { return true }; return false }
        t["float"] = { v, _, _ in if case .float = v { return true }; return false }
        t["number"] = { v, _, _ in PyOps.number(v) != nil }
        t["string"] = { v, _, _ in if case .string = v { return true }; return false }
        t["mapping"] = { v, _, _ in if case .dict = v { return true }; return false }
        t["sequence"] = { v, _, _ in
            switch v {
            case .string, .list, .tuple, .dict, .undefined: return true
            default: return false
            }
        }
        t["iterable"] = { v, _, _ in
            switch v {
            case .string, .list, .tuple, .dict, .undefined: return true
            default: return false
            }
        }
        t["callable"] = { v, _, _ in if case .callable = v { return true }; return false }
        t["odd"] = { v, _, _ in
            guard let i = PyOps.int(v) else { throw JinjaError(.type, "odd test needs an integer") }
            return i % 2 != 0
        }
        t["even"] = { v, _, _ in
            guard let i = PyOps.int(v) else { throw JinjaError(.type, "even test needs an integer") }
            return i % 2 == 0
        }
        t["divisibleby"] = { v, a, _ in
            let m = try PyOps.binary(.mod, v, try arg(a))
            return PyOps.equal(m, .int(0))
        }
        t["lower"] = { v, _, _ in
            let s = PyFormat.str(v)
            return s.unicodeScalars.contains { $0.properties.isCased } && s == s.lowercased()
        }
        t["upper"] = { v, _, _ in
            let s = PyFormat.str(v)
            return s.unicodeScalars.contains { $0.properties.isCased } && s == s.uppercased()
        }
        t["escaped"] = { _, _, _ in false }
        t["in"] = { v, a, _ in try PyOps.contains(try arg(a), v) }
        t["sameas"] = { v, a, _ in
            let o = try arg(a)
            switch (v, o) {
            case (.none, .none): return true
            case (.bool(let x), .bool(let y)): return x == y
            case (.int(let x), .int(let y)): return x == y && x >= -5 && x <= 256
            case (.namespace(let x), .namespace(let y)): return x === y
            default: return false
            }
        }
        let cmp: [(String, CompareOp)] = [("eq", .eq), ("equalto", .eq), ("==", .eq), ("ne", .ne), ("!=", .ne),
                                          ("lt", .lt), ("lessthan", .lt), ("<", .lt), ("le", .le), ("<=", .le),
                                          ("gt", .gt), ("greaterthan", .gt), (">", .gt), ("ge", .ge), (">=", .ge)]
        for (name, op) in cmp {
            t[name] = { v, a, i in try i.compare(op, v, try arg(a)) }
        }
        t["filter"] = { v, _, _ in Filters.table[PyFormat.str(v)] != nil }
        t["test"] = { v, _, _ in Tests.table[PyFormat.str(v)] != nil }
        return t
    }()
}

extension Filters {
    /// `select` / `reject` / `selectattr` / `rejectattr` (jinja2 `select_or_reject`).
    static func selectOrReject(_ v: Value, _ a: Arguments, _ interp: Interpreter, negate: Bool, byAttribute: Bool) throws -> Value {
        var rest = a.positional
        var attr: Value? = nil
        if byAttribute {
            guard !rest.isEmpty else { throw JinjaError(.type, "Missing parameter for attribute name") }
            attr = rest.removeFirst()
        }
        var test: Tests.Fn? = nil
        var testArgs = Arguments(pos: a.pos)
        if !rest.isEmpty {
            let name = PyFormat.str(rest.removeFirst())
            guard let fn = Tests.table[name] else { throw JinjaError(.assertion, "No test named '\(name)'.") }
            test = fn
            testArgs.positional = rest
        }
        var out: [Value] = []
        for x in try interp.iterate(v, a.pos) {
            let subject = try attr.map { try attrGetter(x, $0, interp) } ?? x
            let ok = try test.map { try $0(subject, testArgs, interp) } ?? subject.truthy
            if ok != negate { out.append(x) }
        }
        return .list(out)
    }

    /// `map(attribute='x', default=…)` or `map('filter', args…)`.
    static func mapFilter(_ v: Value, _ a: Arguments, _ interp: Interpreter) throws -> Value {
        let items = try interp.iterate(v, a.pos)
        if let attr = a.keyword.first(where: { $0.0 == "attribute" })?.1 {
            let dflt = a.keyword.first(where: { $0.0 == "default" })?.1
            return .list(try items.map { x in
                let r = try attrGetter(x, attr, interp)
                if r.isUndefined, let dflt { return dflt }
                return r
            })
        }
        guard let nameValue = a.positional.first else { throw JinjaError(.type, "map requires a filter argument") }
        let name = PyFormat.str(nameValue)
        guard let fn = table[name] else { throw JinjaError(.assertion, "No filter named '\(name)'.") }
        let fa = Arguments(positional: Array(a.positional.dropFirst()), keyword: a.keyword, pos: a.pos)
        return .list(try items.map { try fn($0, fa, interp) })
    }
}
