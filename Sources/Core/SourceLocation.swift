/// Where something happened in the input, for error messages and reject files: a file (or
/// other named source) and, when known, a line and column, a byte offset, a record index and a
/// key path. The one location type of every module's errors (`LocatedError`).
public struct SourceLocation: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    /// File path, or another name of the source (`"train config"`, `"flags"`); may be empty when
    /// only a position is known (a template's line and column).
    public var file: String
    /// 1-based line number (JSONL, YAML, templates).
    public var line: Int?
    /// 1-based column, with `line`.
    public var column: Int?
    /// Byte offset in the (decompressed) stream.
    public var byteOffset: Int64?
    /// 0-based record / row index.
    public var record: Int?
    /// A field path, key path or column name.
    public var field: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, byteOffset: Int64? = nil, record: Int? = nil,
                field: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.byteOffset = byteOffset
        self.record = record
        self.field = field
    }

    /// True when nothing at all is known (no file, no position).
    public var isEmpty: Bool {
        file.isEmpty && line == nil && column == nil && byteOffset == nil && record == nil && field == nil
    }

    /// `file:line:column (byte B) record R field 'F'`, each part only when known; without a file,
    /// a position reads `line L, column C`.
    public var description: String {
        var s = file
        if let line {
            if file.isEmpty {
                s = "line \(line)"
                if let column { s += ", column \(column)" }
            } else {
                s += ":\(line)"
                if let column { s += ":\(column)" }
            }
        }
        if let byteOffset { s += s.isEmpty ? "byte \(byteOffset)" : " (byte \(byteOffset))" }
        if let record { s += s.isEmpty ? "record \(record)" : " record \(record)" }
        if let field { s += s.isEmpty ? "field '\(field)'" : " field '\(field)'" }
        return s
    }

    // Codable: `column` is new; encoded only when set, so older reject files decode and
    // records without a column encode as before.
    enum CodingKeys: String, CodingKey { case file, line, column, byteOffset, record, field }
}
