import Foundation

/// The Training module's error: what went wrong, where (file, line, key), and a hint.
public struct TrainError: Error, CustomStringConvertible, Sendable, Equatable {
    public var reason: String
    public var location: String
    public var hint: String
    public init(_ reason: String, at location: String = "", hint: String = "") {
        self.reason = reason; self.location = location; self.hint = hint
    }
    public var description: String {
        var s = reason
        if !location.isEmpty { s = "\(location): \(s)" }
        if !hint.isEmpty { s += " (hint: \(hint))" }
        return s
    }
}
