import Foundation

/// A parsed scalar expression in LaTeX-lite: numbers, single-letter variables, `\pi`,
/// `\infty`, `+ - * / ^ !`, `\cdot \times \div`, implicit multiplication, `\frac{a}{b}`
/// (and the `\frac12` shorthand), `\sqrt{a}`, `\sqrt[n]{a}`, and `\sin \cos \tan \ln \log
/// \exp`. It is "symbolic-lite": two expressions are compared by evaluating them — exactly
/// as rationals where possible, otherwise as doubles at a few fixed points for every
/// variable. The grammar follows what Qwen2.5-Math's grader hands to sympy for simple
/// answers (https://github.com/QwenLM/Qwen2.5-Math/blob/main/evaluation/grader.py).
indirect enum MathExpr: Sendable, Equatable {
    case number(Double, exact: Rational?, decimal: Bool)
    case variable(UInt8)
    case pi
    case infinity
    case neg(MathExpr)
    case add(MathExpr, MathExpr)
    case sub(MathExpr, MathExpr)
    case mul(MathExpr, MathExpr)
    case div(MathExpr, MathExpr)
    case pow(MathExpr, MathExpr)
    case root(MathExpr, index: MathExpr)
    case factorial(MathExpr)
    case function(String, MathExpr)

    /// Variables used (ASCII letters).
    var variables: Set<UInt8> {
        var s = Set<UInt8>()
        collect(&s)
        return s
    }

    private func collect(_ s: inout Set<UInt8>) {
        switch self {
        case .variable(let v): s.insert(v)
        case .number, .pi, .infinity: break
        case .neg(let a), .factorial(let a), .function(_, let a): a.collect(&s)
        case .add(let a, let b), .sub(let a, let b), .mul(let a, let b), .div(let a, let b), .pow(let a, let b):
            a.collect(&s); b.collect(&s)
        case .root(let a, let b): a.collect(&s); b.collect(&s)
        }
    }

    /// True if any literal had a decimal point (then comparison is by tolerance).
    var hasDecimal: Bool {
        switch self {
        case .number(_, _, let d): return d
        case .variable, .pi, .infinity: return false
        case .neg(let a), .factorial(let a), .function(_, let a): return a.hasDecimal
        case .add(let a, let b), .sub(let a, let b), .mul(let a, let b), .div(let a, let b), .pow(let a, let b),
             .root(let a, let b):
            return a.hasDecimal || b.hasDecimal
        }
    }

    /// Exact value when the expression is rational arithmetic only; nil otherwise or on overflow.
    var exact: Rational? {
        switch self {
        case .number(_, let r, _): return r
        case .variable, .pi, .infinity, .root, .function: return nil
        case .neg(let a): return a.exact.flatMap { -$0 }
        case .add(let a, let b): if let x = a.exact, let y = b.exact { return x + y }; return nil
        case .sub(let a, let b): if let x = a.exact, let y = b.exact { return x - y }; return nil
        case .mul(let a, let b): if let x = a.exact, let y = b.exact { return x * y }; return nil
        case .div(let a, let b): if let x = a.exact, let y = b.exact { return x / y }; return nil
        case .pow(let a, let b):
            if let x = a.exact, let y = b.exact, y.isInteger { return x.power(y.num) }
            return nil
        case .factorial(let a):
            guard let x = a.exact, x.isInteger, x.num >= 0, x.num <= 20 else { return nil }
            var f: Int64 = 1
            if x.num > 1 { for k in 2...x.num { f *= k } }
            return Rational(f)
        }
    }

    /// Value with `env[v]` for each variable (missing variables evaluate to NaN).
    func evaluate(_ env: [UInt8: Double]) -> Double {
        switch self {
        case .number(let d, _, _): return d
        case .variable(let v): return env[v] ?? .nan
        case .pi: return Double.pi
        case .infinity: return .infinity
        case .neg(let a): return -a.evaluate(env)
        case .add(let a, let b): return a.evaluate(env) + b.evaluate(env)
        case .sub(let a, let b): return a.evaluate(env) - b.evaluate(env)
        case .mul(let a, let b): return a.evaluate(env) * b.evaluate(env)
        case .div(let a, let b): return a.evaluate(env) / b.evaluate(env)
        case .pow(let a, let b): return Foundation.pow(a.evaluate(env), b.evaluate(env))
        case .root(let a, let n):
            let x = a.evaluate(env), k = n.evaluate(env)
            if k == 2 { return x.squareRoot() }
            if x < 0, k.truncatingRemainder(dividingBy: 2) == 1 { return -Foundation.pow(-x, 1 / k) }
            return Foundation.pow(x, 1 / k)
        case .factorial(let a):
            let x = a.evaluate(env)
            guard x >= 0, x == x.rounded(), x <= 170 else { return .nan }
            return tgamma(x + 1)
        case .function(let name, let a):
            let x = a.evaluate(env)
            switch name {
            case "sin": return Foundation.sin(x)
            case "cos": return Foundation.cos(x)
            case "tan": return Foundation.tan(x)
            case "cot": return 1 / Foundation.tan(x)
            case "sec": return 1 / Foundation.cos(x)
            case "csc": return 1 / Foundation.sin(x)
            case "arcsin": return Foundation.asin(x)
            case "arccos": return Foundation.acos(x)
            case "arctan": return Foundation.atan(x)
            case "ln": return Foundation.log(x)
            case "log": return Foundation.log10(x)
            case "exp": return Foundation.exp(x)
            default: return .nan
            }
        }
    }
}

/// Recursive-descent parser for `MathExpr` over ASCII bytes. Returns nil on anything it
/// does not understand (the caller then falls back to string comparison).
struct MathExprParser {
    private let u: [UInt8]
    private var i = 0
    private var depth = 0

    static let functions: Set<String> = ["sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "ln", "log", "exp"]
    static let ignoredCommands: Set<String> = ["left", "right", "displaystyle", "bigl", "bigr", "big", "Big"]

    static func parse(_ s: String) -> MathExpr? {
        var p = MathExprParser(u: Array(s.utf8))
        guard !p.u.isEmpty, p.u.allSatisfy({ $0 < 128 }) else { return nil }
        guard let e = p.expression() else { return nil }
        p.skipSpaces()
        return p.i == p.u.count ? e : nil
    }

    private init(u: [UInt8]) { self.u = u }

    private mutating func skipSpaces() {
        while i < u.count, LatexText.isSpace(u[i]) { i += 1 }
    }

    private func peek() -> UInt8? { i < u.count ? u[i] : nil }

    /// The command name at `i` (which must be a backslash), without consuming it.
    private func commandName(at k: Int) -> String? {
        guard k < u.count, u[k] == UInt8(ascii: "\\") else { return nil }
        var j = k + 1
        while j < u.count, LatexText.isLetter(u[j]) { j += 1 }
        guard j > k + 1 else { return nil }
        return String(decoding: u[(k + 1)..<j], as: UTF8.self)
    }

    private mutating func expression() -> MathExpr? {
        depth += 1
        defer { depth -= 1 }
        guard depth < 200 else { return nil }
        guard var lhs = term() else { return nil }
        while true {
            skipSpaces()
            guard let c = peek() else { return lhs }
            if c == UInt8(ascii: "+") {
                i += 1
                guard let r = term() else { return nil }
                lhs = .add(lhs, r)
            } else if c == UInt8(ascii: "-") {
                i += 1
                guard let r = term() else { return nil }
                lhs = .sub(lhs, r)
            } else {
                return lhs
            }
        }
    }

    private mutating func term() -> MathExpr? {
        guard var lhs = unary() else { return nil }
        while true {
            skipSpaces()
            guard let c = peek() else { return lhs }
            if c == UInt8(ascii: "*") {
                i += 1
                guard let r = unary() else { return nil }
                lhs = .mul(lhs, r)
            } else if c == UInt8(ascii: "/") {
                i += 1
                guard let r = unary() else { return nil }
                lhs = .div(lhs, r)
            } else if let name = commandName(at: i), name == "cdot" || name == "times" || name == "div" {
                i += 1 + name.utf8.count
                guard let r = unary() else { return nil }
                lhs = name == "div" ? .div(lhs, r) : .mul(lhs, r)
            } else if startsPrimary() {
                guard let r = power() else { return nil }
                lhs = .mul(lhs, r)
            } else {
                return lhs
            }
        }
    }

    private func startsPrimary() -> Bool {
        guard let c = peek() else { return false }
        if LatexText.isDigit(c) || LatexText.isLetter(c) || c == UInt8(ascii: "(") || c == UInt8(ascii: "{")
            || c == UInt8(ascii: "[") || c == UInt8(ascii: ".")
        {
            return true
        }
        if let name = commandName(at: i) {
            return name == "frac" || name == "sqrt" || name == "pi" || name == "infty"
                || MathExprParser.functions.contains(name) || MathExprParser.ignoredCommands.contains(name)
        }
        return false
    }

    private mutating func unary() -> MathExpr? {
        skipSpaces()
        if peek() == UInt8(ascii: "-") {
            i += 1
            guard let a = unary() else { return nil }
            return .neg(a)
        }
        if peek() == UInt8(ascii: "+") {
            i += 1
            return unary()
        }
        return power()
    }

    private mutating func power() -> MathExpr? {
        guard var base = postfix() else { return nil }
        skipSpaces()
        if peek() == UInt8(ascii: "^") {
            i += 1
            skipSpaces()
            let exp: MathExpr?
            if peek() == UInt8(ascii: "{") || peek() == UInt8(ascii: "(") {
                exp = primary()
            } else if peek() == UInt8(ascii: "-") {
                i += 1
                exp = singleArgument().map { .neg($0) }
            } else {
                exp = singleArgument()
            }
            guard let e = exp else { return nil }
            base = .pow(base, e)
            skipSpaces()
            while peek() == UInt8(ascii: "!") { i += 1; base = .factorial(base) }
        }
        return base
    }

    private mutating func postfix() -> MathExpr? {
        guard var p = primary() else { return nil }
        while peek() == UInt8(ascii: "!") { i += 1; p = .factorial(p) }
        return p
    }

    /// One digit, one letter, a `{group}` or a command: the argument of `\frac12` or `x^2`.
    private mutating func singleArgument() -> MathExpr? {
        skipSpaces()
        guard let c = peek() else { return nil }
        if LatexText.isDigit(c) {
            i += 1
            let v = Double(c - 48)
            return .number(v, exact: Rational(Int64(c - 48)), decimal: false)
        }
        if LatexText.isLetter(c) { i += 1; return .variable(c) }
        return primary()
    }

    private mutating func number() -> MathExpr? {
        let start = i
        while i < u.count, LatexText.isDigit(u[i]) || u[i] == UInt8(ascii: ".") { i += 1 }
        let text = String(decoding: u[start..<i], as: UTF8.self)
        guard let d = Double(text.hasPrefix(".") ? "0" + text : text) else { return nil }
        let r = Rational(decimal: Substring(text))
        return .number(d, exact: r, decimal: text.contains("."))
    }

    private mutating func primary() -> MathExpr? {
        skipSpaces()
        guard let c = peek() else { return nil }
        if LatexText.isDigit(c) || c == UInt8(ascii: ".") { return number() }
        if LatexText.isLetter(c) { i += 1; return .variable(c) }
        if c == UInt8(ascii: "(") || c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
            let close: UInt8 = c == UInt8(ascii: "(") ? UInt8(ascii: ")") : c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            i += 1
            guard let e = expression() else { return nil }
            skipSpaces()
            guard peek() == close else { return nil }
            i += 1
            return e
        }
        guard let name = commandName(at: i) else { return nil }
        i += 1 + name.utf8.count
        switch name {
        case "pi": return .pi
        case "infty": return .infinity
        case "frac":
            guard let a = singleArgument(), let b = singleArgument() else { return nil }
            return .div(a, b)
        case "sqrt":
            skipSpaces()
            var index = MathExpr.number(2, exact: Rational(2), decimal: false)
            if peek() == UInt8(ascii: "[") {
                i += 1
                guard let n = expression() else { return nil }
                skipSpaces()
                guard peek() == UInt8(ascii: "]") else { return nil }
                i += 1
                index = n
            }
            guard let a = singleArgument() else { return nil }
            return .root(a, index: index)
        default:
            if MathExprParser.ignoredCommands.contains(name) { return primary() }
            if MathExprParser.functions.contains(name) {
                skipSpaces()
                var powerOfFunction: MathExpr?
                if peek() == UInt8(ascii: "^") {  // \sin^2 x
                    i += 1
                    powerOfFunction = singleArgument()
                    if powerOfFunction == nil { return nil }
                }
                guard let arg = power() else { return nil }
                let f = MathExpr.function(name, arg)
                return powerOfFunction.map { .pow(f, $0) } ?? f
            }
            return nil
        }
    }
}
