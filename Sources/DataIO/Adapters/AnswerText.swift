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
    /// Works on UTF-8 bytes (Foundation string search was 20x slower here).
    public static func removeCalculatorAnnotations(_ s: String) -> String {
        var s = s
        return s.withUTF8 { b -> String in
            guard let first = find(b, 0x3C, 0x3C, from: 0) else { return String(decoding: b, as: UTF8.self) }
            var out = [UInt8]()
            out.reserveCapacity(b.count)
            var pos = 0
            var open: Int? = first
            while let o = open {
                guard let close = find(b, 0x3E, 0x3E, from: o + 2) else { break }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[pos..<o]))
                pos = close + 2
                open = find(b, 0x3C, 0x3C, from: pos)
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[pos...]))
            return String(decoding: out, as: UTF8.self)
        }
    }

    private static func find(_ b: UnsafeBufferPointer<UInt8>, _ c0: UInt8, _ c1: UInt8, from: Int) -> Int? {
        var i = from
        while i + 1 < b.count {
            if b[i] == c0 && b[i + 1] == c1 { return i }
            i += 1
        }
        return nil
    }

    /// The text after the last `marker` (e.g. `####`), trimmed, with thousands commas removed; nil if absent.
    public static func afterMarker(_ s: String, marker: String) -> String? {
        let m = Array(marker.utf8)
        guard !m.isEmpty else { return nil }
        var s = s
        return s.withUTF8 { b -> String? in
            var i = b.count - m.count
            while i >= 0 {
                if b[i] == m[0] {
                    var ok = true
                    for k in 1..<m.count where b[i + k] != m[k] { ok = false; break }
                    if ok { break }
                }
                i -= 1
            }
            guard i >= 0 else { return nil }
            var out = [UInt8]()
            for c in UnsafeBufferPointer(rebasing: b[(i + m.count)...]) where c != UInt8(ascii: ",") { out.append(c) }
            return trimmed(String(decoding: out, as: UTF8.self))
        }
    }

    /// Trims ASCII and Unicode whitespace and newlines at both ends.
    public static func trimmed(_ s: String) -> String {
        let u = s.unicodeScalars
        guard let a = u.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let b = u.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(u[a...b])
    }
}
