#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Records

/// An iterator over the rows of one input file, each a `JSONValue` (an object for JSONL,
/// pyarrow `to_pylist()`-shaped for Parquet) with where it came from.
public protocol RowIterator: AnyObject {
    /// The next row, nil at the end. Bad JSONL lines are not returned: they go to
    /// `RowSourceOptions.onBadLine` / `rejects` and are counted in `stats`. Throws a located
    /// `DataIOError` when the file cannot be read further (corrupt compressed stream, I/O
    /// error); rows before it have all been returned.
    func next() throws -> (row: JSONValue, location: SourceLocation)?
    /// Reader counters (for Parquet: rows, and bytes = file size).
    var stats: JSONLStats { get }
    /// The file this iterator reads.
    var path: String { get }
    /// Human-readable description lines (Parquet: schema and row count); empty for JSONL.
    var headerLines: [String] { get }
}

extension RowIterator {
    public var headerLines: [String] { [] }
}

/// Options for `RowSource.open`.
public struct RowSourceOptions {
    public var jsonl = JSONLOptions()
    /// Where bad lines are written (JSON Lines), if anywhere.
    public var rejects: RejectsWriter?
    /// Called for every bad line (e.g. to log or count per source).
    public var onBadLine: ((BadLine) -> Void)?
    /// Parquet only: columns to read (nil = all).
    public var columns: [String]?

    public init(jsonl: JSONLOptions = JSONLOptions(), rejects: RejectsWriter? = nil,
                onBadLine: ((BadLine) -> Void)? = nil, columns: [String]? = nil) {
        self.jsonl = jsonl
        self.rejects = rejects
        self.onBadLine = onBadLine
        self.columns = columns
    }
}

/// The input file formats `RowSource` understands.
public enum RowFormat: String, Sendable, Codable, Equatable {
    case jsonl, parquet

    /// Parquet if the file starts with `PAR1` (or is named `.parquet`); JSON Lines (plain,
    /// gzip or zstd, by magic bytes) or a `.json` array otherwise.
    public static func detect(path: String) throws -> RowFormat {
        if path.hasSuffix(".parquet") { return .parquet }
        let f = try RawFile(path: path)
        var magic = [UInt8](repeating: 0, count: 4)
        let n = try magic.withUnsafeMutableBytes { try f.read(into: $0) }
        if n == 4, magic == Array("PAR1".utf8) { return .parquet }
        return .jsonl
    }
}

/// Opens input files as row iterators, whatever their format.
public enum RowSource {
    /// Opens `path` (JSONL / JSON array, optionally gzip or zstd; Parquet).
    public static func open(path: String, options: RowSourceOptions = RowSourceOptions()) throws -> any RowIterator {
        switch try RowFormat.detect(path: path) {
        case .jsonl: return try JSONLRowIterator(path: path, options: options)
        case .parquet: return try openParquet(path: path, options: options)
        }
    }

    static func openParquet(path: String, options: RowSourceOptions) throws -> any RowIterator {
        try ParquetRowSource(path: path, options: options)
    }
}

/// `RowIterator` over a JSONL (or JSON array) file via `JSONLReader`.
public final class JSONLRowIterator: RowIterator {
    public let reader: JSONLReader
    private let options: RowSourceOptions
    public var path: String { reader.path }
    public var stats: JSONLStats { reader.stats }

    public init(path: String, options: RowSourceOptions = RowSourceOptions()) throws {
        reader = try JSONLReader(path: path, options: options.jsonl)
        self.options = options
    }

    public func next() throws -> (row: JSONValue, location: SourceLocation)? {
        while let item = try reader.next() {
            switch item {
            case .row(let v, let loc): return (v, loc)
            case .bad(let b):
                options.rejects?.write(b)
                options.onBadLine?(b)
            }
        }
        return nil
    }
}
