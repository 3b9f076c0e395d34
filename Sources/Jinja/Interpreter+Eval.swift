/// Expression evaluation: names, attribute/item access (jinja2's sandboxed `getattr`/`getitem`),
/// operators, calls, filters and tests.
extension Interpreter {
    func eval(_ e: Expr, _ scope: Scope, _ outer: SourcePos?) throws -> Value {
        switch e {
        case .const(let v): return v
        case .name(let n, _):
            if let v = scope.lookup(n) { return v }
            return .undef("'\(n)' is undefined", name: n)
        case .list(let items): return .list(try items.map { try eval($0, scope, outer) })
        case .tuple(let items): return .tuple(try items.map { try eval($0, scope, outer) })
        case .dict(let items):
            var d = Dict()
            for (k, v) in items { d[try eval(k, scope, outer)] = try eval(v, scope, outer) }
            return .dict(d)
        case .getattr(let obj, let name, let p):
            return try Members.getattr(try eval(obj, scope, p), name).get(p)
        case .getitem(let obj, let key, let p):
            return try Members.getitem(try eval(obj, scope, p), try eval(key, scope, p)).get(p)
        case .slice(let obj, let a, let b, let c, let p):
            return try slice(try eval(obj, scope, p), a, b, c, scope, p)
        case .call(let fn, let args, let p):
            // Fast path for `obj.method(...)` on str / dict / list: no bound-method object.
            if case .getattr(let objExpr, let name, let ap) = fn {
                let obj = try eval(objExpr, scope, ap)
                if Members.isBuiltinMethod(obj, name) {
                    let a = try evalArgs(args, scope, p)
                    do { return try Members.callMethod(obj, name, a, self) } catch let err as JinjaError { throw err.at(p) }
                }
                return try callValue(try Members.getattr(obj, name).get(ap), try evalArgs(args, scope, p), p)
            }
            let f = try eval(fn, scope, p)
            return try callValue(f, try evalArgs(args, scope, p), p)
        case .filter(let x, let f, let args, let p):
            return try applyFilter(f, try eval(x, scope, p), args, scope, p)
        case .test(let x, let t, let args, let p):
            guard let fn = t.fn else { throw JinjaError(.assertion, "No test named '\(t.name)' found.", line: p.line, column: p.column) }
            let v = try eval(x, scope, p)
            let a = try evalArgs(args, scope, p)
            do { return .bool(try fn(v, a, self)) } catch let err as JinjaError { throw err.at(p) }
        case .not(let x): return .bool(!(try eval(x, scope, outer).truthy))
        case .neg(let x, let p):
            let v = try eval(x, scope, p)
            switch v {
            case .int(let i): return .int(-i)
            case .float(let d): return .float(-d)
            case .bool(let b): return .int(b ? -1 : 0)
            case .undefined(let u): throw u.error.at(p)
            default: throw JinjaError(.type, "bad operand type for unary -: '\(v.pyTypeName)'", line: p.line, column: p.column)
            }
        case .pos(let x, let p):
            let v = try eval(x, scope, p)
            if case .undefined(let u) = v { throw u.error.at(p) }
            return v
        case .binary(let op, let a, let b, let p):
            let x = try eval(a, scope, p), y = try eval(b, scope, p)
            do { return try PyOps.binary(op, x, y) } catch let err as JinjaError { throw err.at(p) }
        case .addChain(let terms, let p):
            var acc = try eval(terms[0], scope, p)
            var buf: String? = nil
            if case .string(let s) = acc { buf = s }
            for term in terms.dropFirst() {
                let v = try eval(term, scope, p)
                if buf != nil, case .string(let s) = v { buf!.append(s); continue }
                if let b = buf { acc = .string(b); buf = nil }
                do { acc = try PyOps.binary(.add, acc, v) } catch let err as JinjaError { throw err.at(p) }
                if case .string(let s) = acc { buf = s }
            }
            if let b = buf { return .string(b) }
            return acc
        case .and(let a, let b):
            let x = try eval(a, scope, outer)
            return x.truthy ? try eval(b, scope, outer) : x
        case .or(let a, let b):
            let x = try eval(a, scope, outer)
            return x.truthy ? x : try eval(b, scope, outer)
        case .compare(let first, let ops, let p):
            var left = try eval(first, scope, p)
            for (op, rhs) in ops {
                let right = try eval(rhs, scope, p)
                do {
                    if !(try compare(op, left, right)) { return .bool(false) }
                } catch let err as JinjaError { throw err.at(p) }
                left = right
            }
            return .bool(true)
        case .concat(let parts, let p):
            var s = ""
            for x in parts {
                let v = try eval(x, scope, p)
                if case .string(let t) = v { s += t } else { s += PyFormat.str(v) }
                if s.utf8.count > Limits.maxRepeatBytes { throw JinjaError(.limit, "string result would exceed \(Limits.maxRepeatBytes) bytes") }
            }
            return .string(s)
        case .cond(let test, let then, let other):
            if try eval(test, scope, outer).truthy { return try eval(then, scope, outer) }
            if let other { return try eval(other, scope, outer) }
            return .undef("the inline if-expression evaluated to false and no else section was defined.")
        }
    }

    func compare(_ op: CompareOp, _ a: Value, _ b: Value) throws -> Bool {
        switch op {
        case .eq: return PyOps.equal(a, b)
        case .ne: return !PyOps.equal(a, b)
        case .in: return try PyOps.contains(b, a)
        case .notIn: return !(try PyOps.contains(b, a))
        default:
            if case .undefined(let u) = a { throw u.error }
            if case .undefined(let u) = b { throw u.error }
            switch op {
            case .lt: return try PyOps.less(a, b)
            case .gt: return try PyOps.less(b, a)
            case .le: return try !PyOps.less(b, a)
            default: return try !PyOps.less(a, b)
            }
        }
    }

    func evalArgs(_ args: CallArgs, _ scope: Scope, _ p: SourcePos) throws -> Arguments {
        var a = Arguments(pos: p)
        if args.isEmpty { return a }
        a.positional.reserveCapacity(args.positional.count)
        for x in args.positional { a.positional.append(try eval(x, scope, p)) }
        for (k, x) in args.keyword { a.keyword.append((k, try eval(x, scope, p))) }
        return a
    }

    func applyFilter(_ f: FilterRef, _ v: Value, _ args: CallArgs, _ scope: Scope, _ p: SourcePos) throws -> Value {
        guard let fn = f.fn else { throw JinjaError(.assertion, "No filter named '\(f.name)' found.", line: p.line, column: p.column) }
        let a = try evalArgs(args, scope, p)
        do { return try fn(v, a, self) } catch let err as JinjaError { throw err.at(p) }
    }

    func slice(_ v: Value, _ a: Expr?, _ b: Expr?, _ c: Expr?, _ scope: Scope, _ p: SourcePos) throws -> Value {
        func bound(_ e: Expr?) throws -> Int? {
            guard let e else { return nil }
            let x = try eval(e, scope, p)
            if case .none = x { return nil }
            guard let i = PyOps.int(x) else {
                if case .undefined(let u) = x { throw u.error.at(p) }
                throw JinjaError(.type, "slice indices must be integers or None", line: p.line, column: p.column)
            }
            return i
        }
        let start = try bound(a), stop = try bound(b), step = try bound(c)
        switch v {
        case .list(let l):
            return .list(try PyOps.sliceIndices(count: l.count, start: start, stop: stop, step: step).map { l[$0] })
        case .tuple(let l):
            return .tuple(try PyOps.sliceIndices(count: l.count, start: start, stop: stop, step: step).map { l[$0] })
        case .string(let s):
            let u = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            for i in try PyOps.sliceIndices(count: u.count, start: start, stop: stop, step: step) { out.append(u[i]) }
            return .string(String(out))
        case .undefined(let u): throw u.error.at(p)
        default:
            return .undef("'\(v.pyTypeName) object' has no attribute 'slice'")
        }
    }

    /// Calls a macro, global, or bound method.
    func callValue(_ f: Value, _ args: Arguments, _ p: SourcePos) throws -> Value {
        guard case .callable(let c) = f else {
            if case .undefined(let u) = f { throw u.error.at(p) }
            throw JinjaError(.type, "'\(f.pyTypeName)' object is not callable", line: p.line, column: p.column)
        }
        do {
            switch c.body {
            case .builtin(_, let fn): return try fn(args, self)
            case .method(let recv, let name): return try Members.callMethod(recv, name, args, self)
            case .macro(let m): return try callMacro(m, args, p)
            }
        } catch let err as JinjaError {
            throw err.at(p)
        }
    }

    func callMacro(_ m: Macro, _ args: Arguments, _ p: SourcePos) throws -> Value {
        let node = m.node
        callDepth += 1
        defer { callDepth -= 1 }
        if callDepth > Interpreter.maxDepth || !stack.hasRoom() {
            throw JinjaError(.recursion, "maximum recursion depth exceeded", line: p.line, column: p.column,
                             hint: "a macro calls itself without end")
        }
        let s = Scope(parent: m.scope)
        var extra: [Value] = []
        for (i, v) in args.positional.enumerated() {
            if i < node.params.count { s.vars[node.params[i]] = v } else { extra.append(v) }
        }
        var kwargs = Dict()
        for (k, v) in args.keyword {
            if let i = node.params.firstIndex(of: k) {
                if i < args.positional.count {
                    throw JinjaError(.type, "macro '\(node.name)' got multiple values for argument '\(k)'")
                }
                s.vars[k] = v
            } else if k == "caller" {
                s.vars["caller"] = v
            } else {
                kwargs[.string(k)] = v
            }
        }
        if !extra.isEmpty && !node.usesVarargs {
            throw JinjaError(.type, "macro '\(node.name)' takes not more than \(node.params.count) argument(s)")
        }
        if !kwargs.isEmpty && !node.usesKwargs, let first = kwargs.entries.first {
            throw JinjaError(.type, "macro '\(node.name)' takes no keyword argument '\(PyFormat.str(first.key))'")
        }
        for (i, name) in node.params.enumerated() where s.vars[name] == nil {
            if let d = node.defaults[i] {
                s.vars[name] = try eval(d, s, p)
            } else {
                s.vars[name] = .undef("parameter '\(name)' was not provided", name: name)
            }
        }
        if node.usesVarargs { s.vars["varargs"] = .tuple(extra) }
        if node.usesKwargs { s.vars["kwargs"] = .dict(kwargs) }
        if s.vars["caller"] == nil && node.usesCaller {
            s.vars["caller"] = .undef("No caller defined", name: "caller")
        }
        return .string(try capture(node.body, s))
    }
}

extension Members.Lookup {
    /// The value, or the error the lookup raised, positioned at `p`.
    func get(_ p: SourcePos) throws -> Value {
        switch self {
        case .value(let v): return v
        case .error(let e): throw e.at(p)
        }
    }
}
