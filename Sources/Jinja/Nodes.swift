/// The tree a template compiles to (jinja2/nodes.py, reduced to what chat templates use).
/// Filters and tests are resolved to functions at compile time.
indirect enum Expr {
    case const(Value)
    case name(String, SourcePos)
    case list([Expr])
    case tuple([Expr])
    case dict([(Expr, Expr)])
    case getattr(Expr, String, SourcePos)
    case getitem(Expr, Expr, SourcePos)
    case slice(Expr, Expr?, Expr?, Expr?, SourcePos)
    case call(Expr, CallArgs, SourcePos)
    case filter(Expr, FilterRef, CallArgs, SourcePos)
    case test(Expr, TestRef, CallArgs, SourcePos)
    case not(Expr)
    case neg(Expr, SourcePos)
    case pos(Expr, SourcePos)
    case binary(BinaryOp, Expr, Expr, SourcePos)
    /// `a + b + c …` (three or more terms, all `+`): evaluated left to right like the nested binary
    /// form, but string runs are appended into one buffer instead of copied at every `+`.
    case addChain([Expr], SourcePos)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case compare(Expr, [(CompareOp, Expr)], SourcePos)
    case concat([Expr], SourcePos)
    case cond(Expr, Expr, Expr?)
}

/// Arguments of a call, filter or test: positional and keyword expressions.
struct CallArgs {
    var positional: [Expr] = []
    var keyword: [(String, Expr)] = []
    var isEmpty: Bool { positional.isEmpty && keyword.isEmpty }
}

enum BinaryOp: String {
    case add = "+", sub = "-", mul = "*", div = "/", floordiv = "//", mod = "%", pow = "**"
}

enum CompareOp: String {
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=", `in` = "in", notIn = "not in"
}

/// A filter resolved by name; `fn` is nil when the name is unknown inside an `if` (jinja2 then fails
/// only if that code runs).
struct FilterRef {
    var name: String
    var fn: Filters.Fn?
}

struct TestRef {
    var name: String
    var fn: Tests.Fn?
}

/// An assignment target: `x`, `a, b`, or `ns.attr`.
indirect enum Target {
    case name(String)
    case tuple([Target], SourcePos)
    case attr(String, String, SourcePos)
}

/// A statement of the template body.
indirect enum Node {
    case text(String)
    case output(Expr, SourcePos)
    case forLoop(ForNode)
    case ifChain([(Expr, [Node])], [Node])
    case set(Target, Expr, SourcePos)
    case setBlock(Target, [Node], [(FilterRef, CallArgs, SourcePos)], SourcePos)
    case macro(MacroNode)
    case callBlock(Expr, MacroNode, SourcePos)
    case filterBlock([Node], [(FilterRef, CallArgs, SourcePos)], SourcePos)
    case with([(Target, Expr)], [Node], SourcePos)
    case breakLoop
    case continueLoop
    /// transformers' `{% generation %}…{% endgeneration %}`: renders its body and records the span.
    case generation([Node])
}

final class ForNode {
    let target: Target
    let iter: Expr
    let filter: Expr?
    let body: [Node]
    let elseBody: [Node]
    let recursive: Bool
    let pos: SourcePos
    /// Whether the body (outside nested loops) defines a macro or call block.
    let definesMacros: Bool
    init(target: Target, iter: Expr, filter: Expr?, body: [Node], elseBody: [Node], recursive: Bool, pos: SourcePos) {
        func defines(_ ns: [Node]) -> Bool {
            ns.contains { n in
                switch n {
                case .macro, .callBlock: return true
                case .ifChain(let b, let e): return b.contains { defines($0.1) } || defines(e)
                case .with(_, let b, _), .generation(let b), .filterBlock(let b, _, _), .setBlock(_, let b, _, _): return defines(b)
                default: return false
                }
            }
        }
        self.definesMacros = defines(body)
        self.target = target
        self.iter = iter
        self.filter = filter
        self.body = body
        self.elseBody = elseBody
        self.recursive = recursive
        self.pos = pos
    }
}

/// `{% macro name(a, b=default) %}…{% endmacro %}` (also the anonymous `caller` of a call block).
final class MacroNode {
    let name: String
    let params: [String]
    let defaults: [Expr?]
    let body: [Node]
    let pos: SourcePos
    /// Whether the body reads `caller`, `varargs` or `kwargs` (jinja2 decides arity from this).
    let usesCaller: Bool, usesVarargs: Bool, usesKwargs: Bool
    init(name: String, params: [String], defaults: [Expr?], body: [Node], pos: SourcePos,
         usesCaller: Bool, usesVarargs: Bool, usesKwargs: Bool) {
        self.name = name
        self.params = params
        self.defaults = defaults
        self.body = body
        self.pos = pos
        self.usesCaller = usesCaller
        self.usesVarargs = usesVarargs
        self.usesKwargs = usesKwargs
    }
}
