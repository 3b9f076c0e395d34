import CSnappy
import CZstd
import Records

/// Reads one column chunk (all pages of one leaf in one row group) into levels and values.
///
/// Reference: https://github.com/apache/parquet-format (README "Data Pages", "Column chunks")
/// and parquet.thrift for `PageHeader`, `DataPageHeader`, `DataPageHeaderV2`.
/// Every size from the file is checked against the bytes actually present before use.
struct ParquetColumnReader {
    let path: String
    let leaf: ParquetSchemaNode
    let meta: ColumnMetaData
    let rowGroup: Int
    let decoder: ParquetValueDecoder

    /// Largest decompressed page accepted (a corrupt header cannot make us allocate more).
    static let maxPageBytes = 1 << 30
    /// Largest number of level entries accepted in one page.
    static let maxPageValues = 1 << 28

    func error(_ reason: String, at offset: Int64, hint: String? = nil) -> DataIOError {
        DataIOError("row group \(rowGroup), column '\(leaf.dottedPath)': \(reason)",
                    at: SourceLocation(file: path, byteOffset: offset, field: leaf.dottedPath), hint: hint)
    }

    /// One page located in a column chunk by `scan`.
    struct PageRef {
        var header: PageHeader
        /// Offset of the page body within the chunk, and of the page (header) in the file.
        var bodyStart: Int
        var pageOffset: Int64
        /// Number of level entries (data pages).
        var count: Int
    }

    /// Levels and values of one data page.
    struct PageData {
        var defs: [UInt8] = []
        var reps: [UInt8] = []
        var values: [JSONValue] = []
    }

    /// Walks the page headers of a chunk (cheap: no decompression) and checks their sizes.
    func scan(_ chunk: UnsafeRawBufferPointer, chunkOffset: Int64) throws -> (dictionary: PageRef?, pages: [PageRef]) {
        let total = meta.numValues
        guard total >= 0, total <= Int64(Int32.max) else { throw error("column chunk claims \(total) values", at: chunkOffset) }
        var dictionary: PageRef?
        var pages: [PageRef] = []
        var pos = 0
        var seen = 0
        while seen < Int(total) {
            let pageOffset = chunkOffset + Int64(pos)
            guard pos < chunk.count else {
                throw error("column chunk ends after \(seen) of \(total) values", at: pageOffset, hint: "the file is truncated or its metadata is corrupt")
            }
            var tr = ThriftCompactReader(chunk, at: pos)
            let h: PageHeader
            do { h = try tr.readPageHeader() } catch let e as ThriftCompactReader.ThriftError {
                throw error("corrupt page header: \(e.reason)", at: chunkOffset + Int64(e.offset))
            }
            let bodyStart = tr.pos
            guard h.compressedSize >= 0, h.uncompressedSize >= 0, Int(h.compressedSize) <= chunk.count - bodyStart else {
                throw error("page claims \(h.compressedSize) compressed bytes, \(chunk.count - bodyStart) left in the column chunk", at: pageOffset)
            }
            guard Int(h.uncompressedSize) <= Self.maxPageBytes else {
                throw error("page claims \(h.uncompressedSize) uncompressed bytes", at: pageOffset)
            }
            pos = bodyStart + Int(h.compressedSize)
            switch PageType(rawValue: h.type) {
            case .dictionaryPage?:
                guard dictionary == nil, pages.isEmpty else { throw error("unexpected dictionary page", at: pageOffset) }
                guard h.numValues >= 0, Int(h.numValues) <= Int(h.uncompressedSize) * 8 + 8 else {
                    throw error("dictionary page claims \(h.numValues) values", at: pageOffset)
                }
                dictionary = PageRef(header: h, bodyStart: bodyStart, pageOffset: pageOffset, count: Int(h.numValues))
            case .dataPage?, .dataPageV2?:
                let n = Int(h.numValues)
                guard n >= 0, n <= Int(total) - seen, n <= Self.maxPageValues else {
                    throw error("data page claims \(h.numValues) values, \(Int(total) - seen) remain in the column chunk", at: pageOffset)
                }
                pages.append(PageRef(header: h, bodyStart: bodyStart, pageOffset: pageOffset, count: n))
                seen += n
            default:
                continue  // index pages and unknown page types carry no values
            }
        }
        return (dictionary, pages)
    }

    func decodeDictionary(_ chunk: UnsafeRawBufferPointer, chunkOffset: Int64, _ page: PageRef) throws -> [JSONValue] {
        let h = page.header
        let body = UnsafeRawBufferPointer(rebasing: chunk[page.bodyStart..<(page.bodyStart + Int(h.compressedSize))])
        let bodyOffset = chunkOffset + Int64(page.bodyStart)
        var dict: [JSONValue] = []
        do {
            try withDecompressed(body, size: Int(h.uncompressedSize), at: bodyOffset) { raw in
                try decoder.decodePlain(raw, count: page.count, into: &dict)
            }
        } catch let e as EncodingError {
            throw error("dictionary page: \(e.reason)", at: bodyOffset)
        }
        return dict
    }

    /// Decodes one data page (v1 or v2): levels, then the non-null values.
    func decodePage(_ chunk: UnsafeRawBufferPointer, chunkOffset: Int64, _ page: PageRef, dictionary: [JSONValue]?) throws -> PageData {
        let maxDef = leaf.maxDefinitionLevel, maxRep = leaf.maxRepetitionLevel
        let h = page.header
        let n = page.count
        let body = UnsafeRawBufferPointer(rebasing: chunk[page.bodyStart..<(page.bodyStart + Int(h.compressedSize))])
        let bodyOffset = chunkOffset + Int64(page.bodyStart)
        var data = PageData()
        if maxRep > 0 { data.reps = [UInt8](repeating: 0, count: n) }
        if maxDef > 0 { data.defs = [UInt8](repeating: 0, count: n) }
        do {
            if h.type == PageType.dataPage.rawValue {
                try withDecompressed(body, size: Int(h.uncompressedSize), at: bodyOffset) { raw in
                    var p = 0
                    if maxRep > 0 {
                        guard h.repEncoding == ParquetEncoding.rle.rawValue else { throw EncodingError(reason: "repetition levels in unsupported encoding \(h.repEncoding)", offset: 0) }
                        p += try levels(raw, at: p, prefixed: true, max: maxRep, into: &data.reps, from: 0, count: n)
                    }
                    if maxDef > 0 {
                        guard h.defEncoding == ParquetEncoding.rle.rawValue else { throw EncodingError(reason: "definition levels in unsupported encoding \(h.defEncoding)", offset: p) }
                        p += try levels(raw, at: p, prefixed: true, max: maxDef, into: &data.defs, from: 0, count: n)
                    }
                    let nonNull = nonNullCount(data.defs, from: 0, count: n, maxDef: maxDef)
                    data.values.reserveCapacity(nonNull)
                    try decoder.decode(h.encoding, UnsafeRawBufferPointer(rebasing: raw[p...]), count: nonNull,
                                       dictionary: dictionary, into: &data.values)
                }
            } else {
                let repLen = Int(h.repLevelsByteLength), defLen = Int(h.defLevelsByteLength)
                guard repLen >= 0, defLen >= 0, repLen + defLen <= body.count, repLen + defLen <= Int(h.uncompressedSize) else {
                    throw error("v2 page level lengths (\(repLen) + \(defLen)) exceed the page (\(body.count) bytes)", at: page.pageOffset)
                }
                if maxRep > 0 {
                    _ = try levels(UnsafeRawBufferPointer(rebasing: body[0..<repLen]), at: 0, prefixed: false, max: maxRep,
                                   into: &data.reps, from: 0, count: n)
                }
                if maxDef > 0 {
                    _ = try levels(UnsafeRawBufferPointer(rebasing: body[repLen..<(repLen + defLen)]), at: 0, prefixed: false,
                                   max: maxDef, into: &data.defs, from: 0, count: n)
                }
                let nonNull = nonNullCount(data.defs, from: 0, count: n, maxDef: maxDef)
                data.values.reserveCapacity(nonNull)
                let values = UnsafeRawBufferPointer(rebasing: body[(repLen + defLen)...])
                let valuesSize = Int(h.uncompressedSize) - repLen - defLen
                let decode = { (raw: UnsafeRawBufferPointer) throws in
                    try decoder.decode(h.encoding, raw, count: nonNull, dictionary: dictionary, into: &data.values)
                }
                if h.isCompressed { try withDecompressed(values, size: valuesSize, at: bodyOffset + Int64(repLen + defLen), decode) } else { try decode(values) }
            }
        } catch let e as EncodingError {
            throw error(e.reason, at: bodyOffset)
        }
        return data
    }

    /// Joins decoded pages into the chunk's column data, checking the value count.
    func join(_ pages: [PageData], counts: [Int], chunkOffset: Int64) throws -> ColumnData {
        var data = ColumnData()
        data.count = counts.reduce(0, +)
        if leaf.maxDefinitionLevel > 0 {
            data.defs.reserveCapacity(data.count)
            for p in pages { data.defs.append(contentsOf: p.defs) }
        }
        if leaf.maxRepetitionLevel > 0 {
            data.reps.reserveCapacity(data.count)
            for p in pages { data.reps.append(contentsOf: p.reps) }
        }
        data.segments = pages.map(\.values)
        let nv = pages.reduce(0) { $0 + $1.values.count }
        let want = nonNullCount(data.defs, from: 0, count: data.count, maxDef: leaf.maxDefinitionLevel)
        guard nv == want else { throw error("decoded \(nv) values but the levels define \(want)", at: chunkOffset) }
        return data
    }

    /// Reads a whole chunk serially. `chunk` holds its bytes, which start at file offset `chunkOffset`.
    func read(_ chunk: UnsafeRawBufferPointer, chunkOffset: Int64) throws -> ColumnData {
        let (dictPage, pages) = try scan(chunk, chunkOffset: chunkOffset)
        let dict = try dictPage.map { try decodeDictionary(chunk, chunkOffset: chunkOffset, $0) }
        let decoded = try pages.map { try decodePage(chunk, chunkOffset: chunkOffset, $0, dictionary: dict) }
        return try join(decoded, counts: pages.map(\.count), chunkOffset: chunkOffset)
    }

    /// Decodes `count` RLE-hybrid levels into `levels[from...]`; returns bytes consumed.
    private func levels(_ raw: UnsafeRawBufferPointer, at p: Int, prefixed: Bool, max: Int,
                        into levels: inout [UInt8], from: Int, count: Int) throws -> Int {
        var start = p, len = raw.count - p
        if prefixed {
            guard raw.count - p >= 4 else { throw EncodingError(reason: "level length prefix truncated", offset: p) }
            len = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
            start = p + 4
            guard len <= raw.count - start else { throw EncodingError(reason: "levels claim \(len) bytes, page has \(raw.count - start)", offset: p) }
        }
        let width = ParquetEncodings.bitWidth(max)
        guard count > 0 else { return (start - p) + len }
        try levels.withUnsafeMutableBufferPointer { buf in
            try ParquetEncodings.decodeHybrid(UnsafeRawBufferPointer(rebasing: raw[start..<(start + len)]), bitWidth: width,
                                              count: count, into: buf.baseAddress! + from)
            for i in from..<(from + count) where Int(buf[i]) > max {
                throw EncodingError(reason: "level \(buf[i]) exceeds the maximum \(max)", offset: start)
            }
        }
        return (start - p) + len
    }

    private func nonNullCount(_ defs: [UInt8], from: Int, count: Int, maxDef: Int) -> Int {
        if maxDef == 0 { return count }
        let m = UInt8(maxDef)
        var c = 0
        defs.withUnsafeBufferPointer { d in for i in from..<(from + count) where d[i] == m { c += 1 } }
        return c
    }

    /// Runs `body` on the page bytes after decompression with the chunk's codec.
    private func withDecompressed(_ src: UnsafeRawBufferPointer, size: Int, at offset: Int64,
                                  _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let loc = SourceLocation(file: path, byteOffset: offset, field: leaf.dottedPath)
        let out: [UInt8]
        do {
            switch ParquetCodec(rawValue: meta.codec) {
            case .uncompressed?:
                guard src.count == size else { throw error("uncompressed page is \(src.count) bytes, header says \(size)", at: offset) }
                try body(src)
                return
            case .snappy?: out = try Self.unsnappy(src, size: size, at: loc)
            case .gzip?: out = try ParquetInflate.gunzip(src, size: size, at: loc)
            case .zstd?:
                let declared = ZSTD_getFrameContentSize(src.baseAddress, src.count)
                if declared < UInt64.max - 1 && declared != UInt64(size) {  // max, max-1: unknown / error
                    throw error("zstd frame declares \(declared) bytes, page header says \(size)", at: offset)
                }
                out = try Self.unzstd(src, size: size, at: loc)
            case let c:
                let name = c.map { "\($0)".uppercased() } ?? "codec #\(meta.codec)"
                throw error("unsupported compression codec \(name == "LZ4RAW" ? "LZ4_RAW" : name)", at: offset,
                            hint: "rewrite the file with snappy, gzip, zstd or no compression")
            }
        } catch let e as DataIOError where e.reason.hasPrefix("row group") == false {
            throw error(e.reason, at: offset)
        }
        try out.withUnsafeBytes { try body($0) }
    }

    /// Snappy straight into an uninitialised buffer of the declared size (the length header is
    /// checked against it first).
    static func unsnappy(_ src: UnsafeRawBufferPointer, size: Int, at loc: SourceLocation) throws -> [UInt8] {
        let s0 = src.baseAddress?.assumingMemoryBound(to: CChar.self)
        var len = 0
        guard snappy_uncompressed_length(s0, src.count, &len) == SNAPPY_OK else {
            throw DataIOError("corrupt snappy page (bad length header)", at: loc)
        }
        guard len == size else { throw DataIOError("snappy page decodes to \(len) bytes, header declares \(size)", at: loc) }
        var ok = true
        let out = [UInt8](unsafeUninitializedCapacity: size) { buf, n in
            var got = size
            let st = snappy_uncompress(s0, src.count, UnsafeMutableRawPointer(buf.baseAddress)?.assumingMemoryBound(to: CChar.self), &got)
            ok = st == SNAPPY_OK && got == size
            n = ok ? size : 0
        }
        guard ok else { throw DataIOError("corrupt snappy page", at: loc) }
        return out
    }

    /// zstd frame(s) straight into an uninitialised buffer of the declared size.
    static func unzstd(_ src: UnsafeRawBufferPointer, size: Int, at loc: SourceLocation) throws -> [UInt8] {
        var r = 0
        let out = [UInt8](unsafeUninitializedCapacity: size) { buf, n in
            r = ZSTD_decompress(buf.baseAddress, size, src.baseAddress, src.count)
            n = ZSTD_isError(r) == 0 && r == size ? size : 0
        }
        if ZSTD_isError(r) != 0 { throw DataIOError("corrupt zstd page: \(String(cString: ZSTD_getErrorName(r)))", at: loc) }
        guard r == size else { throw DataIOError("zstd page decodes to \(r) bytes, header declares \(size)", at: loc) }
        return out
    }

    /// Inflates a gzip page with zlib straight into a buffer of the size the page header declares
    /// (one pass, no intermediate chunks). Multi-member streams are joined.
    static func gunzip(_ src: UnsafeRawBufferPointer, size: Int, at loc: SourceLocation) throws -> [UInt8] {
        var z = GzipInflater()
        try z.start(at: loc)
        defer { z.end() }
        var consumed = 0
        var done = 0
        var ended = false
        let out = try [UInt8](unsafeUninitializedCapacity: size) { buf, n in
            let dst = UnsafeMutableRawBufferPointer(buf)
            while true {
                let (used, produced, end) = try z.inflate(UnsafeRawBufferPointer(rebasing: src[consumed...]),
                                                          into: UnsafeMutableRawBufferPointer(rebasing: dst[done...]), at: loc)
                consumed += used
                done += produced
                if end {
                    if consumed < src.count && done < size { try z.reset(at: loc); continue }
                    ended = true
                    break
                }
                if done == size { break }
                if used == 0 && produced == 0 { break }
            }
            n = size
        }
        if !ended && done == size {
            // Output is full: the stream must end here.
            var one: UInt8 = 0
            let (_, produced, end) = try withUnsafeMutableBytes(of: &one) { try z.inflate(UnsafeRawBufferPointer(rebasing: src[consumed...]), into: $0, at: loc) }
            if produced > 0 { throw DataIOError("gzip page decodes to more than the \(size) bytes its header declares", at: loc) }
            ended = end
        }
        guard ended, done == size else {
            throw DataIOError("gzip page decodes to \(done) bytes, header declares \(size)\(ended ? "" : " (truncated stream)")", at: loc)
        }
        return out
    }
}
