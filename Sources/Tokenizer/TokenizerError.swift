import Core

/// The error domain of the Tokenizer module; messages start with "tokenizer error".
public enum TokenizerFailure: ErrorDomain {
    public static var messagePrefix: String? { "tokenizer error" }
}

/// The one error type of the Tokenizer module: what went wrong, where (a file path, optionally
/// with a byte offset or JSON path), and a hint (`LocatedError`).
public typealias TokenizerError = LocatedError<TokenizerFailure>
