/// Python's text forms of values: `str()`, `repr()` and float `repr`, as jinja2 prints them.
/// References: https://docs.python.org/3/library/functions.html#repr,
/// https://docs.python.org/3/library/stdtypes.html#str.isprintable
enum PyFormat {
    /// `str(v)` — what `{{ v }}` and `| string` write. Undefined is empty.
    static func str(_ v: Value) -> String {
        switch v {
        case .string(let s): return s
        case .undefined: return ""
        default:
            var out = ""
            repr(v, into: &out)
            return out
        }
    }

    /// `repr(v)` — how values appear inside containers.
    static func repr(_ v: Value) -> String {
        var out = ""
        repr(v, into: &out)
        return out
    }

    static func repr(_ v: Value, into out: inout String) {
        switch v {
        case .undefined: out += ""
        case .none: out += "None"
        case .bool(let b): out += b ? "True" : "False"
        case .int(let i): out += String(i)
        case .float(let d): out += floatRepr(d)
        case .string(let s): stringRepr(s, into: &out)
        case .list(let a):
            out += "["
            for (k, e) in a.enumerated() {
                if k > 0 { out += ", " }
                repr(e, into: &out)
            }
            out += "]"
        case .tuple(let a):
            out += "("
            for (k, e) in a.enumerated() {
                if k > 0 { out += ", " }
                repr(e, into: &out)
            }
            out += a.count == 1 ? ",)" : ")"
        case .dict(let d):
            out += "{"
            for (k, e) in d.entries.enumerated() {
                if k > 0 { out += ", " }
                repr(e.key, into: &out)
                out += ": "
                repr(e.value, into: &out)
            }
            out += "}"
        case .namespace(let ns):
            out += "<Namespace "
            out += ns.attrs.entries.map { "\(str($0.key))=\(repr($0.value))" }.joined(separator: ", ")
            out += ">"
        case .callable(let c):
            switch c.body {
            case .macro(let m): out += "<Macro '\(m.node.name)'>"
            case .builtin(let n, _): out += "<function \(n)>"
            case .method(let recv, let n): out += "<built-in method \(n) of \(recv.pyTypeName) object>"
            }
        case .loop: out += "<LoopContext>"
        }
    }

    /// Python `float.__repr__`: shortest round-trip digits, exponent form when the decimal
    /// exponent is < -4 or >= 16 (`1e+16`, `1e-05`), else positional with at least one decimal.
    static func floatRepr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let (neg, digits, exp) = shortestDigits(d)  // value = 0.d1d2... * 10^exp
        let e10 = exp - 1  // scientific exponent: d1.d2... * 10^e10
        var s = neg ? "-" : ""
        if e10 < -4 || e10 >= 16 {
            s += String(digits.first!)
            if digits.count > 1 { s += "." + digits.dropFirst() }
            s += "e" + (e10 < 0 ? "-" : "+")
            let a = abs(e10)
            s += a < 10 ? "0\(a)" : "\(a)"
        } else if exp <= 0 {
            s += "0." + String(repeating: "0", count: -exp) + digits
        } else if exp >= digits.count {
            s += digits + String(repeating: "0", count: exp - digits.count) + ".0"
        } else {
            let i = digits.index(digits.startIndex, offsetBy: exp)
            s += digits[..<i] + "." + digits[i...]
        }
        return s
    }

    /// Shortest round-trip decimal digits of `d` (from Swift's description) and the exponent
    /// such that |d| = 0.DIGITS × 10^exp.
    private static func shortestDigits(_ d: Double) -> (Bool, String, Int) {
        var s = Substring(d.description)
        var neg = false
        if s.first == "-" { neg = true; s = s.dropFirst() }
        var exp = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exp = Int(String(s[s.index(after: e)...])) ?? 0
            s = s[..<e]
        }
        var intPart = Substring(s), frac = Substring("")
        if let dot = s.firstIndex(of: ".") {
            intPart = s[..<dot]
            frac = s[s.index(after: dot)...]
        }
        var digits = String(intPart) + String(frac)
        var point = intPart.count + exp
        while digits.count > 1, digits.first == "0" { digits.removeFirst(); point -= 1 }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        return (neg, digits, point)
    }

    /// Python `repr(str)`: single quotes unless the text has `'` and no `"`; escapes `\\`, the
    /// quote, `\t \n \r`, and non-printable characters as `\xNN` / `\uNNNN` / `\UNNNNNNNN`.
    static func stringRepr(_ s: String, into out: inout String) {
        let quote: Unicode.Scalar = (s.contains("'") && !s.contains("\"")) ? "\"" : "'"
        out.unicodeScalars.append(quote)
        for c in s.unicodeScalars {
            switch c {
            case quote, "\\": out += "\\"; out.unicodeScalars.append(c)
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default:
                if isPrintable(c) {
                    out.unicodeScalars.append(c)
                } else if c.value < 0x100 {
                    out += "\\x" + hex(c.value, 2)
                } else if c.value < 0x10000 {
                    out += "\\u" + hex(c.value, 4)
                } else {
                    out += "\\U" + hex(c.value, 8)
                }
            }
        }
        out.unicodeScalars.append(quote)
    }

    static func hex(_ v: UInt32, _ width: Int) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }

    /// `str.isprintable` for one character: not in categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs (space excepted).
    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        if c.value >= 0x20 && c.value < 0x7F { return true }
        if c.value < 0x20 || c.value == 0x7F { return false }
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
             .spaceSeparator:
            return false
        default: return true
        }
    }

    /// Python `str.isspace` for one character (what `strip()`, `split()` and `| trim` remove).
    @inline(__always)
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x80 { return v == 0x20 || (v >= 0x09 && v <= 0x0D) || (v >= 0x1C && v <= 0x1F) }
        switch v {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}
