import Foundation

/// Python 3 operator semantics on template values: `==`, ordering, `in`, `+ - * / // % **`, slicing.
/// Strings compare by code point (not Swift's canonical equivalence) and index by code point.
/// Reference: https://docs.python.org/3/reference/expressions.html
enum PyOps {
    /// `max(0, n)`, or a `.limit` error when `unit × n` would exceed `limit` (checked without overflow).
    static func repeatCount(_ unit: Int, _ n: Int, _ limit: Int) throws -> Int {
        let n = max(0, n)
        if unit == 0 { return 0 }  // the result is empty whatever n is
        if n > limit / unit {
            throw JinjaError(.limit, "repetition result would exceed \(limit) \(limit == Limits.maxRepeatBytes ? "bytes" : "elements")")
        }
        return n
    }

    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return Text.bytesEqual(x, y)
        case (.none, .none): return true
        case (.undefined, .undefined): return true
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.dict(let x), .dict(let y)):
            guard x.count == y.count else { return false }
            for (k, v) in x.entries {
                guard let w = y[k], equal(v, w) else { return false }
            }
            return true
        case (.namespace(let x), .namespace(let y)): return x === y
        case (.callable(let x), .callable(let y)): return x === y
        default:
            if let x = number(a), let y = number(b) { return x == y }
            return false
        }
    }

    /// Int, float or bool as a Double (bool is an int in Python).
    static func number(_ v: Value) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .float(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    static func int(_ v: Value) -> Int? {
        switch v {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// `a < b`; TypeError for unorderable types.
    static func less(_ a: Value, _ b: Value) throws -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x.utf8.lexicographicallyPrecedes(y.utf8)
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            for (p, q) in zip(x, y) where !equal(p, q) { return try less(p, q) }
            return x.count < y.count
        default:
            if let x = int(a), let y = int(b) { return x < y }
            if let x = number(a), let y = number(b) { return x < y }
            throw JinjaError(.type, "'<' not supported between instances of '\(a.pyTypeName)' and '\(b.pyTypeName)'")
        }
    }

    /// `needle in haystack`.
    static func contains(_ haystack: Value, _ needle: Value) throws -> Bool {
        switch haystack {
        case .string(let s):
            guard case .string(let n) = needle else {
                if case .undefined(let u) = needle { throw u.error }
                throw JinjaError(.type, "'in <string>' requires string as left operand, not \(needle.pyTypeName)")
            }
            return Text.find(s, n) != nil
        case .list(let a), .tuple(let a): return a.contains { equal($0, needle) }
        case .dict(let d): return d[needle] != nil
        case .undefined: return false
        case .namespace(let ns): return ns.attrs[needle] != nil
        default: throw JinjaError(.type, "argument of type '\(haystack.pyTypeName)' is not iterable")
        }
    }

    static func add(_ a: Value, _ b: Value) throws -> Value {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            if x.utf8.count + y.utf8.count > Limits.maxRepeatBytes { throw JinjaError(.limit, "string result would exceed \(Limits.maxRepeatBytes) bytes") }
            return .string(x + y)
        case (.list(let x), .list(let y)):
            if x.count + y.count > Limits.maxRepeatElements { throw JinjaError(.limit, "list result would exceed \(Limits.maxRepeatElements) elements") }
            return .list(x + y)
        case (.tuple(let x), .tuple(let y)): return .tuple(x + y)
        case (.undefined(let u), _): throw u.error
        case (_, .undefined(let u)): throw u.error
        default:
            if let r = try arith(a, b, "+", { $0.addingReportingOverflow($1) }, { $0 + $1 }) { return r }
            if case .string = a {
                throw JinjaError(.type, "can only concatenate str (not \"\(b.pyTypeName)\") to str")
            }
            if case .list = a {
                throw JinjaError(.type, "can only concatenate list (not \"\(b.pyTypeName)\") to list")
            }
            throw JinjaError(.type, "unsupported operand type(s) for +: '\(a.pyTypeName)' and '\(b.pyTypeName)'")
        }
    }

    /// Integer op when both are ints (float on overflow), float op when either is a float.
    static func arith(_ a: Value, _ b: Value, _ sym: String, _ iop: (Int, Int) -> (partialValue: Int, overflow: Bool),
                      _ fop: (Double, Double) -> Double) throws -> Value? {
        if let x = int(a), let y = int(b) {
            let r = iop(x, y)
            return r.overflow ? .float(fop(Double(x), Double(y))) : .int(r.partialValue)
        }
        if let x = number(a), let y = number(b) { return .float(fop(x, y)) }
        return nil
    }

    static func binary(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Value {
        if case .undefined(let u) = a { throw u.error }
        if case .undefined(let u) = b { throw u.error }
        let unsupported = JinjaError(.type, "unsupported operand type(s) for \(op.rawValue): '\(a.pyTypeName)' and '\(b.pyTypeName)'")
        switch op {
        case .add: return try add(a, b)
        case .sub:
            if let r = try arith(a, b, "-", { $0.subtractingReportingOverflow($1) }, { $0 - $1 }) { return r }
            throw unsupported
        case .mul:
            switch (a, b) {
            case (.string(let s), _) where int(b) != nil: return .string(String(repeating: s, count: try repeatCount(s.utf8.count, int(b)!, Limits.maxRepeatBytes)))
            case (_, .string(let s)) where int(a) != nil: return .string(String(repeating: s, count: try repeatCount(s.utf8.count, int(a)!, Limits.maxRepeatBytes)))
            case (.list(let l), _) where int(b) != nil:
                return .list(Array(repeating: l, count: try repeatCount(l.count, int(b)!, Limits.maxRepeatElements)).flatMap { $0 })
            default:
                if let r = try arith(a, b, "*", { $0.multipliedReportingOverflow(by: $1) }, { $0 * $1 }) { return r }
                throw unsupported
            }
        case .div:
            guard let x = number(a), let y = number(b) else { throw unsupported }
            if y == 0 { throw JinjaError(.type, "division by zero") }
            return .float(x / y)
        case .floordiv:
            if let x = int(a), let y = int(b) {
                if y == 0 { throw JinjaError(.type, "integer division or modulo by zero") }
                var q = x / y
                if (x % y != 0) && ((x < 0) != (y < 0)) { q -= 1 }
                return .int(q)
            }
            guard let x = number(a), let y = number(b) else { throw unsupported }
            if y == 0 { throw JinjaError(.type, "float floor division by zero") }
            return .float((x / y).rounded(.down))
        case .mod:
            if case .string(let fmt) = a { return .string(try Printf.format(fmt, b)) }
            if let x = int(a), let y = int(b) {
                if y == 0 { throw JinjaError(.type, "integer modulo by zero") }
                let r = x % y
                return .int(r != 0 && ((r < 0) != (y < 0)) ? r + y : r)
            }
            guard let x = number(a), let y = number(b) else { throw unsupported }
            if y == 0 { throw JinjaError(.type, "float modulo") }
            var r = x.truncatingRemainder(dividingBy: y)
            if r != 0 && ((r < 0) != (y < 0)) { r += y }
            return .float(r)
        case .pow:
            if let x = int(a), let y = int(b), y >= 0 {
                var r = 1, overflow = false
                for _ in 0..<min(y, 4096) {
                    let m = r.multipliedReportingOverflow(by: x)
                    if m.overflow { overflow = true; break }
                    r = m.partialValue
                }
                if !overflow { return .int(r) }
            }
            guard let x = number(a), let y = number(b) else { throw unsupported }
            return .float(pow(x, y))
        }
    }

    /// Python slicing `seq[start:stop:step]` on a sequence of `count` items; returns the indices.
    static func sliceIndices(count: Int, start: Int?, stop: Int?, step: Int?) throws -> [Int] {
        let step = step ?? 1
        if step == 0 { throw JinjaError(.type, "slice step cannot be zero") }
        func clamp(_ v: Int?, _ dflt: Int, lo: Int, hi: Int) -> Int {
            guard var v else { return dflt }
            if v < 0 { v += count }
            return min(max(v, lo), hi)
        }
        var out: [Int] = []
        if step > 0 {
            let s = clamp(start, 0, lo: 0, hi: count), e = clamp(stop, count, lo: 0, hi: count)
            var i = s
            while i < e { out.append(i); i += step }
        } else {
            let s = clamp(start, count - 1, lo: -1, hi: count - 1), e = clamp(stop, -1, lo: -1, hi: count - 1)
            var i = s
            while i > e { out.append(i); i += step }
        }
        return out
    }
}

