

/// A command-line error with a message.
struct ModelCLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
