/// Serialises `JSONValue` to compact JSON text (UTF-8, no insignificant whitespace).
///
/// Escaping follows Python's `json.dumps(..., ensure_ascii=False)`: `"` `\` and
/// control characters are escaped, everything else is written as UTF-8. Doubles
/// use Swift's shortest round-trip form; non-finite doubles are written as
/// `NaN` / `Infinity` / `-Infinity` as Python does (or `null` when `strict`).
public struct JSONWriter {
    public var sortKeys: Bool
    public var strict: Bool

    public init(sortKeys: Bool = false, strict: Bool = false) {
        self.sortKeys = sortKeys
        self.strict = strict
    }

    /// Appends the serialised value to `out`.
    public func write(_ v: JSONValue, into out: inout [UInt8]) {
        switch v {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .bigInt(let s): out.append(contentsOf: s.utf8)
        case .double(let d): writeDouble(d, into: &out)
        case .string(let s): JSONWriter.writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (k, e) in a.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                write(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            let entries = sortKeys ? o.entries.sorted { $0.key < $1.key } : o.entries
            for (k, e) in entries.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(e.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(e.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The serialised value as a String.
    public func string(_ v: JSONValue) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(v, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func writeDouble(_ d: Double, into out: inout [UInt8]) {
        if d.isNaN { out.append(contentsOf: (strict ? "null" : "NaN").utf8); return }
        if d.isInfinite {
            out.append(contentsOf: (strict ? "null" : (d < 0 ? "-Infinity" : "Infinity")).utf8)
            return
        }
        out.append(contentsOf: d.description.utf8)
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `s` as a quoted, escaped JSON string.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 15)]])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { JSONWriter().string(self) }
}
