/// Python's `json.dumps(x, ensure_ascii=..., indent=..., separators=..., sort_keys=...)`, which is
/// transformers' `tojson` filter (it replaces jinja2's HTML-escaping one; see
/// `_compile_jinja_template` in transformers/utils/chat_template_utils.py).
/// Reference: https://docs.python.org/3/library/json.html#json.dumps
struct PyJSON {
    var ensureASCII = false
    /// nil = one line; a number of spaces or a string = pretty-printed with that indent.
    var indent: String? = nil
    var itemSeparator: String
    var keySeparator = ": "
    var sortKeys = false

    init(ensureASCII: Bool = false, indent: String? = nil, separators: (String, String)? = nil, sortKeys: Bool = false) {
        self.ensureASCII = ensureASCII
        self.indent = indent
        self.sortKeys = sortKeys
        if let separators {
            itemSeparator = separators.0
            keySeparator = separators.1
        } else {
            itemSeparator = indent == nil ? ", " : ","
        }
    }

    func dumps(_ v: Value) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        try write(v, level: 0, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func newline(_ level: Int, into out: inout [UInt8]) {
        guard let indent else { return }
        out.append(0x0A)
        for _ in 0..<level { out += indent.utf8 }
    }

    private func write(_ v: Value, level: Int, into out: inout [UInt8]) throws {
        switch v {
        case .none: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .int(let i): out += String(i).utf8
        case .float(let d):
            if d.isNaN { out += "NaN".utf8 } else if d.isInfinite { out += (d < 0 ? "-Infinity" : "Infinity").utf8 } else {
                out += PyFormat.floatRepr(d).utf8
            }
        case .string(let s): writeString(s, into: &out)
        case .list(let a), .tuple(let a):
            if a.isEmpty { out += "[]".utf8; return }
            out.append(UInt8(ascii: "["))
            for (k, e) in a.enumerated() {
                if k > 0 { out += itemSeparator.utf8 }
                newline(level + 1, into: &out)
                try write(e, level: level + 1, into: &out)
            }
            newline(level, into: &out)
            out.append(UInt8(ascii: "]"))
        case .dict(let d):
            if d.isEmpty { out += "{}".utf8; return }
            out.append(UInt8(ascii: "{"))
            var entries = d.entries
            if sortKeys {
                entries.sort { a, b in (try? PyOps.less(a.key, b.key)) ?? false }
            }
            for (k, e) in entries.enumerated() {
                if k > 0 { out += itemSeparator.utf8 }
                newline(level + 1, into: &out)
                switch e.key {
                case .string(let s): writeString(s, into: &out)
                case .int, .float: writeString(PyFormat.str(e.key), into: &out)
                case .bool(let b): writeString(b ? "true" : "false", into: &out)
                case .none: writeString("null", into: &out)
                default:
                    throw JinjaError(.type, "keys must be str, int, float, bool or None, not \(e.key.pyTypeName)")
                }
                out += keySeparator.utf8
                try write(e.value, level: level + 1, into: &out)
            }
            newline(level, into: &out)
            out.append(UInt8(ascii: "}"))
        case .undefined(let u):
            if u.unsafe { throw u.error }
            throw JinjaError(.type, "Object of type Undefined is not JSON serializable")
        default:
            throw JinjaError(.type, "Object of type \(v.pyTypeName) is not JSON serializable")
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        if !ensureASCII {
            var s = s
            s.withUTF8 { b in
                var start = 0
                for i in 0..<b.count {
                    let c = b[i]
                    if c >= 0x20 && c != 0x22 && c != 0x5C { continue }
                    if i > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i])) }
                    start = i + 1
                    switch c {
                    case 0x22: out.append(0x5C); out.append(0x22)
                    case 0x5C: out.append(0x5C); out.append(0x5C)
                    case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
                    case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
                    case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
                    case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
                    case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
                    default:
                        out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, PyJSON.hexDigits[Int(c >> 4)], PyJSON.hexDigits[Int(c & 15)]]
                    }
                }
                if b.count > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<b.count])) }
            }
            out.append(0x22)
            return
        }
        var esc = ""
        for c in s.unicodeScalars {
            switch c {
            case "\"", "\\", "\n", "\r", "\t", "\u{08}", "\u{0C}":
                let map: [Unicode.Scalar: String] = ["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                                                     "\u{08}": "\\b", "\u{0C}": "\\f"]
                esc += map[c]!
            default:
                if c.value < 0x20 || c.value > 0x7E {
                    if c.value >= 0x10000 {
                        let v = c.value - 0x10000
                        esc += "\\u" + PyFormat.hex(0xD800 + (v >> 10), 4) + "\\u" + PyFormat.hex(0xDC00 + (v & 0x3FF), 4)
                    } else {
                        esc += "\\u" + PyFormat.hex(c.value, 4)
                    }
                } else {
                    esc.unicodeScalars.append(c)
                }
            }
        }
        out += esc.utf8
        out.append(0x22)
    }
}
