import Records

/// Why a JSONL line was rejected. Raw values are the names used in stats and reject files.
public enum BadLineReason: String, Sendable, Codable, Equatable, Hashable, CaseIterable, Comparable {
    /// The line is not valid JSON.
    case invalidJSON = "invalid_json"
    /// The line is not valid UTF-8 (and therefore not valid JSON).
    case invalidUTF8 = "invalid_utf8"
    /// The last line has no trailing newline and does not parse: the file was cut short.
    case truncatedLastLine = "truncated_last_line"
    /// The line is longer than `JSONLOptions.maxLineBytes`; its bytes were skipped unread.
    case lineTooLong = "line_too_long"
    /// A UTF-8 byte-order mark at the start of a line other than the first.
    case bomMidFile = "bom_mid_file"
    /// Valid JSON whose top level is not an object (an array, string, number, ...).
    case notObject = "not_object"

    public static func < (a: BadLineReason, b: BadLineReason) -> Bool { a.rawValue < b.rawValue }
}

/// One rejected line: where it is, why, and (the start of) its text.
public struct BadLine: Sendable, Codable, Equatable, CustomStringConvertible {
    /// File, 1-based line number and byte offset of the line start in the decompressed stream.
    public var location: SourceLocation
    public var reason: BadLineReason
    /// Parser message or other detail (e.g. "invalid JSON at byte 12: expected ':' after key").
    public var detail: String
    /// The first `JSONLOptions.rejectTextBytes` bytes of the line, decoded leniently (U+FFFD for bad UTF-8).
    public var text: String
    /// Full length of the line in bytes.
    public var length: Int

    public init(location: SourceLocation, reason: BadLineReason, detail: String, text: String, length: Int) {
        self.location = location
        self.reason = reason
        self.detail = detail
        self.text = text
        self.length = length
    }

    public var description: String { "\(location): \(reason.rawValue): \(detail)" }

    /// The reject-file form: `{"file","line","offset","reason","detail","length","text"}`.
    public var rejectJSON: JSONValue {
        .object(JSONObject([
            ("file", .string(location.file)),
            ("line", location.line.map { .int(Int64($0)) } ?? .null),
            ("offset", location.byteOffset.map { .int($0) } ?? .null),
            ("reason", .string(reason.rawValue)),
            ("detail", .string(detail)),
            ("length", .int(Int64(length))),
            ("text", .string(text)),
        ]))
    }
}

/// What `JSONLReader.next()` yields.
public enum JSONLItem: Sendable, Equatable {
    /// A parsed top-level object (or, in array mode, any element) and where it came from.
    case row(JSONValue, SourceLocation)
    /// A rejected line; reading continues with the next line.
    case bad(BadLine)
}

/// Options of `JSONLReader` (all have safe defaults).
public struct JSONLOptions: Sendable, Equatable {
    /// Lines longer than this are rejected as `line_too_long` without being buffered. Default 64 MiB.
    public var maxLineBytes: Int = 64 << 20
    /// An over-long line is skipped only up to this many bytes; a stream with no newline in
    /// that span (e.g. `/dev/zero`, a binary file) stops with a located `DataIOError`, so
    /// reading always ends. Default 1 GiB.
    public var maxSkipBytes: Int = 1 << 30
    /// Size of the fixed read buffer. Default 1 MiB (the buffer grows only to hold one long line).
    public var readBufferBytes: Int = 1 << 20
    /// Bytes of a bad line kept in `BadLine.text`. Default 256.
    public var rejectTextBytes: Int = 256
    /// Accept rows whose top level is not an object (otherwise they are `not_object`). Default false.
    public var allowNonObjectRows: Bool = false
    /// `.json` files whose first non-blank byte is `[` are read as one JSON array whose elements
    /// are streamed one by one (see `JSONLReader`). Set false to treat them as JSON Lines. Default true.
    public var detectJSONArray: Bool = true

    public init() {}
}

/// Counters kept by `JSONLReader` while it reads; `JSONValue` form via `json`.
public struct JSONLStats: Sendable, Equatable {
    /// Lines seen (including blank and bad ones); in array mode, elements seen.
    public var lines: Int = 0
    /// Blank (whitespace-only) lines, skipped silently.
    public var blankLines: Int = 0
    /// Rows delivered.
    public var rows: Int = 0
    /// Rejected lines by reason.
    public var bad: [BadLineReason: Int] = [:]
    /// Decompressed bytes read.
    public var bytes: Int64 = 0
    /// True when a UTF-8 BOM at the start of the file was stripped (a notice, not an error).
    public var bomStripped: Bool = false
    /// True when the file was read as a single JSON array.
    public var arrayMode: Bool = false
    /// Lines whose `\r\n` ending was normalised.
    public var crlfLines: Int = 0
    /// The stream error that ended the file early, if any.
    public var streamError: String?

    public init() {}

    public var badTotal: Int { bad.values.reduce(0, +) }

    public mutating func add(_ o: JSONLStats) {
        lines += o.lines; blankLines += o.blankLines; rows += o.rows; bytes += o.bytes
        for (k, v) in o.bad { bad[k, default: 0] += v }
        bomStripped = bomStripped || o.bomStripped
        arrayMode = arrayMode || o.arrayMode
        crlfLines += o.crlfLines
        if streamError == nil { streamError = o.streamError }
    }

    /// `{"lines","rows","blank_lines","bad_total","bad":{reason:n},"bytes","bom_stripped","crlf_lines","array_mode","stream_error"}`.
    public var json: JSONValue {
        var badObj = JSONObject()
        for r in bad.keys.sorted() { badObj[r.rawValue] = .int(Int64(bad[r]!)) }
        return .object(JSONObject([
            ("lines", .int(Int64(lines))), ("rows", .int(Int64(rows))), ("blank_lines", .int(Int64(blankLines))),
            ("bad_total", .int(Int64(badTotal))), ("bad", .object(badObj)), ("bytes", .int(bytes)),
            ("bom_stripped", .bool(bomStripped)), ("crlf_lines", .int(Int64(crlfLines))),
            ("array_mode", .bool(arrayMode)), ("stream_error", streamError.map { .string($0) } ?? .null),
        ]))
    }
}
