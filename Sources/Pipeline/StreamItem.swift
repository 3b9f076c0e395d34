import Records

/// One item of an input stream: a normalised record, or a row that could not become one.
public enum StreamItem: Sendable {
    case record(Record, SourceLocation)
    case bad(reason: String, detail: String, SourceLocation)
}
