import Core

/// The one error type of the Jinja module: what went wrong, where in the template, and a hint.
///
/// `kind` says which stage failed, so callers can tell a broken template (``Kind/syntax``) from a
/// template that raised while rendering (``Kind/raised`` is `raise_exception(msg)`, whose `reason`
/// is exactly `msg`, as transformers' `TemplateError(msg)` carries it).
public typealias JinjaError = LocatedError<JinjaFailure>

/// The error domain of the Jinja module; messages start with "template error" and the location
/// is the template's line and column.
public enum JinjaFailure: ErrorDomain {
    /// Which stage failed.
    public enum Kind: String, Sendable, Equatable {
        /// The template text does not parse (lexer or parser; jinja2 `TemplateSyntaxError`).
        case syntax
        /// The template parsed but refers to something that does not exist (unknown filter or test;
        /// jinja2 `TemplateAssertionError` / `TemplateRuntimeError`).
        case assertion
        /// Use of an undefined value (jinja2 `UndefinedError`).
        case undefined
        /// A type or value error while evaluating (Python `TypeError` / `ValueError` inside jinja2).
        case type
        /// The template called `raise_exception(message)` (transformers' `TemplateError`).
        case raised
        /// Recursion limit reached (Python `RecursionError`).
        case recursion
        /// Forbidden operation in transformers' immutable sandbox (jinja2 `SecurityError`).
        case security
        /// A resource limit of this engine (work steps, output size, repetition size; `Limits`):
        /// jinja2 has none, so a hostile template (a GGUF's metadata is user data) would hang or
        /// exhaust memory there.
        case limit
        /// Transformers' own pre/post-processing refused the input (`ValueError` in `render_jinja_template`).
        case input
    }

    public static var defaultKind: Kind { .syntax }
    public static var messagePrefix: String? { "template error" }
}

extension LocatedError where Domain == JinjaFailure {
    /// `kind` error at 1-based `line` and `column` of the template source, when known.
    public init(_ kind: Kind, _ reason: String, line: Int? = nil, column: Int? = nil, hint: String? = nil) {
        self.init(reason, at: SourceLocation(file: "", line: line, column: column), hint: hint, kind: kind)
    }

    /// 1-based line in the template source, when known.
    public var line: Int? {
        get { location.line }
        set { location.line = newValue }
    }

    /// 1-based column in the template source, when known.
    public var column: Int? {
        get { location.column }
        set { location.column = newValue }
    }

    /// The same error with a position filled in if it had none.
    func at(_ pos: SourcePos) -> JinjaError {
        if line != nil { return self }
        var e = self
        e.line = pos.line
        e.column = pos.column
        return e
    }
}

/// A 1-based line and column in the template source.
public struct SourcePos: Sendable, Equatable {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// Resource bounds of one rendering (checked before the work or allocation they bound), set far
/// above what chat templates need: all 2,848 golden renderings (GoldenTests) pass under them.
public enum Limits {
    /// Statements executed plus loop iterations.
    public static let maxSteps = 20_000_000
    /// Rendered text, including captured blocks and macro output (UTF-8 bytes).
    public static let maxOutputBytes = 64 << 20
    /// Result of `str * n`, `+` and `~` (bytes) and of `list * n`, `+` (elements).
    public static let maxRepeatBytes = 64 << 20, maxRepeatElements = 10_000_000
}
