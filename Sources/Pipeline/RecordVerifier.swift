import Records
import Verify

/// Picks the verifier from the record's reference kind and domain: choice → ChoiceVerifier,
/// tool calls → ToolCallVerifier, a free-text answer → MathVerifier only in `mathDomains`
/// (default math), otherwise `unverifiable` (a medical free-text answer is not a number).
struct RecordVerifier: RecordVerifying {
    let math = MathVerifier()
    let choice = ChoiceVerifier()
    let tools = ToolCallVerifier()
    /// Domains whose `answer` references the math verifier grades.
    var mathDomains: Set<Domain> = [.math]

    func verify(_ record: Record) -> (verdict: String, reason: String) {
        guard let ref = record.reference else { return ("unverifiable", "no_reference") }
        let v: Verdict
        switch ref.kind {
        case .answer:
            guard mathDomains.contains(record.domain) else {
                return ("unverifiable", "free_text_answer: \(record.domain.rawValue) answers are not graded (verify.math_domains)")
            }
            v = math.verify(record)
        case .choice: v = choice.verify(record)
        case .toolCalls: v = tools.verify(record)
        }
        if v.passed { return ("correct", v.description) }
        return (v.reason == "no_reference" ? "unverifiable" : "incorrect", v.description)
    }
}
