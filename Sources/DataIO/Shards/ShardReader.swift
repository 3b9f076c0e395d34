#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Records

/// Reads one shard file (format v1): O(1) random access to sample `i` through the sample
/// index, sequential iteration, and block-level checks. The file is memory-mapped.
/// Not thread-safe (it caches the last decompressed block); open one reader per thread.
public final class ShardReader {
    public let path: String
    public let header: ShardHeader
    public let blocks: [ShardBlockEntry]
    public let index: [ShardIndexEntry]
    let base: UnsafeRawPointer
    let length: Int
    private var cachedBlock = -1
    private var cache: [UInt8] = []
    /// Whether block CRCs are checked on every decompression (default true; cost ~5%).
    public var verifyBlocks = true

    public var count: Int { index.count }

    /// Opens `path`, checks header and index checksums and the section bounds.
    public init(path: String) throws {
        self.path = path
        let (m, len) = try PosixFile.mapReadOnly(path, what: "shard", minimumBytes: ShardFormat.headerSize) { len in
            DataIOError("file is \(len) bytes, shorter than the 128-byte header", at: SourceLocation(file: path), hint: "truncated shard")
        }
        let p = UnsafeRawBufferPointer(start: UnsafeRawPointer(m), count: len)
        do {
            let h = try ShardHeader.decode(p, file: path)
            let (b, ix) = try ShardReader.readIndex(p, header: h, file: path)
            header = h
            blocks = b
            index = ix
        } catch {
            munmap(m, len)
            throw error
        }
        base = UnsafeRawPointer(m)
        length = len
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), length) }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: length) }

    static func readIndex(_ p: UnsafeRawBufferPointer, header h: ShardHeader, file: String) throws -> ([ShardBlockEntry], [ShardIndexEntry]) {
        let loc = SourceLocation(file: file, byteOffset: Int64(h.blockTableOffset), field: "index")
        guard h.fileLength == UInt64(p.count) else {
            throw DataIOError("file is \(p.count) bytes but the header says \(h.fileLength)", at: SourceLocation(file: file), hint: "truncated or extended shard")
        }
        // Every size is checked against the file length with overflow-checked arithmetic before
        // it is converted to Int or used to allocate (a hostile sampleCount near 2^63 must not trap).
        let (tableEnd, o1) = h.blockTableOffset.addingReportingOverflow(h.blockTableLength)
        let (indexEnd, o2) = h.sampleIndexOffset.addingReportingOverflow(h.sampleIndexLength)
        let (tableBytes, o3) = UInt64(h.blockCount).multipliedReportingOverflow(by: UInt64(ShardFormat.blockEntrySize))
        let (indexBytes, o4) = h.sampleCount.multipliedReportingOverflow(by: UInt64(ShardFormat.indexEntrySize))
        guard !o1, !o2, !o3, !o4, h.blockTableOffset >= UInt64(ShardFormat.headerSize), tableEnd == h.sampleIndexOffset,
              indexEnd == h.fileLength, h.blockTableLength == tableBytes, h.sampleIndexLength == indexBytes,
              h.sampleCount <= UInt64(UInt32.max) else {
            throw DataIOError("index section bounds are inconsistent", at: loc)
        }
        let ixBytes = UnsafeRawBufferPointer(rebasing: p[Int(h.blockTableOffset)..<Int(h.fileLength)])
        let crc = CRC32C.checksum(ixBytes)
        guard crc == h.indexCRC else {
            throw DataIOError("index checksum mismatch (stored \(hex(h.indexCRC)), computed \(hex(crc)))", at: loc)
        }
        var r = ByteReader(ixBytes)
        var blocks: [ShardBlockEntry] = []
        blocks.reserveCapacity(Int(h.blockCount))
        var expectFirst: UInt32 = 0, expectOffset = UInt64(ShardFormat.headerSize)
        for b in 0..<Int(h.blockCount) {
            let e = ShardBlockEntry.decode(&r)
            guard e.firstSample == expectFirst, e.fileOffset == expectOffset, e.sampleCount > 0,
                  UInt64(e.firstSample) + UInt64(e.sampleCount) <= h.sampleCount,
                  UInt64(e.compressedSize) <= h.blockTableOffset - expectOffset else {
                throw DataIOError("block table entry \(b) is inconsistent", at: loc)
            }
            guard e.uncompressedSize <= ShardFormat.maxBlockBytes,
                  UInt64(e.uncompressedSize) <= UInt64(e.compressedSize) * UInt64(ShardFormat.maxCompressionRatio) else {
                throw DataIOError("block \(b) claims \(e.uncompressedSize) uncompressed bytes from \(e.compressedSize) compressed",
                                  at: loc, hint: "at most \(ShardFormat.maxBlockBytes) bytes and a ratio of \(ShardFormat.maxCompressionRatio):1 (schemas/shard.v1.md)")
            }
            expectFirst += e.sampleCount
            expectOffset += UInt64(e.compressedSize)
            blocks.append(e)
        }
        guard UInt64(expectFirst) == h.sampleCount, expectOffset == h.blockTableOffset else {
            throw DataIOError("block table does not cover the samples/body exactly", at: loc)
        }
        var index: [ShardIndexEntry] = []
        index.reserveCapacity(Int(h.sampleCount))
        var tokens: UInt64 = 0, labels: UInt64 = 0
        for i in 0..<Int(h.sampleCount) {
            let e = ShardIndexEntry(block: r.u32(), offset: r.u32(), tokenCount: r.u32(), labelCount: r.u32())
            guard Int(e.block) < blocks.count, e.offset < blocks[Int(e.block)].uncompressedSize,
                  UInt64(i) >= UInt64(blocks[Int(e.block)].firstSample),
                  UInt64(i) < UInt64(blocks[Int(e.block)].firstSample) + UInt64(blocks[Int(e.block)].sampleCount) else {
                throw DataIOError("sample index entry \(i) points outside its block", at: loc)
            }
            tokens += UInt64(e.tokenCount)
            labels += UInt64(e.labelCount)
            index.append(e)
        }
        guard tokens == h.tokenCount, labels == h.labelTokenCount else {
            throw DataIOError("token counts in the index disagree with the header", at: loc)
        }
        return (blocks, index)
    }

    /// The decompressed bytes of block `b`, checking both block CRCs when `verifyBlocks`.
    public func blockBytes(_ b: Int) throws -> [UInt8] {
        if b == cachedBlock { return cache }
        let e = blocks[b]
        let loc = SourceLocation(file: path, byteOffset: Int64(e.fileOffset), field: "block \(b)")
        let z = UnsafeRawBufferPointer(rebasing: bytes[Int(e.fileOffset)..<(Int(e.fileOffset) + Int(e.compressedSize))])
        if verifyBlocks {
            let c = CRC32C.checksum(z)
            guard c == e.compressedCRC else {
                throw DataIOError("block \(b) checksum mismatch (stored \(hex(e.compressedCRC)), computed \(hex(c)))", at: loc)
            }
        }
        let raw = try Codecs.zstdDecompress(z, expected: Int(e.uncompressedSize), at: loc)
        if verifyBlocks {
            let c = CRC32C.checksum(raw)
            guard c == e.uncompressedCRC else {
                throw DataIOError("block \(b) decompressed checksum mismatch", at: loc)
            }
        }
        cachedBlock = b
        cache = raw
        return raw
    }

    /// Sample `i` (0-based within this file).
    public func sample(_ i: Int) throws -> ShardSample {
        precondition(i >= 0 && i < count, "sample index \(i) out of range 0..<\(count)")
        let e = index[i]
        let raw = try blockBytes(Int(e.block))
        let loc = SourceLocation(file: path, record: i, field: "block \(e.block) offset \(e.offset)")
        return try raw.withUnsafeBytes { p in
            var r = ByteReader(p)
            r.pos = Int(e.offset)
            let s = try ShardSample.decode(&r, at: loc)
            guard s.ids.count == Int(e.tokenCount), s.labelCount == Int(e.labelCount) else {
                throw DataIOError("sample disagrees with its index entry", at: loc)
            }
            return s
        }
    }

    /// Calls `body` with every sample in order.
    public func forEach(_ body: (Int, ShardSample) throws -> Void) throws {
        for i in 0..<count { try body(i, try sample(i)) }
    }

    /// The raw record bytes of every sample in block `b` (for verification and merging).
    public func records(inBlock b: Int) throws -> [[UInt8]] {
        let raw = try blockBytes(b)
        let e = blocks[b]
        var out: [[UInt8]] = []
        for i in Int(e.firstSample)..<Int(e.firstSample + e.sampleCount) {
            let start = Int(index[i].offset)
            let end = i + 1 < Int(e.firstSample + e.sampleCount) ? Int(index[i + 1].offset) : raw.count
            guard start <= end, end <= raw.count else {
                throw DataIOError("sample offsets in block \(b) are not increasing", at: SourceLocation(file: path, record: i))
            }
            out.append(Array(raw[start..<end]))
        }
        return out
    }
}
