/// The shape every module's error shares: what went wrong (`reason`), where (`location`), and
/// how to fix it (`hint`). Modules keep their own *cases* (a `Kind`, or just their own domain
/// type) but not their own shapes:
///
/// ```swift
/// public enum DataIOFailure: ErrorDomain {}
/// public typealias DataIOError = LocatedError<DataIOFailure>
/// throw DataIOError("cannot open file", at: SourceLocation(file: path), hint: "...")
/// ```
///
/// The message reads `PREFIX at LOCATION: reason (hint: HINT)` when the domain has a
/// `messagePrefix`, else `LOCATION: reason (hint: HINT)`; unknown parts are left out.
/// An error of one module is re-thrown by another with `init(_:)` (every field kept).
public struct LocatedError<Domain: ErrorDomain>: Error, Sendable, Equatable, CustomStringConvertible {
    /// The module's cases (`Domain.Kind`).
    public typealias Kind = Domain.Kind
    /// Which case of the module's errors (`Domain.defaultKind` when the module has no cases).
    public var kind: Domain.Kind
    /// What went wrong.
    public var reason: String
    /// Where; `SourceLocation.isEmpty` when unknown.
    public var location: SourceLocation
    /// How to fix it, when known.
    public var hint: String?

    public init(_ reason: String, at location: SourceLocation? = nil, hint: String? = nil, kind: Domain.Kind = Domain.defaultKind) {
        self.kind = kind
        self.reason = reason
        self.location = location ?? SourceLocation(file: "")
        self.hint = hint
    }

    /// A location that is only a name (a path, `"train config"`, `"flags"`).
    public init(_ reason: String, at file: String, hint: String? = nil, kind: Domain.Kind = Domain.defaultKind) {
        self.init(reason, at: SourceLocation(file: file), hint: hint, kind: kind)
    }

    /// The same reason, location and hint as an error of another module.
    public init<Other>(_ other: LocatedError<Other>, kind: Domain.Kind = Domain.defaultKind) {
        self.init(other.reason, at: other.location, hint: other.hint, kind: kind)
    }

    /// Whether the location says anything.
    public var hasLocation: Bool { !location.isEmpty }

    public var description: String {
        ErrorMessage.format(prefix: Domain.messagePrefix, reason: reason, location: hasLocation ? location.description : nil,
                            hint: hint)
    }
}

/// A module's error domain: names its cases (`Kind`) and the message prefix.
public protocol ErrorDomain: Sendable {
    /// The module's cases; `NoKind` when it has none.
    associatedtype Kind: Sendable & Equatable = NoKind
    /// The kind of an error made without one.
    static var defaultKind: Kind { get }
    /// Words that start every message (`"tokenizer error"`), or nil for none.
    static var messagePrefix: String? { get }
}

extension ErrorDomain {
    public static var messagePrefix: String? { nil }
}

extension ErrorDomain where Kind == NoKind {
    public static var defaultKind: NoKind { .none }
}

/// The `Kind` of a domain without cases.
public enum NoKind: Sendable, Equatable { case none }

/// The one message format of located errors.
public enum ErrorMessage {
    /// `PREFIX at LOCATION: reason (hint: HINT)` or `LOCATION: reason (hint: HINT)`.
    public static func format(prefix: String?, reason: String, location: String?, hint: String?) -> String {
        var s: String
        if let prefix {
            s = prefix
            if let location { s += " at \(location)" }
            s += ": \(reason)"
        } else {
            s = location.map { "\($0): " } ?? ""
            s += reason
        }
        if let hint, !hint.isEmpty { s += " (hint: \(hint))" }
        return s
    }
}

/// Errors of Core's own operations (POSIX I/O, strict decoding); modules re-throw them as their
/// own with `LocatedError.init(_:)`, or let them through.
public enum CoreFailure: ErrorDomain {}
public typealias CoreError = LocatedError<CoreFailure>
