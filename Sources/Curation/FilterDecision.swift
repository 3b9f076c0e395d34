import Core
import Records

/// Why a filter dropped a record: a stable code (`exact_duplicate`, `near_duplicate`,
/// `contaminated`, `too_short`, `too_long`, `not_sampled`, …) and a human detail
/// (which record it duplicates, which benchmark item it matched).
public struct DropReason: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    public var code: String
    public var detail: String
    public init(_ code: String, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }
    public var description: String { detail.isEmpty ? code : "\(code): \(detail)" }
}

/// What every curation filter answers for a record.
public enum FilterDecision: Sendable, Equatable, Hashable {
    case keep
    case drop(DropReason)

    public var isKeep: Bool { if case .keep = self { return true } else { return false } }
    public var reason: DropReason? { if case .drop(let r) = self { return r } else { return nil } }
}

/// The text curation filters look at for a record: every message's reasoning, content and
/// tool calls (name + arguments as sorted-key JSON), joined with newlines, in order.
public enum CurationText {
    public static func text(of record: Record) -> String {
        var parts: [String] = []
        for m in record.messages {
            if let r = m.reasoning, !r.isEmpty { parts.append(r) }
            if !m.content.isEmpty { parts.append(m.content) }
            for c in m.toolCalls { parts.append(c.name + " " + JSONWriter(sortKeys: true).string(c.arguments)) }
        }
        return parts.joined(separator: "\n")
    }

    /// The user-visible prompt (user turns only): what decontamination usually compares.
    public static func prompt(of record: Record) -> String {
        record.messages.filter { $0.role == .user }.map(\.content).joined(separator: "\n")
    }
}

/// The error domain of the Curation module.
public enum CurationFailure: ErrorDomain {}

/// Errors of the Curation module, with where and a hint. (`LocatedError`)
public typealias CurationError = LocatedError<CurationFailure>
