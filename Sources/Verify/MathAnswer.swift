import Foundation

/// A normalised final answer with its structure: a scalar expression, an ordered tuple
/// or interval, an unordered set (`\{…\}` or a bare comma list), a matrix, an equation,
/// or plain text. Comparison rules follow Qwen2.5-Math's `math_equal`
/// (https://github.com/QwenLM/Qwen2.5-Math/blob/main/evaluation/grader.py): numbers by
/// value (exact rationals, else relative tolerance), lists element-wise, matrices
/// element-wise, simple equations by their right side; sets order-free as Math-Verify does.
indirect enum MathAnswer: Sendable, Equatable {
    case scalar(MathExpr, text: String)
    /// `(a, b]`: open and close brackets kept so intervals with different ends differ.
    case tuple([MathAnswer], open: UInt8, close: UInt8)
    case set([MathAnswer])
    case union([MathAnswer])
    case matrix([[MathAnswer]])
    case equation(MathExpr, MathExpr, text: String)
    case text(String)

    /// Parses a normalised answer string (see `MathNormalizer.normalize`).
    static func parse(_ s: String, depth: Int = 0) -> MathAnswer {
        guard depth < 8, !s.isEmpty else { return .text(s) }
        // matrices
        for env in ["pmatrix", "bmatrix", "matrix", "vmatrix"] {
            let begin = "\\begin{\(env)}", end = "\\end{\(env)}"
            if s.hasPrefix(begin), s.hasSuffix(end), s.count > begin.count + end.count {
                let body = String(s.dropFirst(begin.count).dropLast(end.count))
                let rows = body.components(separatedBy: "\\\\").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                return .matrix(rows.map { row in row.split(separator: "&").map { parse(String($0), depth: depth + 1) } })
            }
        }
        // unions of intervals
        if s.contains("\\cup") {
            let parts = s.components(separatedBy: "\\cup")
            if parts.count > 1 { return .union(parts.map { parse($0, depth: depth + 1) }) }
        }
        let u = Array(s.utf8)
        // sets \{ … \}
        if s.hasPrefix("\\{"), s.hasSuffix("\\}"), u.count >= 4 {
            let inner = String(decoding: u[2..<(u.count - 2)], as: UTF8.self)
            return .set(LatexText.splitTopLevel(inner).map { parse($0, depth: depth + 1) })
        }
        // tuples and intervals
        if let f = u.first, let l = u.last, f == UInt8(ascii: "(") || f == UInt8(ascii: "["),
           l == UInt8(ascii: ")") || l == UInt8(ascii: "]"), enclosesAll(u)
        {
            let inner = String(decoding: u[1..<(u.count - 1)], as: UTF8.self)
            let parts = LatexText.splitTopLevel(inner)
            if parts.count > 1 {
                return .tuple(parts.map { parse($0, depth: depth + 1) }, open: f, close: l)
            }
        }
        let top = LatexText.splitTopLevel(s)
        if top.count > 1 {
            return .set(top.map { parse($0, depth: depth + 1) })
        }
        // equations a = b (non-simple ones; simple ones were reduced by the normaliser)
        let eqParts = LatexText.splitTopLevel(s, separator: UInt8(ascii: "="))
        if eqParts.count == 2, let l = MathExprParser.parse(eqParts[0]), let r = MathExprParser.parse(eqParts[1]) {
            return .equation(l, r, text: s)
        }
        if let e = MathExprParser.parse(s) { return .scalar(e, text: s) }
        return .text(s)
    }

    /// True when the first bracket closes only at the end (so `(1)+(2)` is not a tuple).
    private static func enclosesAll(_ u: [UInt8]) -> Bool {
        var depth = 0
        for (k, c) in u.enumerated() {
            if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 }
            if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0, k != u.count - 1 { return false }
            }
        }
        return depth == 0
    }
}

/// Equivalence of two `MathAnswer`s.
struct MathComparator: Sendable {
    var relativeTolerance: Double = 1e-6
    /// Only for values that should be 0 (e.g. sin π); answers like 1.76·10⁻¹⁰ stay distinct from 0.
    var absoluteTolerance: Double = 1e-14

    /// Fixed evaluation points for expressions with variables.
    static let points: [Double] = [0.7381, 1.3127, 2.2419, -0.5813]

    func equal(_ a: MathAnswer, _ b: MathAnswer) -> Bool {
        switch (a, b) {
        case (.scalar(let x, let tx), .scalar(let y, let ty)):
            return tx == ty || equalExpr(x, y)
        case (.tuple(let xs, let o1, let c1), .tuple(let ys, let o2, let c2)):
            guard xs.count == ys.count else { return false }
            // A tuple and an interval with the same ends: brackets must match when both
            // look like intervals with square brackets.
            if (o1 != o2 || c1 != c2), o1 == UInt8(ascii: "[") || o2 == UInt8(ascii: "[") || c1 == UInt8(ascii: "]") || c2 == UInt8(ascii: "]") {
                return false
            }
            return zip(xs, ys).allSatisfy { equal($0, $1) }
        case (.set(let xs), .set(let ys)), (.union(let xs), .union(let ys)):
            return unorderedEqual(xs, ys)
        case (.set(let xs), .tuple(let ys, _, _)), (.tuple(let xs, _, _), .set(let ys)):
            // "1, 2" against "(1, 2)": compare in order (a bare list of a tuple's entries).
            return xs.count == ys.count && zip(xs, ys).allSatisfy { equal($0, $1) }
        case (.matrix(let xs), .matrix(let ys)):
            guard xs.count == ys.count else { return false }
            for (r1, r2) in zip(xs, ys) {
                guard r1.count == r2.count, zip(r1, r2).allSatisfy({ equal($0, $1) }) else { return false }
            }
            return true
        case (.equation(let l1, let r1, let t1), .equation(let l2, let r2, let t2)):
            if t1 == t2 { return true }
            let d1 = MathExpr.sub(l1, r1), d2 = MathExpr.sub(l2, r2)
            return equalExpr(d1, d2) || equalExpr(d1, .neg(d2)) || (equalExpr(l1, l2) && equalExpr(r1, r2))
        case (.text(let x), .text(let y)):
            return textEqual(x, y)
        case (.text(let x), .scalar(_, let t)), (.scalar(_, let t), .text(let x)):
            return textEqual(x, t)
        default:
            return false
        }
    }

    private func unorderedEqual(_ xs: [MathAnswer], _ ys: [MathAnswer]) -> Bool {
        guard xs.count == ys.count else { return false }
        var used = [Bool](repeating: false, count: ys.count)
        outer: for x in xs {
            for (k, y) in ys.enumerated() where !used[k] && equal(x, y) {
                used[k] = true
                continue outer
            }
            return false
        }
        return true
    }

    func textEqual(_ x: String, _ y: String) -> Bool {
        func canon(_ s: String) -> String {
            var t = s.lowercased().filter { !$0.isWhitespace && $0 != "{" && $0 != "}" }
            // (C) → c, \text{(C)} already unwrapped
            if t.count == 3, t.first == "(", t.last == ")" { t = String(t.dropFirst().dropLast()) }
            if t.hasSuffix(".") { t.removeLast() }
            return t
        }
        return canon(x) == canon(y)
    }

    func equalExpr(_ x: MathExpr, _ y: MathExpr) -> Bool {
        if x == y { return true }
        let vx = x.variables, vy = y.variables
        if vx.isEmpty, vy.isEmpty {
            if !x.hasDecimal, !y.hasDecimal, let rx = x.exact, let ry = y.exact { return rx == ry }
            return close(x.evaluate([:]), y.evaluate([:]))
        }
        // Variables are compared by evaluation over their union (so sin²x + cos²x ≡ 1);
        // different letters get different values, so 4t ≢ 4s.
        let vars = vx.union(vy).sorted()
        var anyFinite = false
        for (k, _) in MathComparator.points.enumerated() {
            var env: [UInt8: Double] = [:]
            for (j, v) in vars.enumerated() {
                env[v] = MathComparator.points[(k + j) % MathComparator.points.count] + Double(j) * 0.173
            }
            let a = x.evaluate(env), b = y.evaluate(env)
            if a.isNaN && b.isNaN { continue }
            guard close(a, b) else { return false }
            anyFinite = true
        }
        return anyFinite
    }

    func close(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return false }
        if a.isInfinite || b.isInfinite { return a == b }
        let diff = abs(a - b)
        return diff <= absoluteTolerance || diff <= relativeTolerance * max(abs(a), abs(b))
    }
}
