import Records

/// Constants and fixed-size structures of shard format v1 (`schemas/shard.v1.md`).
/// All integers little-endian.
public enum ShardFormat {
    /// File magic, the first 8 bytes of every shard.
    public static let magic: [UInt8] = Array("EAFTSHRD".utf8)
    /// Version written (2: v1 plus the optional expected-token column, flag bit 2). Readers accept 1 and 2.
    public static let version: UInt32 = 2
    public static let readableVersions: ClosedRange<UInt32> = 1...2
    public static let headerSize = 128
    public static let blockEntrySize = 32
    public static let indexEntrySize = 16
    /// dtype codes stored in header bytes 24–27.
    public static let dtypeU32: UInt8 = 1, dtypeF32: UInt8 = 2, dtypeU8: UInt8 = 3
    public static let compressionZstd: UInt8 = 1
    /// Per-sample flag bits.
    public static let flagScored: UInt32 = 1, flagFullEntropy: UInt32 = 2
    /// Per-sample flag bit 2 (version 2): the model's most probable token and its log-probability are stored.
    public static let flagExpected: UInt32 = 4
    /// Header flag bits this version defines; any other bit set is an error.
    public static let knownFlags: UInt32 = flagScored | flagFullEntropy | flagExpected
    /// Largest uncompressed block a reader accepts, and the largest ratio of uncompressed to
    /// compressed block size (zstd cannot exceed ~32 000:1 on a block); both are checked before
    /// a block is allocated.
    public static let maxBlockBytes: UInt32 = 1 << 30, maxCompressionRatio: UInt32 = 1 << 15
    /// File-name pattern of shard `i`.
    public static func fileName(_ i: Int) -> String {
        let s = String(i)
        return "shard-" + String(repeating: "0", count: max(0, 5 - s.count)) + s + ".eaft"
    }
}

/// The 128-byte file header.
public struct ShardHeader: Sendable, Equatable {
    public var flags: UInt32 = 0
    public var topK: UInt32 = 0
    public var blockCount: UInt32 = 0
    public var sampleCount: UInt64 = 0
    public var tokenCount: UInt64 = 0
    public var labelTokenCount: UInt64 = 0
    public var blockTableOffset: UInt64 = 0
    public var blockTableLength: UInt64 = 0
    public var sampleIndexOffset: UInt64 = 0
    public var sampleIndexLength: UInt64 = 0
    public var fileLength: UInt64 = 0
    public var indexCRC: UInt32 = 0
    public var bodyCRC: UInt32 = 0

    public init() {}

    /// Serialises the header including its own CRC at bytes 124–127.
    public func encode() -> [UInt8] {
        var b = ByteWriter(capacity: ShardFormat.headerSize)
        b.bytes(ShardFormat.magic)
        b.u32(ShardFormat.version)
        b.u32(UInt32(ShardFormat.headerSize))
        b.u32(flags)
        b.u32(topK)
        b.bytes([ShardFormat.dtypeU32, ShardFormat.dtypeF32, ShardFormat.dtypeU8, ShardFormat.compressionZstd])
        b.u32(blockCount)
        b.u64(sampleCount)
        b.u64(tokenCount)
        b.u64(labelTokenCount)
        b.u64(blockTableOffset)
        b.u64(blockTableLength)
        b.u64(sampleIndexOffset)
        b.u64(sampleIndexLength)
        b.u64(fileLength)
        b.u32(indexCRC)
        b.u32(bodyCRC)
        b.zeros(ShardFormat.headerSize - 4 - b.out.count)
        b.u32(CRC32C.checksum(b.out))
        return b.out
    }

    /// Parses and checks a header (magic, version, dtypes, header CRC).
    public static func decode(_ p: UnsafeRawBufferPointer, file: String) throws -> ShardHeader {
        let loc = SourceLocation(file: file, byteOffset: 0, field: "header")
        guard p.count >= ShardFormat.headerSize else {
            throw DataIOError("file is \(p.count) bytes, shorter than the 128-byte header", at: loc, hint: "truncated shard")
        }
        guard Array(p[0..<8]) == ShardFormat.magic else {
            throw DataIOError("bad magic (not an eaft shard)", at: loc)
        }
        var r = ByteReader(p)
        r.pos = 8
        let version = r.u32()
        guard ShardFormat.readableVersions.contains(version) else {
            throw DataIOError("unsupported shard version \(version)", at: loc, hint: "this build reads versions 1 and 2")
        }
        let stored = r.u32(at: 124)
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: p[0..<124]))
        guard stored == crc else {
            throw DataIOError("header checksum mismatch (stored \(hex(stored)), computed \(hex(crc)))", at: loc, hint: "the header is corrupt")
        }
        guard r.u32() == UInt32(ShardFormat.headerSize) else { throw DataIOError("bad header size", at: loc) }
        var h = ShardHeader()
        h.flags = r.u32()
        h.topK = r.u32()
        guard h.flags & ~ShardFormat.knownFlags == 0, h.flags != ShardFormat.flagFullEntropy else {
            throw DataIOError("bad header flags \(hex(h.flags)) (reserved bits set, or full entropy without scores)", at: loc)
        }
        guard p[104..<124].allSatisfy({ $0 == 0 }) else {
            throw DataIOError("reserved header bytes 104–123 are not zero", at: loc)
        }
        let dt = [p[24], p[25], p[26], p[27]]
        guard dt == [ShardFormat.dtypeU32, ShardFormat.dtypeF32, ShardFormat.dtypeU8, ShardFormat.compressionZstd] else {
            throw DataIOError("unsupported dtypes/compression \(dt)", at: loc)
        }
        r.pos = 28
        h.blockCount = r.u32()
        h.sampleCount = r.u64()
        h.tokenCount = r.u64()
        h.labelTokenCount = r.u64()
        h.blockTableOffset = r.u64()
        h.blockTableLength = r.u64()
        h.sampleIndexOffset = r.u64()
        h.sampleIndexLength = r.u64()
        h.fileLength = r.u64()
        h.indexCRC = r.u32()
        h.bodyCRC = r.u32()
        return h
    }
}

/// One entry of the block table (32 bytes).
public struct ShardBlockEntry: Sendable, Equatable {
    public var fileOffset: UInt64
    public var compressedSize: UInt32
    public var uncompressedSize: UInt32
    public var firstSample: UInt32
    public var sampleCount: UInt32
    public var compressedCRC: UInt32
    public var uncompressedCRC: UInt32

    func encode(into b: inout ByteWriter) {
        b.u64(fileOffset); b.u32(compressedSize); b.u32(uncompressedSize)
        b.u32(firstSample); b.u32(sampleCount); b.u32(compressedCRC); b.u32(uncompressedCRC)
    }

    static func decode(_ r: inout ByteReader) -> ShardBlockEntry {
        ShardBlockEntry(fileOffset: r.u64(), compressedSize: r.u32(), uncompressedSize: r.u32(),
                        firstSample: r.u32(), sampleCount: r.u32(), compressedCRC: r.u32(), uncompressedCRC: r.u32())
    }
}

/// One entry of the sample index (16 bytes): where sample i lives, and its sizes.
public struct ShardIndexEntry: Sendable, Equatable {
    public var block: UInt32
    public var offset: UInt32
    public var tokenCount: UInt32
    public var labelCount: UInt32
}

func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - s.count) + s
}

/// Little-endian appender.
struct ByteWriter {
    var out: [UInt8]
    init(capacity: Int = 0) { out = []; out.reserveCapacity(capacity) }
    mutating func bytes(_ b: [UInt8]) { out.append(contentsOf: b) }
    mutating func zeros(_ n: Int) { if n > 0 { out.append(contentsOf: repeatElement(0, count: n)) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    mutating func pad4() { zeros((4 - out.count % 4) % 4) }
    /// Signed ids written as their `u32` bit patterns (ids are ≥ 0: the same bytes).
    mutating func i32s(_ a: [Int32]) {
        #if _endian(little)
        a.withUnsafeBytes { out.append(contentsOf: $0) }
        #else
        for v in a { u32(UInt32(bitPattern: v)) }
        #endif
    }
    mutating func f32s(_ a: [Float]) {
        #if _endian(little)
        a.withUnsafeBytes { out.append(contentsOf: $0) }
        #else
        for v in a { u32(v.bitPattern) }
        #endif
    }
}

/// Little-endian cursor over a buffer. Callers check bounds before reading.
struct ByteReader {
    let p: UnsafeRawBufferPointer
    var pos = 0
    init(_ p: UnsafeRawBufferPointer) { self.p = p }
    var remaining: Int { p.count - pos }
    func u32(at o: Int) -> UInt32 { UInt32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
    mutating func u32() -> UInt32 { let v = u32(at: pos); pos += 4; return v }
    mutating func u64() -> UInt64 {
        let v = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: pos, as: UInt64.self)); pos += 8; return v
    }
    /// A `u32` column read as signed ids (bit patterns; a value ≥ 2³¹ reads negative).
    mutating func i32s(_ n: Int) -> [Int32] {
        var a = [Int32](repeating: 0, count: n)
        a.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: p[pos..<(pos + 4 * n)])) }
        pos += 4 * n
        #if !_endian(little)
        for i in 0..<n { a[i] = Int32(littleEndian: a[i]) }
        #endif
        return a
    }
    mutating func f32s(_ n: Int) -> [Float] {
        var a = [Float](repeating: 0, count: n)
        a.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: p[pos..<(pos + 4 * n)])) }
        pos += 4 * n
        #if !_endian(little)
        for i in 0..<n { a[i] = Float(bitPattern: UInt32(littleEndian: a[i].bitPattern)) }
        #endif
        return a
    }
    mutating func bytes(_ n: Int) -> [UInt8] { let a = Array(p[pos..<(pos + n)]); pos += n; return a }
}
