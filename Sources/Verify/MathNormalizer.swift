import Foundation

/// Normalises a LaTeX / plain-text final answer into a canonical string that the
/// expression parser understands. Follows the steps of Hendrycks' MATH `strip_string`
/// as extended by Qwen2.5-Math (https://github.com/QwenLM/Qwen2.5-Math/blob/main/evaluation/parser.py)
/// and Math-Verify's normalisation config (units, `\text`, `\left/\right`, thousands
/// separators, degrees, percent, currency, simple `x = …` forms).
public enum MathNormalizer {
    /// Thin spaces vanish (`10\\,000`, `32,\\!348` are numbers); wide spaces become a space.
    static let thinSpacing = ["\\!", "\\,", "\\;", "\\:", "\\displaystyle", "\\limits"]
    static let spacing = ["\\quad", "\\qquad", "\\ ", "~"]
    static let textCommands = ["text", "textbf", "textit", "mbox", "mathrm", "mathbf", "textnormal", "operatorname", "mathit", "hbox"]

    /// Canonical form of an answer string (no surrounding `$`, no units, no spaces).
    public static func normalize(_ input: String) -> String {
        var s = input.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.isEmpty { return s }
        s = s.replacingOccurrences(of: "\n", with: " ")
        // Math delimiters.
        for d in ["\\[", "\\]", "\\(", "\\)", "$"] where s.contains(d) {
            if d == "\\[" || d == "\\]" || d == "\\(" || d == "\\)" {
                s = s.replacingOccurrences(of: d, with: " ")
            } else {
                s = s.replacingOccurrences(of: "\\$", with: " ").replacingOccurrences(of: "$", with: " ")
            }
        }
        let rowBreak = "\u{1}"
        if s.contains("\\\\") { s = s.replacingOccurrences(of: "\\\\", with: rowBreak) }
        for sp in thinSpacing where s.contains(sp) { s = s.replacingOccurrences(of: sp, with: "") }
        for sp in spacing where s.contains(sp) { s = s.replacingOccurrences(of: sp, with: " ") }
        if s.contains(rowBreak) { s = s.replacingOccurrences(of: rowBreak, with: "\\\\") }
        if s.contains("\\") {
            s = s.replacingOccurrences(of: "\\dfrac", with: "\\frac").replacingOccurrences(of: "\\tfrac", with: "\\frac")
            s = s.replacingOccurrences(of: "\\cfrac", with: "\\frac")
            for cmd in ["left", "right", "bigl", "bigr", "Bigl", "Bigr"] { s = LatexText.removeCommand(s, cmd) }
            s = s.replacingOccurrences(of: "\\%", with: "")
            s = s.replacingOccurrences(of: "^{\\circ}", with: "").replacingOccurrences(of: "^\\circ", with: "")
            s = LatexText.unwrap(s, commands: textCommands)
            s = s.replacingOccurrences(of: "\\degree", with: "").replacingOccurrences(of: "\\circ", with: "")
            s = s.replacingOccurrences(of: "\\le ", with: "\\leq ").replacingOccurrences(of: "\\ge ", with: "\\geq ")
        }
        s = s.replacingOccurrences(of: "{,}", with: "")
        s = s.replacingOccurrences(of: "°", with: "").replacingOccurrences(of: "%", with: "")
        s = s.replacingOccurrences(of: "−", with: "-").replacingOccurrences(of: "×", with: "\\times ")
        s = stripUnits(s)
        s = s.trimmingCharacters(in: .whitespaces)
        while let last = s.last, last == "." || last == "," || last == ";" || last == " " { s.removeLast() }
        // "2 or -2", "$5$ and $9$": several answers → a list
        if s.contains(" or ") || s.contains(" and ") {
            s = s.replacingOccurrences(of: " or ", with: ", ").replacingOccurrences(of: " and ", with: ", ")
        }
        s = removeThousandsSeparators(s)  // before spaces go: "48, 384" is a list, "48,384" a number
        s = removeSpaces(s)
        s = mixedNumber(s)
        s = fixLeadingDot(s)
        while s.hasPrefix("{"), let u = Optional(Array(s.utf8)), let g = LatexText.group(u, at: 0), g.end == u.count {
            s = LatexText.string(u[g.content])
        }
        return s
    }

    /// Words that may follow a number as a unit or a filler and are dropped.
    /// Any alphabetic word of two or more letters after a number-like prefix is dropped too.
    static func stripUnits(_ s: String) -> String {
        var u = Array(s.utf8)
        // Only when the answer starts like a number or a math expression with a digit.
        guard u.contains(where: { LatexText.isDigit($0) }) else { return s }
        var changed = true
        while changed {
            changed = false
            var end = u.count
            while end > 0, LatexText.isSpace(u[end - 1]) || u[end - 1] == UInt8(ascii: ".") { end -= 1 }
            // optional ^2 / ^3 on the unit
            var wEnd = end
            if wEnd >= 2, u[wEnd - 2] == UInt8(ascii: "^"), LatexText.isDigit(u[wEnd - 1]) { wEnd -= 2 }
            var start = wEnd
            while start > 0, LatexText.isLetter(u[start - 1]) || (u[start - 1] == UInt8(ascii: "/") && start >= 2 && LatexText.isLetter(u[start - 2]) && start < wEnd) { start -= 1 }
            let len = wEnd - start
            guard len >= 2 else { break }
            // not a command (\pi), and something with a digit must remain before it
            if start > 0, u[start - 1] == UInt8(ascii: "\\") { break }
            guard start > 0, LatexText.isSpace(u[start - 1]) || LatexText.isDigit(u[start - 1]) || u[start - 1] == UInt8(ascii: "}") else { break }
            let rest = u[0..<start]
            guard rest.contains(where: { LatexText.isDigit($0) }) else { break }
            u.removeSubrange(start..<u.count)
            changed = true
        }
        return String(decoding: u, as: UTF8.self)
    }

    /// `x = 3` → `3` when the left side is one or two letters (as Qwen's `is_simple_equation`);
    /// `x \in [1, 2]` → `[1, 2]`.
    static func stripSimpleEquation(_ s: String) -> String {
        let u = Array(s.utf8)
        if let eq = u.firstIndex(of: UInt8(ascii: "=")), u.lastIndex(of: UInt8(ascii: "=")) == eq {
            let lhs = u[0..<eq].filter { !LatexText.isSpace($0) }
            if !lhs.isEmpty, lhs.count <= 2, lhs.allSatisfy(LatexText.isLetter), eq + 1 < u.count {
                return String(decoding: u[(eq + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            }
        }
        if let r = s.range(of: "\\in ") ?? s.range(of: "\\in["), s[..<r.lowerBound].trimmingCharacters(in: .whitespaces).count <= 2 {
            var rest = String(s[r.lowerBound...])
            rest.removeFirst(3)
            return rest.trimmingCharacters(in: .whitespaces)
        }
        return s
    }

    /// `12\frac{3}{5}` (a mixed number, the whole answer) → `(12+\frac{3}{5})`.
    static func mixedNumber(_ s: String) -> String {
        let u = Array(s.utf8)
        var k = 0
        let neg = u.first == UInt8(ascii: "-")
        if neg { k = 1 }
        let d0 = k
        while k < u.count, LatexText.isDigit(u[k]) { k += 1 }
        guard k > d0, u[k...].starts(with: Array("\\frac{".utf8)) else { return s }
        guard let g1 = LatexText.group(u, at: k + 5), let g2 = LatexText.group(u, at: g1.end), g2.end == u.count,
              u[g1.content].allSatisfy(LatexText.isDigit), u[g2.content].allSatisfy(LatexText.isDigit) else { return s }
        let whole = String(decoding: u[d0..<k], as: UTF8.self), frac = String(decoding: u[k...], as: UTF8.self)
        return (neg ? "-" : "") + "(" + whole + "+" + frac + ")"
    }

    static func removeSpaces(_ s: String) -> String {
        // Keep one space only where it separates two letters of words (text answers).
        let u = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        var k = 0
        while k < u.count {
            let c = u[k]
            if LatexText.isSpace(c) {
                var j = k
                while j < u.count, LatexText.isSpace(u[j]) { j += 1 }
                if let prev = out.last, j < u.count, LatexText.isLetter(prev), LatexText.isLetter(u[j]) {
                    // keep a space after a command name (`\pi r`) or between words
                    out.append(UInt8(ascii: " "))
                }
                k = j
                continue
            }
            out.append(c)
            k += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `1,234,567.5` → `1234567.5` when the whole answer is one such number.
    static func removeThousandsSeparators(_ s: String) -> String {
        let u = Array(s.utf8)
        guard u.contains(UInt8(ascii: ",")) else { return s }
        var k = 0
        if k < u.count, u[k] == UInt8(ascii: "-") { k += 1 }
        var lead = 0
        while k < u.count, LatexText.isDigit(u[k]) { k += 1; lead += 1 }
        guard lead >= 1, lead <= 3 else { return s }
        var groups = 0
        while k < u.count, u[k] == UInt8(ascii: ",") {
            var n = 0
            var j = k + 1
            while j < u.count, LatexText.isDigit(u[j]) { j += 1; n += 1 }
            guard n == 3 else { return s }
            groups += 1
            k = j
        }
        guard groups > 0 else { return s }
        if k < u.count, u[k] == UInt8(ascii: ".") {
            k += 1
            while k < u.count, LatexText.isDigit(u[k]) { k += 1 }
        }
        guard k == u.count else { return s }
        return s.replacingOccurrences(of: ",", with: "")
    }

    static func fixLeadingDot(_ s: String) -> String {
        if s.hasPrefix(".") { return "0" + s }
        if s.hasPrefix("-.") { return "-0" + s.dropFirst() }
        return s
    }
}
