import Foundation
import Records

/// Verifies a math response against a reference final answer.
///
/// `verify(response:reference:)` extracts the response's final answer (`AnswerExtractor`),
/// normalises both sides (`MathNormalizer`) and compares them (`MathComparator`): exact
/// rationals when both sides are integer/fraction arithmetic, otherwise numbers within a
/// relative tolerance (1e-6 by default; Qwen2.5-Math's grader uses 1e-4), tuples
/// element-wise, sets order-free, matrices element-wise, expressions with variables by
/// evaluation at fixed points, and text case-insensitively.
/// Reference: https://github.com/QwenLM/Qwen2.5-Math/blob/main/evaluation/grader.py
public struct MathVerifier: Sendable {
    public var extractor: AnswerExtractor
    public var relativeTolerance: Double

    public init(lastNumberFallback: Bool = true, relativeTolerance: Double = 1e-6) {
        self.extractor = AnswerExtractor(lastNumberFallback: lastNumberFallback)
        self.relativeTolerance = relativeTolerance
    }

    /// The reference's final answer: the content of `\boxed{}` if present, the part after
    /// `####` (GSM8K answers), else the whole string.
    public static func referenceAnswer(_ reference: String) -> String {
        let u = Array(reference.utf8)
        if let b = AnswerExtractor.lastBoxed(u) { return b }
        if let h = LatexText.lastIndex(of: Array("####".utf8), in: u) {
            return LatexText.string(u[(h + 4)...]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return reference
    }

    /// Judges `response` against the final answer `reference`.
    public func verify(response: String, reference: String) -> Verdict {
        guard let (raw, method) = extractor.extract(response) else {
            return .fail("no_answer_found", "no \\boxed{}, '####', 'answer is' or number in the response")
        }
        return compare(extracted: raw, reference: reference, method: method)
    }

    /// Judges a record: its last assistant message against `reference.answer`.
    public func verify(_ record: Record) -> Verdict {
        guard let ref = record.reference?.answer else { return .fail("no_reference", "record has no reference answer") }
        guard let response = record.finalAssistantContent else { return .fail("no_answer_found", "record has no assistant message") }
        return verify(response: response, reference: ref)
    }

    /// Compares an already-extracted answer with the reference.
    public func compare(extracted raw: String, reference: String, method: AnswerExtractor.Method? = nil) -> Verdict {
        let refRaw = MathVerifier.referenceAnswer(reference)
        let a = MathNormalizer.normalize(raw), b = MathNormalizer.normalize(refRaw)
        if a.isEmpty { return .fail("no_answer_found", "empty answer", extracted: raw) }
        if equivalent(normalizedA: a, normalizedB: b) {
            return .pass(raw, detail: method.map { "via \($0.rawValue)" } ?? "")
        }
        return .fail("mismatch", "\"\(a)\" vs \"\(b)\"", extracted: raw)
    }

    /// Equivalence of two raw answers (both normalised here).
    public func equivalent(_ x: String, _ y: String) -> Bool {
        equivalent(normalizedA: MathNormalizer.normalize(x), normalizedB: MathNormalizer.normalize(y))
    }

    /// The part after the last top-level `=` (the whole string if there is none or it is empty).
    static func lastSide(_ s: String) -> String {
        let parts = LatexText.splitTopLevel(s, separator: UInt8(ascii: "="))
        guard parts.count > 1, let last = parts.last?.trimmingCharacters(in: .whitespaces), !last.isEmpty else { return s }
        return last
    }

    func equivalent(normalizedA a: String, normalizedB b: String) -> Bool {
        if a == b { return true }
        if a.lowercased() == b.lowercased() { return true }
        let cmp = MathComparator(relativeTolerance: relativeTolerance)
        var a = a, b = b
        // `x = 3` against `3` (Qwen's is_simple_equation): compare the right side.
        if a.contains("=") != b.contains("=") || a.contains("\\in") != b.contains("\\in") {
            a = MathNormalizer.stripSimpleEquation(a)
            b = MathNormalizer.stripSimpleEquation(b)
            if a == b { return true }
        }
        // A response chain "2^{5}=32" against "32": compare its last side, as Math-Verify does.
        // (Only the response side: an equation in the reference is the answer itself.)
        if a.contains("="), !b.contains("=") {
            let la = MathVerifier.lastSide(a)
            if la != a, equivalent(normalizedA: la, normalizedB: b) { return true }
        }
        let pa = MathAnswer.parse(a), pb = MathAnswer.parse(b)
        if cmp.equal(pa, pb) { return true }
        // A bare comma list against a single value is never equal; a tuple whose brackets were
        // stripped on one side is handled by the comparator. Last resort: text without braces.
        return cmp.textEqual(a, b)
    }
}
