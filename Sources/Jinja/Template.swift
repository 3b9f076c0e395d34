/// A chat template compiled once and rendered many times, in the environment transformers builds
/// (`ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)` with the `loopcontrols`
/// extension, the `generation` tag, `tojson` = `json.dumps`, globals `raise_exception` and
/// `strftime_now`). Reference: transformers/utils/chat_template_utils.py (`_compile_jinja_template`).
///
/// ```swift
/// let t = try Template(source)
/// let text = try t.render(["messages": .list(...), "add_generation_prompt": .bool(true)])
/// ```
public final class Template: @unchecked Sendable {
    let nodes: [Node]
    /// The template text as given.
    public let source: String

    /// Compiles `source`; throws a `JinjaError` of kind `.syntax` (or `.assertion` for an unknown
    /// filter/test) with the line and column of the problem.
    public init(_ source: String) throws {
        self.source = source
        self.nodes = try Parser.parse(source)
    }

    /// The rendered text.
    public func render(_ context: [String: Value], options: RenderOptions = RenderOptions()) throws -> String {
        try renderWithGenerationSpans(context, options: options).text
    }

    /// The rendered text and the `{% generation %}` spans as UTF-8 byte ranges of it.
    public func renderWithGenerationSpans(_ context: [String: Value], options: RenderOptions = RenderOptions()) throws
        -> (text: String, spans: [Range<Int>])
    {
        let globals = Scope(parent: nil, vars: Globals.table)
        let root = Scope(parent: globals, vars: context)
        let interp = Interpreter(globals: globals, options: options)
        try interp.run(nodes, scope: root)
        return (interp.out, interp.generationSpans)
    }

    /// Whether the source has transformers' `{% generation %}` tag.
    public var hasGenerationBlocks: Bool {
        func scan(_ ns: [Node]) -> Bool {
            for n in ns {
                switch n {
                case .generation: return true
                case .forLoop(let f): if scan(f.body) || scan(f.elseBody) { return true }
                case .ifChain(let b, let e): if b.contains(where: { scan($0.1) }) || scan(e) { return true }
                case .macro(let m): if scan(m.body) { return true }
                case .callBlock(_, let m, _): if scan(m.body) { return true }
                case .setBlock(_, let b, _, _), .filterBlock(let b, _, _), .with(_, let b, _): if scan(b) { return true }
                default: continue
                }
            }
            return false
        }
        return scan(nodes)
    }
}

/// Settings of one rendering.
public struct RenderOptions: Sendable {
    /// The time `strftime_now(format)` formats (transformers reads `datetime.now()`); nil = the current UTC time.
    public var now: DateTimeParts?
    /// Resource bounds of this rendering (defaults: `Limits`).
    public var maxSteps = Limits.maxSteps
    public var maxOutputBytes = Limits.maxOutputBytes
    public init(now: DateTimeParts? = nil) { self.now = now }
}

/// The global names every template sees (jinja2's defaults and transformers' additions).
enum Globals {
    /// Built once; the functions read per-render settings from the interpreter.
    static let table: [String: Value] = make()

    static func make() -> [String: Value] {
        var g: [String: Value] = [:]
        func fn(_ name: String, _ body: @escaping Callable.Builtin) { g[name] = .callable(Callable(.builtin(name, body))) }
        fn("raise_exception") { args, _ in
            throw JinjaError(.raised, PyFormat.str(args.get(0, "message") ?? .string("")))
        }
        fn("strftime_now") { args, interp in
            let now = interp.options.now ?? DateTimeParts.currentUTC()
            return .string(now.strftime(PyFormat.str(args.get(0, "format") ?? .string(""))))
        }
        fn("namespace") { args, _ in
            var d = Dict()
            for v in args.positional {
                if case .dict(let given) = v { for (k, x) in given.entries { d[k] = x } }
            }
            for (k, v) in args.keyword { d[.string(k)] = v }
            return .namespace(Namespace(d))
        }
        fn("dict") { args, _ in
            var d = Dict()
            for v in args.positional {
                if case .dict(let given) = v { for (k, x) in given.entries { d[k] = x } }
            }
            for (k, v) in args.keyword { d[.string(k)] = v }
            return .dict(d)
        }
        fn("range") { args, _ in
            let nums = try args.positional.map { v -> Int in
                guard let i = PyOps.int(v) else { throw JinjaError(.type, "'\(v.pyTypeName)' object cannot be interpreted as an integer") }
                return i
            }
            var start = 0, stop = 0, step = 1
            switch nums.count {
            case 1: stop = nums[0]
            case 2: start = nums[0]; stop = nums[1]
            case 3: start = nums[0]; stop = nums[1]; step = nums[2]
            default: throw JinjaError(.type, "range expected 1 to 3 arguments, got \(nums.count)")
            }
            if step == 0 { throw JinjaError(.type, "range() arg 3 must not be zero") }
            let n = step > 0 ? max(0, (stop - start + step - 1) / step) : max(0, (start - stop - step - 1) / -step)
            if n > 100_000 { throw JinjaError(.security, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).") }
            return .list((0..<n).map { .int(start + $0 * step) })
        }
        return g
    }
}
