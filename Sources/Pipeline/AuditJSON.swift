import Records

/// JSON output of the audit. Foundation's `JSONEncoder` writes an integral `Double` as `0`,
/// so the encoded report is re-parsed and every value under a `Double`-typed key is turned back
/// into a JSON float before writing (pretty, sorted keys, 2-space indent, trailing newline).
enum AuditJSON {
    /// CodingKeys of `Double` / `[Double]` fields of `AuditReport`, `AuditGroup`, `AuditSample`.
    static let doubleKeys: Set<String> = [
        "percentile", "p_threshold", "entropy_threshold", "abs_entropy", "abs_probability", "density_h_max",
        "mean_gate", "mean_p", "mean_entropy", "p_quantiles", "entropy_quantiles",
        "conflict_rate_percentile", "conflict_rate_absolute", "grad_share_conflict_percentile",
        "grad_share_conflict_absolute", "conflict_rate",
    ]

    /// `v` with every int under a key in `doubleKeys` (or in an array under one) made a double.
    static func floatingDoubles(_ v: JSONValue, forced: Bool = false) -> JSONValue {
        switch v {
        case .int(let i): return forced ? .double(Double(i)) : v
        case .bigInt(let s): return forced ? .double(Double(s) ?? .nan) : v
        case .array(let a): return .array(a.map { floatingDoubles($0, forced: forced) })
        case .object(let o):
            return .object(JSONObject(o.entries.map { ($0.key, floatingDoubles($0.value, forced: doubleKeys.contains($0.key))) }))
        default: return v
        }
    }

    /// Pretty-printed UTF-8 with sorted keys and a trailing newline.
    static func pretty(_ v: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        write(v, indent: 0, into: &out)
        out.append(0x0A)
        return out
    }

    private static func pad(_ n: Int, _ out: inout [UInt8]) {
        out.append(contentsOf: [UInt8](repeating: 0x20, count: 2 * n))
    }

    private static func write(_ v: JSONValue, indent: Int, into out: inout [UInt8]) {
        switch v {
        case .array(let a) where !a.isEmpty:
            // Arrays of scalars on one line (density rows, quantiles); nested arrays one per line.
            if a.allSatisfy({ $0.arrayValue == nil && $0.objectValue == nil }) {
                out.append(contentsOf: JSONWriter().string(v).utf8)
                return
            }
            out.append(contentsOf: "[\n".utf8)
            for (k, e) in a.enumerated() {
                pad(indent + 1, &out)
                write(e, indent: indent + 1, into: &out)
                out.append(contentsOf: (k + 1 < a.count ? ",\n" : "\n").utf8)
            }
            pad(indent, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let o) where !o.isEmpty:
            out.append(contentsOf: "{\n".utf8)
            let entries = o.entries.sorted { $0.key < $1.key }
            for (k, e) in entries.enumerated() {
                pad(indent + 1, &out)
                JSONWriter.writeString(e.key, into: &out)
                out.append(contentsOf: ": ".utf8)
                write(e.value, indent: indent + 1, into: &out)
                out.append(contentsOf: (k + 1 < entries.count ? ",\n" : "\n").utf8)
            }
            pad(indent, &out)
            out.append(UInt8(ascii: "}"))
        default:
            JSONWriter().write(v, into: &out)
        }
    }
}
