/// A variable scope: the template's top level, one iteration of a for loop, or one macro call.
/// Lookups walk outwards, which reproduces jinja2's visible behaviour for chat templates: a `set`
/// inside a loop body is local to that iteration, `if` blocks share their enclosing scope, and a macro
/// sees the current values of the names of the scope it was defined in.
final class Scope {
    var vars: VarTable
    let parent: Scope?
    init(parent: Scope?, vars: [String: Value] = [:]) {
        self.parent = parent
        self.vars = VarTable(vars)
    }

    @inline(__always)
    func lookup(_ name: String) -> Value? {
        var s: Scope? = self
        while let c = s {
            if let v = c.vars[name] { return v }
            s = c.parent
        }
        return nil
    }
}

/// The variables of one scope: a few names, scanned linearly (short names compare faster than they hash).
struct VarTable {
    private var names: [String] = []
    private var values: [Value] = []

    mutating func removeAll() {
        names.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    init(_ d: [String: Value]) {
        names.reserveCapacity(d.count)
        values.reserveCapacity(d.count)
        for (k, v) in d { names.append(k); values.append(v) }
    }

    subscript(name: String) -> Value? {
        @inline(__always) get {
            var i = 0
            let n = names.count
            while i < n {
                if names[i] == name { return values[i] }
                i += 1
            }
            return nil
        }
        set {
            if let i = names.firstIndex(of: name) {
                if let v = newValue { values[i] = v } else { names.remove(at: i); values.remove(at: i) }
            } else if let v = newValue {
                names.append(name)
                values.append(v)
            }
        }
    }
}

/// Executes a compiled template: statements, output, loops, macros, the `generation` spans.
final class Interpreter {
    /// What a statement list asks of the loop around it.
    enum Flow { case normal, breakLoop, continueLoop }

    /// Deepest macro nesting before a recursion error (Python's own limit stops jinja2 at about this depth).
    static let maxDepth = 200

    var out = ""
    /// Nesting of output captures (macro calls, block sets, filter blocks); spans are recorded at 0.
    var captureDepth = 0
    var callDepth = 0
    /// `{% generation %}` spans as UTF-8 byte ranges of `out`.
    var generationSpans: [Range<Int>] = []
    let globals: Scope
    let options: RenderOptions
    let stack = StackGuard()

    /// Scopes that got a macro: each holds the macro and the macro holds it (a macro looks its
    /// free names up in its defining scope), a reference cycle that `run` breaks when it ends.
    private var macroScopes: [Scope] = []

    init(globals: Scope, options: RenderOptions) {
        self.globals = globals
        self.options = options
    }

    /// Executes `nodes`; afterwards (also after an error) empties every scope that defined a
    /// macro, so a render frees its scopes (found by the fuzz campaign's leak check: every render
    /// of a template with a macro leaked its scopes and their values).
    func run(_ nodes: [Node], scope: Scope) throws {
        defer {
            for s in macroScopes { s.vars.removeAll() }
            macroScopes.removeAll()
        }
        _ = try exec(nodes, scope)
    }

    /// Renders `nodes` into a fresh buffer and returns it (macro bodies, block sets).
    func capture(_ nodes: [Node], _ scope: Scope) throws -> String {
        let saved = out
        out = ""
        captureDepth += 1
        defer { captureDepth -= 1 }
        do {
            _ = try exec(nodes, scope)
        } catch {
            out = saved
            throw error
        }
        let result = out
        out = saved
        return result
    }

    /// Statements executed so far (bounded by `Limits.maxSteps`).
    var steps = 0

    /// Counts `n` steps and checks the step and output bounds.
    @inline(__always)
    func charge(_ n: Int = 1) throws {
        steps += n
        if steps > options.maxSteps {
            throw JinjaError(.limit, "rendering took more than \(options.maxSteps) steps", hint: "a loop that does not end in reasonable time")
        }
        if out.utf8.count > options.maxOutputBytes {
            throw JinjaError(.limit, "rendered text exceeds \(options.maxOutputBytes) bytes")
        }
    }

    func exec(_ nodes: [Node], _ scope: Scope) throws -> Flow {
        try charge()
        for node in nodes {
            try charge()
            switch node {
            case .text(let s):
                out += s
            case .output(let e, let p):
                let v = try eval(e, scope, p)
                switch v {
                case .string(let s): out += s
                case .undefined: break
                default: out += PyFormat.str(v)
                }
            case .ifChain(let branches, let elseBody):
                var taken = false
                for (test, body) in branches where try eval(test, scope, nil).truthy {
                    taken = true
                    let f = try exec(body, scope)
                    if f != .normal { return f }
                    break
                }
                if !taken {
                    let f = try exec(elseBody, scope)
                    if f != .normal { return f }
                }
            case .forLoop(let f):
                try execFor(f, scope)
            case .set(let target, let e, let p):
                try assign(target, try eval(e, scope, p), scope, p)
            case .setBlock(let target, let body, let filters, let p):
                var v = Value.string(try capture(body, Scope(parent: scope)))
                for (f, args, fp) in filters { v = try applyFilter(f, v, args, scope, fp) }
                try assign(target, v, scope, p)
            case .macro(let m):
                scope.vars[m.name] = .callable(Callable(.macro(Macro(node: m, scope: scope))))
                macroScopes.append(scope)
            case .callBlock(let call, let m, let p):
                guard case .call(let fnExpr, let argExprs, let cp) = call else { break }
                let fn = try eval(fnExpr, scope, cp)
                var args = try evalArgs(argExprs, scope, cp)
                args.keyword.append(("caller", .callable(Callable(.macro(Macro(node: m, scope: scope))))))
                let v = try callValue(fn, args, p)
                out += PyFormat.str(v)
            case .filterBlock(let body, let filters, let p):
                var v = Value.string(try capture(body, scope))
                for (f, args, fp) in filters { v = try applyFilter(f, v, args, scope, fp) }
                _ = p
                out += PyFormat.str(v)
            case .with(let assigns, let body, let p):
                let inner = Scope(parent: scope)
                for (t, e) in assigns { try assign(t, try eval(e, scope, p), inner, p) }
                let f = try exec(body, inner)
                if f != .normal { return f }
            case .breakLoop: return .breakLoop
            case .continueLoop: return .continueLoop
            case .generation(let body):
                let start = out.utf8.count
                let f = try exec(body, scope)
                if captureDepth == 0 { generationSpans.append(start..<out.utf8.count) }
                if f != .normal { return f }
            }
        }
        return .normal
    }

    func assign(_ target: Target, _ v: Value, _ scope: Scope, _ p: SourcePos) throws {
        switch target {
        case .name(let n):
            scope.vars[n] = v
        case .attr(let nsName, let attr, let ap):
            guard case .namespace(let ns) = scope.lookup(nsName) ?? Value.none else {
                throw JinjaError(.type, "cannot assign attribute on non-namespace object", line: ap.line, column: ap.column)
            }
            ns.attrs[.string(attr)] = v
        case .tuple(let targets, let tp):
            let items = try iterate(v, tp)
            if items.count != targets.count {
                let msg = items.count > targets.count
                    ? "too many values to unpack (expected \(targets.count))"
                    : "not enough values to unpack (expected \(targets.count), got \(items.count))"
                throw JinjaError(.type, msg, line: tp.line, column: tp.column)
            }
            for (t, x) in zip(targets, items) { try assign(t, x, scope, p) }
        }
    }

    func execFor(_ f: ForNode, _ scope: Scope) throws {
        var items = try iterate(try eval(f.iter, scope, f.pos), f.pos)
        if let cond = f.filter {
            var kept: [Value] = []
            for x in items {
                let s = Scope(parent: scope)
                try assign(f.target, x, s, f.pos)
                if try eval(cond, s, f.pos).truthy { kept.append(x) }
            }
            items = kept
        }
        if items.isEmpty {
            _ = try exec(f.elseBody, scope)
            return
        }
        // `loop.depth` counts recursive-loop levels in jinja2, not nesting: 1 for every plain loop.
        let loop = LoopInfo(items: items, depth0: 0)
        let loopValue = Value.loop(loop)
        // Each iteration starts from a fresh scope; one object is reused unless the body defines
        // macros (which keep a reference to the scope they were defined in).
        var s = Scope(parent: scope)
        for (i, x) in items.enumerated() {
            loop.index0 = i
            if i > 0 { if f.definesMacros { s = Scope(parent: scope) } else { s.vars.removeAll() } }
            s.vars["loop"] = loopValue
            if case .name(let n) = f.target { s.vars[n] = x } else { try assign(f.target, x, s, f.pos) }
            if try exec(f.body, s) == .breakLoop { break }
        }
    }

    /// Python iteration: lists, tuples, dict keys, string characters; undefined is empty.
    func iterate(_ v: Value, _ p: SourcePos) throws -> [Value] {
        switch v {
        case .list(let a), .tuple(let a): return a
        case .dict(let d): return d.entries.map(\.key)
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .undefined(let u): if u.unsafe { throw u.error.at(p) }; return []
        case .namespace(let ns): return ns.attrs.entries.map(\.key)
        default:
            throw JinjaError(.type, "'\(v.pyTypeName)' object is not iterable", line: p.line, column: p.column)
        }
    }
}
