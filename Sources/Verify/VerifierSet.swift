import Foundation
import Records

/// The three verifiers and the one rule for which of them judges what. The pipeline's
/// verify stage picks the verifier from a record's reference (`verify(_:)`); `eaft check`
/// names it with `--kind` and gives JSON rows (`verify(row:kind:)`, `CheckJSONL`).
public struct VerifierSet: Sendable {
    /// Which verifier judges (the values of `eaft check --kind`).
    public enum Kind: String, Sendable, CaseIterable {
        case math, choice, toolcall

        /// The verifier for a reference of this kind.
        public init(_ reference: Reference.Kind) {
            switch reference {
            case .answer: self = .math
            case .choice: self = .choice
            case .toolCalls: self = .toolcall
            }
        }
    }

    public var math: MathVerifier
    public var choice: ChoiceVerifier
    public var tools: ToolCallVerifier
    /// Domains (raw values) whose free-text `answer` references the math verifier grades;
    /// a free-text answer in another domain (a medical answer is not a number) is unverifiable.
    public var mathDomains: Set<String>

    public init(math: MathVerifier = MathVerifier(), choice: ChoiceVerifier = ChoiceVerifier(),
                tools: ToolCallVerifier = ToolCallVerifier(), mathDomains: Set<String> = ["math"]) {
        self.math = math
        self.choice = choice
        self.tools = tools
        self.mathDomains = mathDomains
    }

    /// Judges a record with the verifier of its reference kind: a verdict (`correct`,
    /// `incorrect` or `unverifiable`) and the reason. No reference, a free-text answer outside
    /// `mathDomains` and a reference the verifier cannot use (`no_reference`) are unverifiable.
    public func verify(_ record: Record) -> (verdict: String, reason: String) {
        guard let ref = record.reference else { return ("unverifiable", "no_reference") }
        let kind = Kind(ref.kind)
        if kind == .math, !mathDomains.contains(record.domain.rawValue) {
            return ("unverifiable", "free_text_answer: \(record.domain.rawValue) answers are not graded (verify.math_domains)")
        }
        let v = verify(record, kind: kind)
        if v.passed { return ("correct", v.description) }
        return (v.reason == "no_reference" ? "unverifiable" : "incorrect", v.description)
    }

    /// Judges a record's last assistant turn with the verifier `kind`.
    public func verify(_ record: Record, kind: Kind) -> Verdict {
        switch kind {
        case .math: return math.verify(record)
        case .choice: return choice.verify(record)
        case .toolcall: return tools.verify(record)
        }
    }

    /// Judges one `eaft check` row with the verifier `kind`: `response` and `reference`, plus
    /// `options` for choice and `tools` for toolcall (see `eaft check --help`). A row that is
    /// not an object or lacks a field is a `VerifyError`.
    public func verify(row: JSONValue, kind: Kind) throws -> Verdict {
        guard case .object = row else { throw VerifyError("line is not a JSON object") }
        switch kind {
        case .math:
            guard let response = row["response"]?.stringValue else { throw VerifyError("missing string field 'response'") }
            guard let reference = row["reference"].flatMap(Self.scalarText) else { throw VerifyError("missing field 'reference'") }
            return math.verify(response: response, reference: reference)
        case .choice:
            guard let response = row["response"]?.stringValue else { throw VerifyError("missing string field 'response'") }
            guard let reference = row["reference"].flatMap(Self.scalarText) else { throw VerifyError("missing field 'reference'") }
            let options = try ChoiceVerifier.options(from: row["options"])
            return choice.verify(response: response, reference: reference, options: options)
        case .toolcall:
            guard let response = row["response"] else { throw VerifyError("missing field 'response'") }
            let functions = try ToolSchema.functions(from: row["tools"] ?? .array([]))
            var expected: [ExpectedCall]?
            if let ref = row["reference"], !ref.isNull { expected = try ToolCallParser.groundTruth(ref) }
            return tools.verify(response: response, functions: functions, expected: expected)
        }
    }

    /// A scalar reference as text: strings as they are, integral numbers without a fraction,
    /// booleans as yes / no (PubMedQA); nil for null, lists and objects.
    public static func scalarText(_ v: JSONValue) -> String? {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bigInt(let s): return s
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return b ? "yes" : "no"
        default: return nil
        }
    }
}
