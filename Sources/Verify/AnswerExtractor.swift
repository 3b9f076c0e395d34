import Foundation

/// Finds the final answer in a model response. Order of preference:
/// 1. the last `\boxed{…}` / `\fbox{…}` (nested braces; `\boxed 5` too),
/// 2. the last `#### n` line (GSM8K),
/// 3. the last "the (final) answer is …" phrase,
/// 4. the last line starting `Answer:` / `Final answer:` / `A:`,
/// 5. optionally the last number in the text (`3`, `-2.5`, `1,000`, `3/4`).
/// Mirrors the extraction of Math-Verify (https://github.com/huggingface/Math-Verify) and
/// Qwen2.5-Math's `extract_answer` (https://github.com/QwenLM/Qwen2.5-Math/blob/main/evaluation/parser.py).
public struct AnswerExtractor: Sendable {
    /// Whether to fall back to the last number when nothing explicit is found.
    public var lastNumberFallback: Bool

    public init(lastNumberFallback: Bool = true) {
        self.lastNumberFallback = lastNumberFallback
    }

    /// How the answer was found.
    public enum Method: String, Sendable, Codable {
        case boxed, hashes, answerIs = "answer_is", answerLine = "answer_line", lastNumber = "last_number"
    }

    /// The extracted answer text (raw, not normalised) and how it was found.
    public func extract(_ response: String) -> (answer: String, method: Method)? {
        let u = Array(response.utf8)
        if let b = AnswerExtractor.lastBoxed(u) { return (b, .boxed) }
        if let h = LatexText.lastIndex(of: Array("####".utf8), in: u) {
            let line = restOfLine(u, from: h + 4)
            if !line.isEmpty { return (line, .hashes) }
        }
        // "the answer is X" and an "Answer: X" line: the later one in the text wins.
        let phrase = answerIsWithPosition(response), line = answerLineWithPosition(response)
        switch (phrase, line) {
        case let (p?, l?): return p.position >= l.position ? (p.text, .answerIs) : (l.text, .answerLine)
        case let (p?, nil): return (p.text, .answerIs)
        case let (nil, l?): return (l.text, .answerLine)
        default: break
        }
        if lastNumberFallback, let n = AnswerExtractor.lastNumber(u) { return (n, .lastNumber) }
        return nil
    }

    /// Content of the last `\boxed{…}` or `\fbox{…}`.
    static func lastBoxed(_ u: [UInt8]) -> String? {
        let boxed = LatexText.lastIndex(of: Array("\\boxed".utf8), in: u)
        let fbox = LatexText.lastIndex(of: Array("\\fbox".utf8), in: u)
        guard let start = [boxed, fbox].compactMap({ $0 }).max() else { return nil }
        var j = start + (start == boxed ? 6 : 5)
        while j < u.count, u[j] == UInt8(ascii: " ") { j += 1 }
        if j < u.count, u[j] == UInt8(ascii: "{") {
            guard let g = LatexText.group(u, at: j) else { return nil }
            return LatexText.string(u[g.content]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // `\boxed 5` form: up to a space, `$` or end.
        var k = j
        while k < u.count, u[k] != UInt8(ascii: "$"), !LatexText.isSpace(u[k]) { k += 1 }
        return k > j ? LatexText.string(u[j..<k]) : nil
    }

    private func restOfLine(_ u: [UInt8], from: Int) -> String {
        var k = from
        while k < u.count, u[k] != UInt8(ascii: "\n") { k += 1 }
        return LatexText.string(u[from..<k]).trimmingCharacters(in: .whitespaces)
    }

    /// "…the answer is X." → X (up to the end of the sentence or line; `$…$` preferred).
    func answerIs(_ text: String) -> String? { answerIsWithPosition(text)?.text }

    /// The phrase and its UTF-8 offset.
    func answerIsWithPosition(_ text: String) -> (text: String, position: Int)? {
        let lower = text.lowercased()
        guard lower.utf8.count == text.utf8.count else {
            guard let r = text.range(of: "answer is", options: [.caseInsensitive, .backwards]),
                  let v = clip(Array(text[r.upperBound...].utf8), from: 0) else { return nil }
            return (v, text.utf8.distance(from: text.startIndex, to: r.lowerBound))
        }
        let lu = Array(lower.utf8), u = Array(text.utf8)
        guard let k = LatexText.lastIndex(of: Array("answer is".utf8), in: lu), let v = clip(u, from: k + 9) else { return nil }
        return (v, k)
    }

    /// Cuts the answer phrase that starts at `from`: a `$…$` span if it opens there,
    /// else up to ". " / newline / end.
    private func clip(_ u: [UInt8], from: Int) -> String? {
        var k = from
        while k < u.count, LatexText.isSpace(u[k]) || u[k] == UInt8(ascii: ":") || u[k] == UInt8(ascii: "*") { k += 1 }
        guard k < u.count else { return nil }
        if u[k] == UInt8(ascii: "\\"), k + 1 < u.count, u[k + 1] == UInt8(ascii: "(") || u[k + 1] == UInt8(ascii: "[") {
            let closer: [UInt8] = u[k + 1] == UInt8(ascii: "(") ? Array("\\)".utf8) : Array("\\]".utf8)
            if let close = LatexText.firstIndex(of: closer, in: u, from: k + 2) {
                return LatexText.string(u[(k + 2)..<close])
            }
        }
        // Up to the end of the sentence or line, never inside `$…$` (a `.` or newline in math
        // does not end it; `\$` is a dollar sign, not a delimiter), and before a clause such as
        // ", which …" / ", since …".
        var e = k
        var depth = 0
        var inMath = false
        while e < u.count {
            let c = u[e]
            if c == UInt8(ascii: "\\"), e + 1 < u.count, u[e + 1] == UInt8(ascii: "$") { e += 2; continue }
            if c == UInt8(ascii: "$") {  // `$` or `$$` opens / closes math
                inMath.toggle()
                e += (e + 1 < u.count && u[e + 1] == UInt8(ascii: "$")) ? 2 : 1
                continue
            }
            if !inMath {
                if c == UInt8(ascii: "\n") { break }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "(") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: ")") || c == UInt8(ascii: "]") { depth -= 1 }
                if depth <= 0 {
                    if c == UInt8(ascii: "."), e + 1 == u.count || LatexText.isSpace(u[e + 1]) { break }
                    if c == UInt8(ascii: ","), AnswerExtractor.clauseFollows(u, after: e + 1) { break }
                }
            }
            e += 1
        }
        var s = LatexText.string(u[k..<e]).trimmingCharacters(in: .whitespaces)
            .trimmingCharacters(in: CharacterSet(charactersIn: "*"))
        // one `$…$` (or `$$…$$`) span → its content
        let unescaped = s.replacingOccurrences(of: "\\$", with: "")
        let dollars = unescaped.filter { $0 == "$" }.count
        if s.hasPrefix("$"), s.hasSuffix("$"), !s.hasSuffix("\\$"), dollars == 2 || (dollars == 4 && s.hasPrefix("$$") && s.hasSuffix("$$")) {
            s = String(s.drop(while: { $0 == "$" }).dropLast(dollars / 2)).trimmingCharacters(in: .whitespaces)
        }
        return s.isEmpty ? nil : s
    }

    /// True when a word of three or more letters (other than and / or) follows: ", which …".
    static func clauseFollows(_ u: [UInt8], after start: Int) -> Bool {
        var k = start
        while k < u.count, u[k] == UInt8(ascii: " ") { k += 1 }
        var j = k
        while j < u.count, LatexText.isLetter(u[j]) { j += 1 }
        guard j - k >= 3 else { return false }
        let w = String(decoding: u[k..<j], as: UTF8.self).lowercased()
        return w != "and"
    }

    /// The last line that starts with `Answer:`, `Final answer:` or `A:`.
    func answerLine(_ text: String) -> String? { answerLineWithPosition(text)?.text }

    func answerLineWithPosition(_ text: String) -> (text: String, position: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        for line in lines.reversed() {
            let t = line.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "*#"))
            for prefix in ["final answer:", "answer:", "a:"] where t.lowercased().hasPrefix(prefix) {
                let rest = t.dropFirst(prefix.count)
                if let v = clip(Array(rest.utf8), from: 0) {
                    return (v, text.utf8.distance(from: text.startIndex, to: line.startIndex))
                }
            }
        }
        return nil
    }

    /// The last number in the text: optional sign, digits with `,` thousands groups,
    /// decimals, or a simple fraction `a/b`.
    static func lastNumber(_ u: [UInt8]) -> String? {
        var end = u.count
        while true {
            guard let (s, e) = lastNumberRange(u, before: end) else { return nil }
            // skip numbers glued to a word ("sepehr2010", "x2")
            if s > 0, LatexText.isLetter(u[s - 1]) {
                end = s
                continue
            }
            return numberText(u, s, e)
        }
    }

    private static func lastNumberRange(_ u: [UInt8], before end: Int) -> (Int, Int)? {
        var e = end - 1
        while e >= 0, !LatexText.isDigit(u[e]) { e -= 1 }
        guard e >= 0 else { return nil }
        var s = e
        while s > 0 {
            let c = u[s - 1]
            if LatexText.isDigit(c) { s -= 1; continue }
            if (c == UInt8(ascii: ".") || c == UInt8(ascii: ",") || c == UInt8(ascii: "/")), s >= 2, LatexText.isDigit(u[s - 2]) {
                s -= 1
                continue
            }
            break
        }
        if s > 0, u[s - 1] == UInt8(ascii: "-") { s -= 1 }
        return (s, e)
    }

    private static func numberText(_ u: [UInt8], _ s: Int, _ e: Int) -> String {
        var text = LatexText.string(u[s...e])
        // "1,2,3" is a list, not a number with separators: keep only valid thousands groups.
        if text.contains(","), MathNormalizer.removeThousandsSeparators(text) == text, let last = text.split(separator: ",").last {
            text = String(last)
        }
        return text
    }
}
