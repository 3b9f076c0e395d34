#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Core
import Records

/// A Parquet file opened for reading: footer, schema, and streaming access to rows.
///
/// Format reference: https://github.com/apache/parquet-format (file layout: "PAR1", column
/// chunks, Thrift-compact `FileMetaData`, 4-byte footer length, "PAR1").
/// Rows are produced one row group at a time, decoding only the requested columns' chunks;
/// every failure is a `DataIOError` naming the file, column path, row group and byte offset.
public final class ParquetFile {
    /// The path given to `init` (used in every error location).
    public let path: String
    /// File size in bytes.
    public let fileSize: Int64
    /// The schema tree; `schema.description` prints it the way pyarrow does.
    public let schema: ParquetSchema
    let meta: FileMetaData
    private let fd: Int32
    /// File offset where the footer (FileMetaData) starts; column chunks must end before it.
    let footerStart: Int64

    /// Opens `path` and reads and validates its footer.
    public init(path: String) throws {
        self.path = path
        let loc = SourceLocation(file: path)
        let handle = open(path, O_RDONLY)
        guard handle >= 0 else { throw DataIOError("cannot open file: \(String(cString: strerror(errno)))", at: loc) }
        var ok = false
        defer { if !ok { close(handle) } }
        var st = stat()
        guard fstat(handle, &st) == 0 else { throw DataIOError("cannot stat file", at: loc) }
        fileSize = Int64(st.st_size)
        guard fileSize >= 12 else {
            throw DataIOError("file is \(fileSize) bytes, too small to be Parquet", at: SourceLocation(file: path, byteOffset: 0),
                              hint: "a Parquet file starts and ends with PAR1")
        }
        let head = try Self.readAt(handle, path: path, offset: 0, count: 4)
        guard head == Array("PAR1".utf8) else {
            throw DataIOError("missing PAR1 magic at the start", at: SourceLocation(file: path, byteOffset: 0), hint: "not a Parquet file")
        }
        let tail = try Self.readAt(handle, path: path, offset: fileSize - 8, count: 8)
        if tail[4..<8] == ArraySlice("PARE".utf8) {
            throw DataIOError("encrypted Parquet files are not supported", at: SourceLocation(file: path, byteOffset: fileSize - 4))
        }
        guard tail[4..<8] == ArraySlice("PAR1".utf8) else {
            throw DataIOError("missing PAR1 magic at the end", at: SourceLocation(file: path, byteOffset: fileSize - 4),
                              hint: "the file is truncated or not Parquet")
        }
        let footerLen = Int64(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
        guard footerLen > 0, footerLen <= fileSize - 12 else {
            throw DataIOError("footer length \(footerLen) does not fit in a \(fileSize)-byte file",
                              at: SourceLocation(file: path, byteOffset: fileSize - 8), hint: "the file is truncated")
        }
        footerStart = fileSize - 8 - footerLen
        let footer = try Self.readAt(handle, path: path, offset: footerStart, count: Int(footerLen))
        let fStart = footerStart
        do {
            meta = try footer.withUnsafeBytes { b -> FileMetaData in
                var r = ThriftCompactReader(b)
                return try r.readFileMetaData()
            }
        } catch let e as ThriftCompactReader.ThriftError {
            throw DataIOError("corrupt footer: \(e.reason)", at: SourceLocation(file: path, byteOffset: fStart + Int64(e.offset)))
        }
        do { schema = try ParquetSchema(elements: meta.schema) } catch let e as ParquetSchema.BuildError {
            throw DataIOError("invalid schema: \(e.reason)", at: SourceLocation(file: path, byteOffset: fStart))
        }
        guard meta.numRows >= 0 else { throw DataIOError("negative row count \(meta.numRows)", at: SourceLocation(file: path, byteOffset: fStart)) }
        // The row groups' counts must add up to the file's (one flipped footer byte must not
        // silently drop rows), and a group claiming 0 rows must hold no values.
        var total: Int64 = 0
        for (g, rg) in meta.rowGroups.enumerated() {
            let (t, o) = total.addingReportingOverflow(rg.numRows)
            guard rg.numRows >= 0, !o else { throw DataIOError("row group \(g) has a bad row count \(rg.numRows)", at: SourceLocation(file: path, byteOffset: fStart)) }
            total = t
            if rg.numRows == 0, let c = rg.columns.first(where: { ($0?.numValues ?? 0) != 0 }) {
                throw DataIOError("row group \(g) claims 0 rows but column '\(c?.path.joined(separator: ".") ?? "")' holds \(c?.numValues ?? 0) values",
                                  at: SourceLocation(file: path, byteOffset: fStart), hint: "the footer is corrupt")
            }
        }
        guard total == meta.numRows else {
            throw DataIOError("row groups hold \(total) rows but the file claims \(meta.numRows)", at: SourceLocation(file: path, byteOffset: fStart),
                              hint: "the footer is corrupt")
        }
        for (g, rg) in meta.rowGroups.enumerated() {
            guard rg.columns.count == schema.leaves.count else {
                throw DataIOError("row group \(g) has \(rg.columns.count) column chunks, the schema has \(schema.leaves.count) columns",
                                  at: SourceLocation(file: path, byteOffset: fStart))
            }
            guard rg.numRows >= 0 else { throw DataIOError("row group \(g) has a negative row count", at: SourceLocation(file: path, byteOffset: fStart)) }
        }
        fd = handle
        ok = true
    }

    deinit { close(fd) }

    /// Total number of rows (from the footer).
    public var numRows: Int { Int(meta.numRows) }
    /// Number of row groups (the unit of streaming: one is decoded at a time).
    public var numRowGroups: Int { meta.rowGroups.count }
    /// Rows in row group `i`.
    public func numRows(inRowGroup i: Int) -> Int { Int(meta.rowGroups[i].numRows) }
    /// Key/value metadata from the footer (e.g. "ARROW:schema", "huggingface").
    public var keyValueMetadata: [(String, String)] { meta.keyValue }
    /// The writer, e.g. "parquet-cpp-arrow version 26.0.1".
    public var createdBy: String? { meta.createdBy }

    /// Streams rows as JSON objects (keys in schema order), one row group at a time.
    /// `columns` selects top-level fields by name; only their column chunks are read.
    public func rows(columns: [String]? = nil) throws -> ParquetRowIterator {
        try ParquetRowIterator(file: self, columns: columns)
    }

    static func readAt(_ fd: Int32, path: String, offset: Int64, count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let n = out.withUnsafeMutableBytes { PosixIO.readFully(fd, $0.baseAddress!, count, at: offset) }
        guard n == count else {
            throw DataIOError(n >= 0 ? "unexpected end of file" : "read failed: \(PosixIO.errorText)",
                              at: SourceLocation(file: path, byteOffset: offset + Int64(max(n, 0))))
        }
        return out
    }

    /// Decodes the chunks of the given leaves in row group `g`.
    func readColumns(rowGroup g: Int, leaves: [Int]) throws -> [ColumnData] {
        var jobs: [(reader: ParquetColumnReader, start: Int64, size: Int)] = []
        jobs.reserveCapacity(leaves.count)
        for li in leaves {
            let leaf = schema.leaves[li]
            let locHere = SourceLocation(file: path, byteOffset: footerStart, field: leaf.dottedPath)
            guard let cm = meta.rowGroups[g].columns[li] else {
                throw DataIOError("row group \(g), column '\(leaf.dottedPath)': column chunk has no metadata", at: locHere)
            }
            guard cm.type == leaf.physicalType?.rawValue, cm.path.isEmpty || cm.path == leaf.path else {
                throw DataIOError("row group \(g), column '\(leaf.dottedPath)': chunk metadata (\(cm.path.joined(separator: ".")), type \(cm.type)) does not match the schema",
                                  at: locHere)
            }
            var start = cm.dataPageOffset
            if let d = cm.dictionaryPageOffset, d > 0, d < start { start = d }
            let size = cm.totalCompressedSize
            guard start >= 4, size >= 0, start <= footerStart, size <= footerStart - start else {
                throw DataIOError("row group \(g), column '\(leaf.dottedPath)': column chunk [\(start), +\(size)) lies outside the data area (4..<\(footerStart))",
                                  at: SourceLocation(file: path, byteOffset: start, field: leaf.dottedPath),
                                  hint: "the file is truncated or its footer is corrupt")
            }
            let conv: ParquetValueConverter
            do { conv = try ParquetValueConverter(leaf: leaf) } catch let e as ParquetValueConverter.Unsupported {
                throw DataIOError("row group \(g), column '\(leaf.dottedPath)': \(e.reason)",
                                  at: SourceLocation(file: path, byteOffset: start, field: leaf.dottedPath))
            }
            let reader = ParquetColumnReader(
                path: path, leaf: leaf, meta: cm, rowGroup: g,
                decoder: ParquetValueDecoder(physical: leaf.physicalType!, typeLength: leaf.typeLength, converter: conv))
            jobs.append((reader, start, Int(size)))
        }
        // Read and scan every chunk (cheap), then decode dictionaries and data pages — all
        // independent — on all cores, and join each chunk's pages in order.
        var chunks: [[UInt8]] = []
        var scans: [(dictionary: ParquetColumnReader.PageRef?, pages: [ParquetColumnReader.PageRef])] = []
        for j in jobs {
            let bytes = try Self.readAt(fd, path: path, offset: j.start, count: j.size)
            scans.append(try bytes.withUnsafeBytes { try j.reader.scan($0, chunkOffset: j.start) })
            chunks.append(bytes)
        }
        let totalBytes = jobs.reduce(0) { $0 + $1.size }
        let threads = totalBytes < 1 << 16 ? 1 : ParquetFile.maxThreads
        let withDict = scans.indices.filter { scans[$0].dictionary != nil }
        let dictResults = Self.parallelMap(count: withDict.count, threads: threads, cost: { jobs[withDict[$0]].size }) { k in
            let i = withDict[k]
            return try chunks[i].withUnsafeBytes { try jobs[i].reader.decodeDictionary($0, chunkOffset: jobs[i].start, scans[i].dictionary!) }
        }
        var dicts = [[JSONValue]?](repeating: nil, count: jobs.count)
        for (k, i) in withDict.enumerated() { dicts[i] = try dictResults[k].get() }
        var tasks: [(chunk: Int, page: Int)] = []
        for i in scans.indices { for k in scans[i].pages.indices { tasks.append((i, k)) } }
        var pageResults = Self.parallelMap(count: tasks.count, threads: threads,
                                           cost: { Int(scans[tasks[$0].chunk].pages[tasks[$0].page].header.compressedSize) }) { t in
            let (i, k) = tasks[t]
            return try chunks[i].withUnsafeBytes {
                try jobs[i].reader.decodePage($0, chunkOffset: jobs[i].start, scans[i].pages[k], dictionary: dicts[i])
            }
        }
        var out: [ColumnData] = []
        out.reserveCapacity(jobs.count)
        var t = 0
        for i in jobs.indices {
            var pages: [ParquetColumnReader.PageData] = []
            pages.reserveCapacity(scans[i].pages.count)
            for _ in scans[i].pages {
                pages.append(try pageResults[t].get())
                pageResults[t] = .success(ParquetColumnReader.PageData())  // drop our reference: values stay uniquely owned
                t += 1
            }
            out.append(try jobs[i].reader.join(pages, counts: scans[i].pages.map(\.count), chunkOffset: jobs[i].start))
        }
        return out
    }

    /// Runs `body(0..<count)` on up to `threads` threads, largest `cost` first; results in index order.
    static func parallelMap<T>(count: Int, threads: Int, cost: (Int) -> Int, _ body: (Int) throws -> T) -> [Result<T, Error>] {
        if threads < 2 || count < 2 { return (0..<count).map { i in Result { try body(i) } } }
        let results = UnsafeMutablePointer<Result<T, Error>>.allocate(capacity: count)
        let order = (0..<count).sorted { cost($0) > cost($1) }
        withoutActuallyEscaping(body) { body in
            Parallel.forEachItem(count, workers: threads) { k in
                let i = order[k]
                (results + i).initialize(to: Result { try body(i) })
            }
        }
        let out = Array(UnsafeMutableBufferPointer(start: results, count: count))
        results.deinitialize(count: count)
        results.deallocate()
        return out
    }

    /// Use libdeflate for GZIP pages when its shared library is present (zlib otherwise).
    nonisolated(unsafe) public static var useLibdeflate = true

    /// Threads used to decode the column chunks of one row group (1 disables parallel decoding).
    nonisolated(unsafe) public static var maxThreads = ProcessInfo.processInfo.activeProcessorCount

    /// Byte ranges of the column chunks of row group `g`, one per leaf column (path, offset, size).
    public func columnChunks(rowGroup g: Int) -> [(path: String, offset: Int64, size: Int64)] {
        guard g >= 0, g < meta.rowGroups.count else { return [] }
        return meta.rowGroups[g].columns.enumerated().map { i, cm in
            (schema.leaves[i].dottedPath, chunkOffset(rowGroup: g, leaf: i) ?? 0, cm?.totalCompressedSize ?? 0)
        }
    }

    /// File offset of the chunk of `leaf` in row group `g` (for error locations).
    func chunkOffset(rowGroup g: Int, leaf: Int) -> Int64? {
        guard g < meta.rowGroups.count, leaf < meta.rowGroups[g].columns.count, let cm = meta.rowGroups[g].columns[leaf] else { return nil }
        if let d = cm.dictionaryPageOffset, d > 0, d < cm.dataPageOffset { return d }
        return cm.dataPageOffset
    }
}
