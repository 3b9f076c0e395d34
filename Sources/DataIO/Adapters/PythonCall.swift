import Foundation
import Records
/// Parses a Python call expression with literal arguments, as in BFCL multi-turn ground truth
/// (`cd(folder='workspace')`, `post_tweet('hi', tags=['#a'])`). Literals: strings ('…', "…",
/// with the usual escapes), ints, floats, True/False/None, lists, tuples (→ arrays) and dicts.
/// Grammar subset of https://docs.python.org/3/reference/expressions.html#calls.
public struct PythonCall: Equatable {
    public var name: String
    public var positional: [JSONValue]
    public var keywords: [(String, JSONValue)]

    public static func == (a: PythonCall, b: PythonCall) -> Bool {
        a.name == b.name && a.positional == b.positional && a.keywords.map(\.0) == b.keywords.map(\.0)
            && a.keywords.map(\.1) == b.keywords.map(\.1)
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "at character \(offset): \(reason)" }
    }

    public static func parse(_ s: String) throws -> PythonCall {
        var p = Parser(u: Array(s.unicodeScalars))
        p.ws()
        let name = try p.dottedName()
        p.ws()
        try p.expect("(")
        var pos: [JSONValue] = [], kw: [(String, JSONValue)] = []
        p.ws()
        if !p.eat(")") {
            while true {
                p.ws()
                let save = p.i
                if let ident = try? p.identifier(), { p.ws(); return p.eat("=") }() {
                    p.ws()
                    kw.append((ident, try p.value()))
                } else {
                    p.i = save
                    guard kw.isEmpty else { throw p.fail("positional argument after keyword arguments") }
                    pos.append(try p.value())
                }
                p.ws()
                if p.eat(",") { p.ws(); if p.eat(")") { break }; continue }
                try p.expect(")")
                break
            }
        }
        p.ws()
        guard p.i == p.u.count else { throw p.fail("unexpected text after the call") }
        return PythonCall(name: name, positional: pos, keywords: kw)
    }

    struct Parser {
        let u: [Unicode.Scalar]
        var i = 0

        func fail(_ r: String) -> ParseError { ParseError(offset: i, reason: r) }
        mutating func ws() { while i < u.count, u[i] == " " || u[i] == "\n" || u[i] == "\t" || u[i] == "\r" { i += 1 } }
        mutating func eat(_ c: Unicode.Scalar) -> Bool { if i < u.count, u[i] == c { i += 1; return true }; return false }
        mutating func expect(_ c: Unicode.Scalar) throws { if !eat(c) { throw fail("expected '\(c)'") } }

        mutating func identifier() throws -> String {
            let s = i
            guard i < u.count, u[i] == "_" || u[i].properties.isAlphabetic else { throw fail("expected a name") }
            while i < u.count, u[i] == "_" || u[i].properties.isAlphabetic || ("0"..."9").contains(u[i]) { i += 1 }
            return String(String.UnicodeScalarView(u[s..<i]))
        }

        mutating func dottedName() throws -> String {
            var n = try identifier()
            while i < u.count, u[i] == "." { i += 1; n += "." + (try identifier()) }
            return n
        }

        mutating func value() throws -> JSONValue {
            ws()
            guard i < u.count else { throw fail("unexpected end") }
            let c = u[i]
            if c == "'" || c == "\"" { return .string(try string()) }
            if c == "[" || c == "(" {
                let close: Unicode.Scalar = c == "[" ? "]" : ")"
                i += 1
                var a: [JSONValue] = []
                ws()
                while !eat(close) {
                    a.append(try value())
                    ws()
                    if !eat(",") { ws(); try expect(close); break }
                    ws()
                }
                return .array(a)
            }
            if c == "{" {
                i += 1
                var o = JSONObject()
                ws()
                while !eat("}") {
                    let k = try value()
                    guard let ks = RowFields.scalarText(k) else { throw fail("dict key must be a string or number") }
                    ws(); try expect(":")
                    o.entries.append((key: ks, value: try value()))
                    ws()
                    if !eat(",") { ws(); try expect("}"); break }
                    ws()
                }
                return .object(o)
            }
            if c == "-" || c == "+" || c == "." || ("0"..."9").contains(c) { return try number() }
            let word = try identifier()
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .null
            default: throw fail("unsupported expression '\(word)' (only literals are allowed)")
            }
        }

        mutating func number() throws -> JSONValue {
            let s = i
            if u[i] == "-" || u[i] == "+" { i += 1 }
            while i < u.count, ("0"..."9").contains(u[i]) || u[i] == "." || u[i] == "e" || u[i] == "E" || u[i] == "_"
                || ((u[i] == "-" || u[i] == "+") && (u[i - 1] == "e" || u[i - 1] == "E")) { i += 1 }
            let t = String(String.UnicodeScalarView(u[s..<i])).replacingOccurrences(of: "_", with: "")
            if let v = Int64(t) { return .int(v) }
            if let d = Double(t) { return .double(d) }
            throw fail("bad number '\(t)'")
        }

        mutating func string() throws -> String {
            let q = u[i]
            i += 1
            var out = String.UnicodeScalarView()
            while i < u.count {
                let c = u[i]
                if c == q { i += 1; return String(out) }
                if c == "\\", i + 1 < u.count {
                    let e = u[i + 1]
                    i += 2
                    switch e {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "0": out.append("\0")
                    case "\\", "'", "\"": out.append(e)
                    case "x", "u":
                        let len = e == "x" ? 2 : 4
                        guard i + len <= u.count, let v = UInt32(String(String.UnicodeScalarView(u[i..<(i + len)])), radix: 16),
                              let sc = Unicode.Scalar(v) else { throw fail("bad \\\(e) escape") }
                        out.append(sc)
                        i += len
                    default: out.append("\\"); out.append(e)
                    }
                    continue
                }
                out.append(c)
                i += 1
            }
            throw fail("unterminated string")
        }
    }
}
