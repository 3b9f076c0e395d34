import Records

/// One item from `RecordReader`: a normalised record, or an adapter error for one row
/// (the row is skipped; reading continues).
public enum RecordItem: Sendable {
    case record(Record, SourceLocation)
    case error(DataIOError, SourceLocation)
}

/// Reads one file through `RowSource` and normalises each row with an adapter.
///
/// Bad JSONL lines go where `RowSourceOptions` sends them (rejects file, callback) and are
/// counted in `stats`; adapter failures come back as `.error` items (with the row's location)
/// so the caller can count and write them aside; only a stream error (corrupt compressed
/// data, I/O) is thrown, after every record before it.
public final class RecordReader {
    public let rows: any RowIterator
    public let adapter: any RecordAdapter
    /// Rows read so far (the 0-based index passed to the adapter is this count before the row).
    public private(set) var rowsRead = 0
    public private(set) var records = 0
    public private(set) var adapterErrors = 0

    public init(path: String, adapter: any RecordAdapter, options: RowSourceOptions = RowSourceOptions()) throws {
        rows = try RowSource.open(path: path, options: options)
        self.adapter = adapter
    }

    /// Reader counters (bad lines by reason, bytes, ...).
    public var stats: JSONLStats { rows.stats }

    public func next() throws -> RecordItem? {
        guard let (row, loc) = try rows.next() else { return nil }
        defer { rowsRead += 1 }
        do {
            let r = try adapter.record(from: row, index: rowsRead, location: loc)
            records += 1
            return .record(r, loc)
        } catch let e as DataIOError {
            adapterErrors += 1
            return .error(e, loc)
        }
    }
}
