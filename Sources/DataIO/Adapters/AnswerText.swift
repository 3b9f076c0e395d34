import Foundation

/// Small text helpers for answers: `\boxed{}` extraction and GSM8K calculator annotations.
public enum AnswerText {
    /// The content of the last `\boxed{...}` (or `\fbox{...}`) in `s`, braces matched (nested
    /// braces allowed, `\{` `\}` escapes skipped). Also accepts `\boxed 5` (no braces, up to the
    /// next space or `$`), as MATH solutions occasionally write. Nil if none or unbalanced.
    /// Follows the `last_boxed_only_string` logic of the MATH repository
    /// (https://github.com/hendrycks/math/blob/main/modeling/math_equivalence.py).
    public static func lastBoxed(_ s: String) -> String? {
        let b = Array(s.utf8)
        let boxed = lastIndex(of: Array("\\boxed".utf8), in: b).map { ($0, 6) }
        let fbox = lastIndex(of: Array("\\fbox".utf8), in: b).map { ($0, 5) }
        let pick: (Int, Int)?
        switch (boxed, fbox) {
        case let (x?, y?): pick = x.0 >= y.0 ? x : y
        case let (x?, nil): pick = x
        case let (nil, y?): pick = y
        default: pick = nil
        }
        guard let (start, len) = pick else { return nil }
        var j = start + len
        let afterMarker = j
        while j < b.count, b[j] == 0x20 { j += 1 }
        guard j < b.count else { return nil }
        if b[j] == UInt8(ascii: "{") {
            var depth = 0
            var k = j
            while k < b.count {
                let c = b[k]
                if c == UInt8(ascii: "\\"), k + 1 < b.count { k += 2; continue }
                if c == UInt8(ascii: "{") { depth += 1 }
                if c == UInt8(ascii: "}") {
                    depth -= 1
                    if depth == 0 { return String(decoding: b[(j + 1)..<k], as: UTF8.self) }
                }
                k += 1
            }
            return nil
        }
        // `\boxed 5`: a space is required so that `\boxedfoo` is not read as an answer.
        guard j > afterMarker else { return nil }
        var k = j
        while k < b.count, b[k] != 0x20, b[k] != UInt8(ascii: "$") { k += 1 }
        return String(decoding: b[j..<k], as: UTF8.self)
    }

    private static func lastIndex(of m: [UInt8], in b: [UInt8]) -> Int? {
        guard b.count >= m.count else { return nil }
        var i = b.count - m.count
        while i >= 0 {
            if b[i] == m[0] {
                var ok = true
                for k in 1..<m.count where b[i + k] != m[k] { ok = false; break }
                if ok { return i }
            }
            i -= 1
        }
        return nil
    }

    /// Removes GSM8K calculator annotations `<<48/2=24>>` (the text between `<<` and the next `>>`).
    public static func removeCalculatorAnnotations(_ s: String) -> String {
        guard s.contains("<<") else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var rest = Substring(s)
        while let open = rest.range(of: "<<") {
            guard let close = rest[open.upperBound...].range(of: ">>") else { break }
            out += rest[..<open.lowerBound]
            rest = rest[close.upperBound...]
        }
        out += rest
        return out
    }

    /// The text after the last `marker` (e.g. `####`), trimmed, with thousands commas removed; nil if absent.
    public static func afterMarker(_ s: String, marker: String) -> String? {
        guard let r = s.range(of: marker, options: .backwards) else { return nil }
        let tail = s[r.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
        return tail.replacingOccurrences(of: ",", with: "")
    }
}
