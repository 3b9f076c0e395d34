import Records

/// The one error type of the Model module: what failed, where (file, tensor or config key,
/// sequence index), and a hint.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    public var reason: String
    public var hint: String?

    public init(_ reason: String, at location: SourceLocation, hint: String? = nil) {
        self.reason = reason
        self.location = location
        self.hint = hint
    }

    public var description: String {
        var s = "\(location): \(reason)"
        if let hint { s += " (hint: \(hint))" }
        return s
    }
}
