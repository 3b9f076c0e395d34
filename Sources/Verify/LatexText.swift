/// Small string helpers over LaTeX answer text: balanced-brace groups, command
/// unwrapping and literal replacement. Everything works on `[Character]`-free UTF-8
/// scanning so that it is cheap for the 10^4–10^5 responses a pipeline verifies.
enum LatexText {
    /// Content of the balanced `{…}` group that starts at `open` (which must be `{`),
    /// and the index just past its closing brace. nil if unbalanced.
    static func group(_ u: [UInt8], at open: Int) -> (content: Range<Int>, end: Int)? {
        guard open < u.count, u[open] == UInt8(ascii: "{") else { return nil }
        var depth = 0
        var i = open
        while i < u.count {
            let c = u[i]
            if c == UInt8(ascii: "\\"), i + 1 < u.count { i += 2; continue }
            if c == UInt8(ascii: "{") { depth += 1 }
            else if c == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return (open + 1..<i, i + 1) }
            }
            i += 1
        }
        return nil
    }

    /// Finds the last occurrence of `needle` in `u` (byte-wise), or nil.
    static func lastIndex(of needle: [UInt8], in u: [UInt8], before end: Int? = nil) -> Int? {
        let n = needle.count
        var i = (end ?? u.count) - n
        while i >= 0 {
            if u[i] == needle[0] {
                var ok = true
                for k in 1..<n where u[i + k] != needle[k] { ok = false; break }
                if ok { return i }
            }
            i -= 1
        }
        return nil
    }

    /// Index of the first occurrence of `needle` at or after `from`.
    static func firstIndex(of needle: [UInt8], in u: [UInt8], from: Int = 0) -> Int? {
        let n = needle.count
        guard n > 0, u.count >= n else { return nil }
        var i = from
        while i <= u.count - n {
            if u[i] == needle[0] {
                var ok = true
                for k in 1..<n where u[i + k] != needle[k] { ok = false; break }
                if ok { return i }
            }
            i += 1
        }
        return nil
    }

    static func string(_ u: ArraySlice<UInt8>) -> String { String(decoding: u, as: UTF8.self) }

    /// Replaces every `\cmd{X}` with `X` (balanced braces) for the given command names.
    /// A name must not be followed by a letter (so `\text` does not eat `\textbf`).
    static func unwrap(_ s: String, commands: [String]) -> String {
        var u = Array(s.utf8)
        for name in commands {
            let needle = Array(("\\" + name).utf8)
            var searchFrom = 0
            while let i = firstIndex(of: needle, in: u, from: searchFrom) {
                var j = i + needle.count
                if j < u.count, isLetter(u[j]) { searchFrom = j; continue }
                while j < u.count, u[j] == UInt8(ascii: " ") { j += 1 }
                guard let g = group(u, at: j) else { searchFrom = i + 1; continue }
                let inner = Array(u[g.content])
                u.replaceSubrange(i..<g.end, with: inner)
                searchFrom = i
            }
        }
        return String(decoding: u, as: UTF8.self)
    }

    /// Removes every `\cmd` (not followed by a letter), e.g. `\left`, `\displaystyle`.
    static func removeCommand(_ s: String, _ name: String) -> String {
        var u = Array(s.utf8)
        let needle = Array(("\\" + name).utf8)
        var from = 0
        while let i = firstIndex(of: needle, in: u, from: from) {
            let j = i + needle.count
            if j < u.count, isLetter(u[j]) { from = j; continue }
            u.removeSubrange(i..<j)
            from = i
        }
        return String(decoding: u, as: UTF8.self)
    }

    @inline(__always) static func isLetter(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool {
        c == 32 || c == 9 || c == 10 || c == 13
    }

    /// Splits at top-level occurrences of `sep` (outside (), [], {}).
    static func splitTopLevel(_ s: String, separator sep: UInt8 = UInt8(ascii: ",")) -> [String] {
        let u = Array(s.utf8)
        var parts: [String] = []
        var depth = 0, start = 0, i = 0
        while i < u.count {
            let c = u[i]
            if c == UInt8(ascii: "\\"), i + 1 < u.count, u[i + 1] == UInt8(ascii: "{") || u[i + 1] == UInt8(ascii: "}") {
                depth += u[i + 1] == UInt8(ascii: "{") ? 1 : -1
                i += 2
                continue
            }
            switch c {
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default:
                if c == sep, depth == 0 {
                    parts.append(String(decoding: u[start..<i], as: UTF8.self))
                    start = i + 1
                }
            }
            i += 1
        }
        parts.append(String(decoding: u[start..<u.count], as: UTF8.self))
        return parts
    }
}
