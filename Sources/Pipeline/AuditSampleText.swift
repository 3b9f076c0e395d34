import Foundation

/// `eaft audit DIR --sample ID`: one sample's tokens on a terminal, one line per position with
/// p, H, gate and the token the base model expected; label tokens marked, confident conflicts
/// (percentile definition) flagged. ANSI colours (gate: red low, green high) when `color`.
public enum AuditSampleText {
    public static func render(_ v: AuditTokenSample, color: Bool) -> String {
        func q(_ s: String) -> String {
            var o = "\""
            for c in s.unicodeScalars {
                switch c {
                case "\n": o += "\\n"
                case "\t": o += "\\t"
                case "\r": o += "\\r"
                case "\"": o += "\\\""
                case "\\": o += "\\\\"
                default: o.unicodeScalars.append(c)
                }
            }
            return o + "\""
        }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var out = "sample #\(v.index) \(v.id) (source \(v.source)): \(v.tokens.count + 1) tokens, \(v.conflictTokens) confident conflicts\n"
        out += "   t  part  " + pad("token", 24) + pad("p", 11) + pad("H", 9) + pad("gate", 8) + "expected\n"
        for (i, t) in v.tokens.enumerated() {
            let part = t.label ? (t.conflict ? "LBL!" : "lbl ") : "    "
            let fields = pad(q(t.text), 24) + pad(String(format: "%.4g", Double(t.p)), 11)
                + pad(String(format: "%.3f", Double(t.h)), 9) + pad(String(format: "%.3f", Double(t.gate)), 8)
                + (t.expected.map(q) ?? "-")
            var line = String(format: "%4d", i + 1) + "  " + part + "  " + fields
            if color && t.label {
                // 256-colour ramp red (196) → yellow (226) → green (46) by gate.
                let ramp = [196, 202, 208, 214, 220, 226, 190, 154, 118, 82, 46]
                let c = ramp[min(ramp.count - 1, max(0, Int(Double(t.gate) * Double(ramp.count - 1) + 0.5)))]
                line = "\u{1B}[38;5;\(c)m" + (t.conflict ? "\u{1B}[1m" : "") + line + "\u{1B}[0m"
            } else if color {
                line = "\u{1B}[2m" + line + "\u{1B}[0m"
            }
            out += line + "\n"
        }
        if v.truncated > 0 { out += "… \(v.truncated) more tokens\n" }
        return out
    }
}
