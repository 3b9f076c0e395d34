import Records

/// `RowIterator` over a Parquet file via `ParquetFile` (rows as pyarrow `to_pylist()` values).
///
/// A corrupt row group makes `next()` throw a located `DataIOError`; calling `next()` again
/// continues with the following row group (ParquetRowIterator's behaviour), so a caller that
/// wants to keep the rest of the file can count the error and go on.
public final class ParquetRowSource: RowIterator {
    public let file: ParquetFile
    private let rows: ParquetRowIterator
    public private(set) var stats = JSONLStats()
    public var path: String { file.path }

    public init(path: String, options: RowSourceOptions = RowSourceOptions()) throws {
        file = try ParquetFile(path: path)
        rows = try file.rows(columns: options.columns)
        stats.bytes = file.fileSize
    }

    /// `rows: N`, `row groups: G`, `created by: ...`, then `schema:` and pyarrow-style schema lines.
    public var headerLines: [String] {
        var h = ["rows: \(file.numRows)", "row groups: \(file.numRowGroups)"]
        if let c = file.createdBy { h.append("created by: \(c)") }
        h.append("schema:")
        h += file.schema.description.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        return h
    }

    public func next() throws -> (row: JSONValue, location: SourceLocation)? {
        guard let r = try rows.nextRow() else { return nil }
        let loc = SourceLocation(file: file.path, record: stats.rows)
        stats.rows += 1
        stats.lines += 1
        return (r, loc)
    }
}
