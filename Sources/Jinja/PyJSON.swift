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
        var out = ""
        try write(v, level: 0, into: &out)
        return out
    }

    private func newline(_ level: Int, into out: inout String) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }

    private func write(_ v: Value, level: Int, into out: inout String) throws {
        switch v {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" } else {
                out += PyFormat.floatRepr(d)
            }
        case .string(let s): writeString(s, into: &out)
        case .list(let a), .tuple(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (k, e) in a.enumerated() {
                if k > 0 { out += itemSeparator }
                newline(level + 1, into: &out)
                try write(e, level: level + 1, into: &out)
            }
            newline(level, into: &out)
            out += "]"
        case .dict(let d):
            if d.isEmpty { out += "{}"; return }
            out += "{"
            var entries = d.entries
            if sortKeys {
                entries.sort { a, b in (try? PyOps.less(a.key, b.key)) ?? false }
            }
            for (k, e) in entries.enumerated() {
                if k > 0 { out += itemSeparator }
                newline(level + 1, into: &out)
                switch e.key {
                case .string(let s): writeString(s, into: &out)
                case .int, .float: writeString(PyFormat.str(e.key), into: &out)
                case .bool(let b): writeString(b ? "true" : "false", into: &out)
                case .none: writeString("null", into: &out)
                default:
                    throw JinjaError(.type, "keys must be str, int, float, bool or None, not \(e.key.pyTypeName)")
                }
                out += keySeparator
                try write(e.value, level: level + 1, into: &out)
            }
            newline(level, into: &out)
            out += "}"
        case .undefined(let u):
            if u.unsafe { throw u.error }
            throw JinjaError(.type, "Object of type Undefined is not JSON serializable")
        default:
            throw JinjaError(.type, "Object of type \(v.pyTypeName) is not JSON serializable")
        }
    }

    private func writeString(_ s: String, into out: inout String) {
        out += "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if c.value < 0x20 {
                    out += "\\u" + PyFormat.hex(c.value, 4)
                } else if ensureASCII && c.value > 0x7E {
                    if c.value >= 0x10000 {
                        let v = c.value - 0x10000
                        out += "\\u" + PyFormat.hex(0xD800 + (v >> 10), 4) + "\\u" + PyFormat.hex(0xDC00 + (v & 0x3FF), 4)
                    } else {
                        out += "\\u" + PyFormat.hex(c.value, 4)
                    }
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        out += "\""
    }
}
