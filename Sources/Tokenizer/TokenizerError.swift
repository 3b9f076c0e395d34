/// The one error type of the Tokenizer module: what went wrong, where, and a hint.
public struct TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public var reason: String
    /// Where: a file path, optionally with a byte offset or JSON path.
    public var location: String?
    /// How to fix it, when known.
    public var hint: String?

    public init(_ reason: String, at location: String? = nil, hint: String? = nil) {
        self.reason = reason
        self.location = location
        self.hint = hint
    }

    public var description: String {
        var s = "tokenizer error"
        if let location { s += " at \(location)" }
        s += ": \(reason)"
        if let hint { s += " (hint: \(hint))" }
        return s
    }
}
