import Records

/// The one error type of the Pipeline module: what failed, where, and a hint.
public struct PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    /// File, line, record or key path the error is about.
    public var location: SourceLocation?
    public var hint: String?

    public init(_ reason: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.reason = reason
        self.location = location
        self.hint = hint
    }

    public var description: String {
        var s = location.map { "\($0): " } ?? ""
        s += reason
        if let hint { s += " (hint: \(hint))" }
        return s
    }
}
