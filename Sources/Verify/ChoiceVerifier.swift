import Foundation
import Records

/// Verifies a multiple-choice answer: the option chosen in the response, as a letter
/// ("C", "(C)", "C.", "Answer: C", "the answer is C", "**C**", `\boxed{C}`) or as the
/// option text, must be the reference option. PubMedQA-style yes / no / maybe works
/// with no options given. Two different options claimed as final → `ambiguous`.
/// Letter extraction follows Qwen2.5-Math's `choice_answer_clean`
/// (https://github.com/QwenLM/Qwen2.5-Math/blob/main/evaluation/parser.py) and
/// simple-evals' `ANSWER_PATTERN_MULTICHOICE` (https://github.com/openai/simple-evals).
public struct ChoiceVerifier: Sendable {
    public init() {}

    /// Default options when a reference is yes / no / maybe and none are given.
    public static let yesNoMaybe: [Reference.Option] = ["yes", "no", "maybe"].map { Reference.Option(key: $0, text: $0) }

    /// What the response chose.
    public enum Choice: Sendable, Equatable {
        case option(String)
        case ambiguous([String])
        case none
    }

    /// Options from JSON: an object `{"A": text, …}` (key order kept), a list of texts
    /// (keys A, B, C, …) or a list of `{"key", "text"}` objects (as in `reference.options`).
    /// Absent/null → [].
    public static func options(from v: JSONValue?) throws -> [Reference.Option] {
        guard let v, !v.isNull else { return [] }
        switch v {
        case .object(let o):
            return try o.entries.map { e in
                guard let t = e.value.stringValue else { throw VerifyError("option \(e.key) is not a string") }
                return Reference.Option(key: e.key, text: t)
            }
        case .array(let a):
            return try a.enumerated().map { k, e in
                if let t = e.stringValue {
                    return Reference.Option(key: String(UnicodeScalar(UInt8(65 + k % 26))), text: t)
                }
                // `[{"key": "A", "text": "…"}]`, the form `Reference.options` is written in.
                if case .object = e, let key = e["key"]?.stringValue, let t = e["text"]?.stringValue {
                    return Reference.Option(key: key, text: t)
                }
                throw VerifyError("option \(k) is neither a string nor {\"key\": str, \"text\": str}")
            }
        default:
            throw VerifyError("'options' must be an object, a list of strings or a list of {key, text}")
        }
    }

    /// Judges a record: last assistant message against `reference.choice` / `options`.
    public func verify(_ record: Record) -> Verdict {
        guard let ref = record.reference, let key = ref.choice ?? ref.answer else {
            return .fail("no_reference", "record has no reference choice")
        }
        guard let response = record.finalAssistantContent else { return .fail("no_answer_found", "record has no assistant message") }
        return verify(response: response, reference: key, options: ref.options ?? [])
    }

    /// Judges `response` against `reference` (an option key or an option's text).
    public func verify(response: String, reference: String, options: [Reference.Option]) -> Verdict {
        var opts = options
        let refTrim = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        if opts.isEmpty, ChoiceVerifier.yesNoMaybe.contains(where: { $0.key == refTrim.lowercased() }) {
            opts = ChoiceVerifier.yesNoMaybe
        }
        if opts.isEmpty {
            opts = (0..<5).map { k in let l = String(UnicodeScalar(UInt8(65 + k))); return Reference.Option(key: l, text: l) }
        }
        guard let refKey = resolve(refTrim, options: opts) else {
            return .fail("no_reference", "reference \"\(reference)\" is neither an option key nor an option text")
        }
        switch choose(response, options: opts) {
        case .none:
            return .fail("no_answer_found", "no option letter or option text in the response")
        case .ambiguous(let keys):
            return .fail("ambiguous", "several options claimed: \(keys.joined(separator: ", "))", extracted: keys.joined(separator: ","))
        case .option(let k):
            if k == refKey { return .pass(k) }
            return .fail("mismatch", "\"\(k)\" vs \"\(refKey)\"", extracted: k)
        }
    }

    func resolve(_ ref: String, options: [Reference.Option]) -> String? {
        let r = ref.trimmingCharacters(in: CharacterSet(charactersIn: "()[]. ")).lowercased()
        if let o = options.first(where: { $0.key.lowercased() == r }) { return o.key }
        let n = ChoiceVerifier.canon(ref)
        return options.first(where: { ChoiceVerifier.canon($0.text) == n })?.key
    }

    /// Lowercased alphanumeric words joined by single spaces (option-text comparison).
    public static func canonicalText(_ s: String) -> String { canon(s) }

    /// Separators for option-text comparison: whitespace and sentence punctuation. Symbols
    /// (`↓`, `<`, `>`, `+`, `-`) are kept, since options can differ only in them ("Rh+ve").
    static let separators = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: ".,;:!?()[]{}\"'*`_/"))

    static func canon(_ s: String) -> String {
        var out = ""
        var lastSpace = true
        for ch in s.lowercased().unicodeScalars {
            if !separators.contains(ch) {
                out.unicodeScalars.append(ch)
                lastSpace = false
            } else if !lastSpace {
                out.append(" ")
                lastSpace = true
            }
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    /// The option the response chose, by letter claims first, then by option text.
    public func choose(_ response: String, options: [Reference.Option]) -> Choice {
        let letterKeys = options.allSatisfy { $0.key.count == 1 && $0.key.first!.isLetter }
        let text = response.replacingOccurrences(of: "**", with: " ").replacingOccurrences(of: "__", with: " ")
        let bare = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let whole = ChoiceVerifier.canon(text)
        if let o = options.first(where: { ChoiceVerifier.canon($0.text) == whole }), !whole.isEmpty,
           !(letterKeys && whole.count == 1) {
            return .option(o.key)  // the response is exactly one option's text
        }
        if letterKeys {
            // 1. The whole response is a letter: "C", "(C)", "C.", "C)", "Answer: C".
            if let k = ChoiceVerifier.leadingLetter(stripAnswerPrefix(bare), keys: options, wholeOnly: true) { return .option(k) }
            // 2. Explicit claims anywhere.
            let claims = claimedLetters(text, keys: options)
            let distinct = ChoiceVerifier.ordered(claims)
            if distinct.count > 1 { return .ambiguous(distinct) }
            if distinct.count == 1 { return .option(distinct[0]) }
            // 3. A line that starts with a letter option, e.g. "C. Iron deficiency" (only one such line).
            let lineLetters = text.split(separator: "\n").compactMap {
                ChoiceVerifier.leadingLetter(String($0).trimmingCharacters(in: .whitespaces), keys: options, wholeOnly: false)
            }
            let dl = ChoiceVerifier.ordered(lineLetters)
            if dl.count == 1 { return .option(dl[0]) }
        }
        // 4. Option text.
        let r = " " + ChoiceVerifier.canon(text) + " "
        if r.trimmingCharacters(in: .whitespaces).isEmpty { return .none }
        if let o = options.first(where: { ChoiceVerifier.canon($0.text) == r.trimmingCharacters(in: .whitespaces) }) { return .option(o.key) }
        if let phrase = AnswerExtractor().answerIs(text) ?? AnswerExtractor().answerLine(text) {
            let p = ChoiceVerifier.canon(phrase)
            let hits = options.filter { p.hasPrefix(ChoiceVerifier.canon($0.text)) && !ChoiceVerifier.canon($0.text).isEmpty }
            if let best = hits.max(by: { $0.text.count < $1.text.count }) { return .option(best.key) }
        }
        if !letterKeys, let first = r.split(separator: " ").first,
           let o = options.first(where: { ChoiceVerifier.canon($0.text) == first }) {
            return .option(o.key)
        }
        var hits = options.filter { o in
            let c = ChoiceVerifier.canon(o.text)
            return c.count >= 2 && r.contains(" " + c + " ")
        }
        // drop options whose text is contained in another hit's text
        hits = hits.filter { h in
            !hits.contains { o in o.key != h.key && ChoiceVerifier.canon(o.text).contains(ChoiceVerifier.canon(h.text)) }
        }
        if hits.count == 1 { return .option(hits[0].key) }
        if hits.count > 1 { return .ambiguous(hits.map(\.key)) }
        return .none
    }

    private func stripAnswerPrefix(_ s: String) -> String {
        var t = s
        for p in ["the correct answer is", "the answer is", "final answer:", "answer:", "correct answer:", "option", "choice"] {
            if t.lowercased().hasPrefix(p) { t = String(t.dropFirst(p.count)).trimmingCharacters(in: .whitespaces) }
        }
        return t
    }

    static func ordered(_ xs: [String]) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for x in xs where seen.insert(x).inserted { out.append(x) }
        return out
    }

    /// A key letter at the start of `s`: "C", "(C)", "C.", "C)", "C:", "[C]"; with
    /// `wholeOnly` nothing else may follow (but punctuation).
    static func leadingLetter(_ s: String, keys: [Reference.Option], wholeOnly: Bool) -> String? {
        var u = Array(s.utf8)
        while let f = u.first, f == UInt8(ascii: "(") || f == UInt8(ascii: "[") || f == UInt8(ascii: " ") || f == UInt8(ascii: "*") { u.removeFirst() }
        guard let c = u.first, c >= 65, c <= 90 else { return nil }
        let key = String(UnicodeScalar(c))
        guard keys.contains(where: { $0.key == key }) else { return nil }
        let rest = u.dropFirst()
        if wholeOnly {
            return rest.allSatisfy({ ").]:* \n\t".utf8.contains($0) }) ? key : nil
        }
        guard let n = rest.first else { return key }
        // "C." / "C)" / "C:" then text; but not a word starting with C.
        return n == UInt8(ascii: ".") || n == UInt8(ascii: ")") || n == UInt8(ascii: ":") || n == UInt8(ascii: "]") ? key : nil
    }

    static let claimLeads = ["answer is", "answer:", "answer would be", "answer should be", "option is", "choice is",
                             "correct option:", "correct choice:", "\\boxed{", "answer is option", "answer: option"]

    /// Letters claimed as the answer by explicit phrases; "A or B" claims both.
    func claimedLetters(_ text: String, keys: [Reference.Option]) -> [String] {
        let lower = Array(text.lowercased().utf8)
        let u = Array(text.utf8)
        guard lower.count == u.count else { return claimedLettersASCII(text, keys: keys) }
        var out: [String] = []
        for lead in ChoiceVerifier.claimLeads {
            let needle = Array(lead.utf8)
            var from = 0
            while let k = LatexText.firstIndex(of: needle, in: lower, from: from) {
                from = k + needle.count
                out += letters(after: from, in: u, keys: keys)
            }
        }
        return out
    }

    private func claimedLettersASCII(_ text: String, keys: [Reference.Option]) -> [String] {
        // Non-ASCII case folding changed lengths: fall back to scanning a lowercased copy per line.
        var out: [String] = []
        for line in text.split(separator: "\n") {
            let l = String(line)
            if l.lowercased().utf8.count == l.utf8.count { out += claimedLetters(l, keys: keys) }
        }
        return out
    }

    /// Letters right after a claim lead: "(C)", "C.", "option C", "C or D".
    private func letters(after start: Int, in u: [UInt8], keys: [Reference.Option]) -> [String] {
        var k = start
        func skip() {
            while k < u.count, " :*($\t{[".utf8.contains(u[k]) { k += 1 }
            if k + 7 <= u.count, String(decoding: u[k..<(k + 6)], as: UTF8.self).lowercased() == "option" { k += 6 }
            while k < u.count, " :*($\t{[".utf8.contains(u[k]) { k += 1 }
            if k + 6 <= u.count, String(decoding: u[k..<(k + 5)], as: UTF8.self) == "\\text" { k += 5 }
            while k < u.count, " :*($\t{[".utf8.contains(u[k]) { k += 1 }
        }
        skip()
        var found: [String] = []
        while k < u.count {
            let c = u[k]
            guard c >= 65, c <= 90, keys.contains(where: { $0.key == String(UnicodeScalar(c)) }) else { break }
            if k + 1 < u.count, LatexText.isLetter(u[k + 1]) { break }  // a word, not a letter
            // "A" as an English article ("the answer is a …"): require punctuation/end after it.
            found.append(String(UnicodeScalar(c)))
            k += 1
            while k < u.count, ")]}*.$ ,".utf8.contains(u[k]) { k += 1 }
            let rest = String(decoding: u[k..<min(u.count, k + 4)], as: UTF8.self).lowercased()
            if rest.hasPrefix("or ") { k += 3 } else if rest.hasPrefix("and ") { k += 4 } else { break }
            skip()
        }
        return found
    }
}
