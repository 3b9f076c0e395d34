import Records

/// `json.dumps(value, ensure_ascii=False)` with Python's default separators (`", "`, `": "`),
/// key order kept — what the `tojson` filter of transformers' chat templates writes.
/// Reference: https://docs.python.org/3/library/json.html#json.dumps
enum PythonJSON {
    static func dumps(_ v: JSONValue) -> String {
        var out: [UInt8] = []
        write(v, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func write(_ v: JSONValue, into out: inout [UInt8]) {
        switch v {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .int(let i): out += Array(String(i).utf8)
        case .bigInt(let s): out += Array(s.utf8)
        case .double(let d): out += Array(pythonFloatRepr(d).utf8)
        case .string(let s): JSONWriter.writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (k, e) in a.enumerated() {
                if k > 0 { out += [UInt8(ascii: ","), 0x20] }
                write(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (k, e) in o.entries.enumerated() {
                if k > 0 { out += [UInt8(ascii: ","), 0x20] }
                JSONWriter.writeString(e.key, into: &out)
                out += [UInt8(ascii: ":"), 0x20]
                write(e.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Python `float.__repr__`: shortest round-trip digits; exponent form when exp < -4 or ≥ 16.
    static func pythonFloatRepr(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description gives the same shortest digits; normalise the layout to Python's.
        let s = "\(d)"
        var digits = ""
        var exp = 0
        var neg = false
        var mant = Substring(s)
        if mant.first == "-" { neg = true; mant = mant.dropFirst() }
        if let e = mant.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exp = Int(mant[mant.index(after: e)...]) ?? 0
            mant = mant[..<e]
        }
        let parts = mant.split(separator: ".", omittingEmptySubsequences: false)
        let ip = String(parts[0]), fp = parts.count > 1 ? String(parts[1]) : ""
        digits = ip + fp
        var point = ip.count + exp  // decimal point position relative to digits start
        while digits.count > 1 && digits.first == "0" { digits.removeFirst(); point -= 1 }
        while digits.count > 1 && digits.last == "0" { digits.removeLast() }
        let e10 = point - 1
        var r: String
        if e10 < -4 || e10 >= 16 {
            r = String(digits.first!)
            if digits.count > 1 { r += "." + digits.dropFirst() }
            r += "e" + (e10 < 0 ? "-" : "+") + (abs(e10) < 10 ? "0" : "") + String(abs(e10))
        } else if point <= 0 {
            r = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            r = digits + String(repeating: "0", count: point - digits.count) + ".0"
        } else {
            let i = digits.index(digits.startIndex, offsetBy: point)
            r = digits[..<i] + "." + digits[i...]
        }
        return neg ? "-" + r : r
    }
}
