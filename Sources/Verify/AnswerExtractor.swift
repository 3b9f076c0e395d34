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
        if let a = answerIs(response) { return (a, .answerIs) }
        if let a = answerLine(response) { return (a, .answerLine) }
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
    func answerIs(_ text: String) -> String? {
        let lower = text.lowercased()
        guard lower.utf8.count == text.utf8.count else { return answerIsSlow(text) }
        let lu = Array(lower.utf8), u = Array(text.utf8)
        guard let k = LatexText.lastIndex(of: Array("answer is".utf8), in: lu) else { return nil }
        return clip(u, from: k + 9)
    }

    private func answerIsSlow(_ text: String) -> String? {
        guard let r = text.range(of: "answer is", options: [.caseInsensitive, .backwards]) else { return nil }
        return clip(Array(text[r.upperBound...].utf8), from: 0)
    }

    /// Cuts the answer phrase that starts at `from`: a `$…$` span if it opens there,
    /// else up to ". " / newline / end.
    private func clip(_ u: [UInt8], from: Int) -> String? {
        var k = from
        while k < u.count, LatexText.isSpace(u[k]) || u[k] == UInt8(ascii: ":") || u[k] == UInt8(ascii: "*") { k += 1 }
        guard k < u.count else { return nil }
        if u[k] == UInt8(ascii: "$") {
            var open = k
            while open < u.count, u[open] == UInt8(ascii: "$") { open += 1 }
            if let close = LatexText.firstIndex(of: [UInt8(ascii: "$")], in: u, from: open), close > open {
                return LatexText.string(u[open..<close])
            }
        }
        if u[k] == UInt8(ascii: "\\"), k + 1 < u.count, u[k + 1] == UInt8(ascii: "(") || u[k + 1] == UInt8(ascii: "[") {
            let closer: [UInt8] = u[k + 1] == UInt8(ascii: "(") ? Array("\\)".utf8) : Array("\\]".utf8)
            if let close = LatexText.firstIndex(of: closer, in: u, from: k + 2) {
                return LatexText.string(u[(k + 2)..<close])
            }
        }
        var e = k
        var depth = 0
        while e < u.count {
            let c = u[e]
            if c == UInt8(ascii: "\n") { break }
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "(") || c == UInt8(ascii: "[") { depth += 1 }
            if c == UInt8(ascii: "}") || c == UInt8(ascii: ")") || c == UInt8(ascii: "]") { depth -= 1 }
            if c == UInt8(ascii: "."), depth <= 0, e + 1 == u.count || LatexText.isSpace(u[e + 1]) { break }
            e += 1
        }
        let s = LatexText.string(u[k..<e]).trimmingCharacters(in: .whitespaces)
            .trimmingCharacters(in: CharacterSet(charactersIn: "*"))
        return s.isEmpty ? nil : s
    }

    /// The last line that starts with `Answer:`, `Final answer:` or `A:`.
    func answerLine(_ text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        for line in lines.reversed() {
            let t = line.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "*#"))
            for prefix in ["final answer:", "answer:", "a:"] where t.lowercased().hasPrefix(prefix) {
                let rest = t.dropFirst(prefix.count)
                if let v = clip(Array(rest.utf8), from: 0) { return v }
            }
        }
        return nil
    }

    /// The last number in the text: optional sign, digits with `,` thousands groups,
    /// decimals, or a simple fraction `a/b`.
    static func lastNumber(_ u: [UInt8]) -> String? {
        var e = u.count - 1
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
        var text = LatexText.string(u[s...e])
        // "1,2,3" is a list, not a number with separators: keep only valid thousands groups.
        if text.contains(","), MathNormalizer.removeThousandsSeparators(text) == text, let last = text.split(separator: ",").last {
            text = String(last)
        }
        return text
    }
}
