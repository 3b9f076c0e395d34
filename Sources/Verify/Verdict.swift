import Core
import Records

/// The outcome of a verifier: pass or fail, a stable reason code, a human detail and
/// what was extracted from the response (the answer, the chosen option, the calls).
///
/// Reason codes are stable strings (see `schemas/verifiers.md`): `extracted` (passed),
/// `no_answer_found`, `mismatch`, `ambiguous`, `no_reference`, `parse_error`,
/// `unknown_function`, `missing_required`, `unknown_argument`, `wrong_type`,
/// `bad_enum`, `wrong_value`, `wrong_count`, `no_match`.
public struct Verdict: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    /// True when the response is judged correct / valid.
    public var passed: Bool
    /// A stable machine-readable code.
    public var reason: String
    /// Human-readable detail, e.g. `mismatch: "26" vs "18"`.
    public var detail: String
    /// What the verifier extracted from the response (nil when nothing was found).
    public var extracted: String?

    public init(passed: Bool, reason: String, detail: String = "", extracted: String? = nil) {
        self.passed = passed
        self.reason = reason
        self.detail = detail
        self.extracted = extracted
    }

    public static func pass(_ extracted: String?, detail: String = "") -> Verdict {
        Verdict(passed: true, reason: "extracted", detail: detail, extracted: extracted)
    }

    public static func fail(_ reason: String, _ detail: String, extracted: String? = nil) -> Verdict {
        Verdict(passed: false, reason: reason, detail: detail, extracted: extracted)
    }

    /// `reason` plus detail, as written by `eaft check`.
    public var description: String { detail.isEmpty ? reason : "\(reason): \(detail)" }

    /// The verdict as a JSON object `{"verdict", "reason", "extracted"}`.
    public var json: JSONValue {
        .object(JSONObject([
            ("verdict", .bool(passed)),
            ("reason", .string(description)),
            ("extracted", extracted.map { .string($0) } ?? .null),
        ]))
    }
}

/// The error domain of the Verify module.
public enum VerifyFailure: ErrorDomain {}

/// Errors of the Verify module (bad verifier inputs, not wrong answers). (`LocatedError`)
public typealias VerifyError = LocatedError<VerifyFailure>
