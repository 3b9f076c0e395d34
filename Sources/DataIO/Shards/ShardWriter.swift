import Records

/// Options of a shard set. Equal options and equal samples give byte-identical files.
public struct ShardWriterOptions: Sendable, Equatable, Codable {
    /// A shard is closed once its size reaches this (default 64 MiB); the last one may be smaller.
    public var targetShardBytes: Int = 64 << 20
    /// A block is compressed once its uncompressed records reach this (default 1 MiB).
    public var blockBytes: Int = 1 << 20
    public var zstdLevel: Int32 = 3
    /// K of the top-K entropy (recorded in the header).
    public var topK: Int = 20

    public init(targetShardBytes: Int = 64 << 20, blockBytes: Int = 1 << 20, zstdLevel: Int32 = 3, topK: Int = 20) {
        self.targetShardBytes = targetShardBytes
        self.blockBytes = blockBytes
        self.zstdLevel = zstdLevel
        self.topK = topK
    }
}

/// What the manifest records about one finished shard file.
public struct ShardFileInfo: Sendable, Equatable, Codable {
    public var file: String
    public var samples: Int
    public var tokens: Int
    public var labelTokens: Int
    public var bytes: Int
    /// CRC-32C of the whole file, 8 hex digits.
    public var crc32c: String

    public init(file: String, samples: Int, tokens: Int, labelTokens: Int, bytes: Int, crc32c: String) {
        self.file = file
        self.samples = samples
        self.tokens = tokens
        self.labelTokens = labelTokens
        self.bytes = bytes
        self.crc32c = crc32c
    }

    enum CodingKeys: String, CodingKey {
        case file, samples, tokens
        case labelTokens = "label_tokens"
        case bytes, crc32c
    }
}

/// Writes samples into `shard-00000.eaft`, `shard-00001.eaft`, ... in a directory (format v1).
///
/// Each file is written as `NAME.tmp`, completed (header last), fsynced and renamed.
public final class ShardWriter {
    public let directory: String
    public let options: ShardWriterOptions
    private var file: AtomicFile?
    private var fileIndex = 0
    private var offset = 0
    private var bodyCRC: UInt32 = 0
    private var block = ByteWriter()
    private var blockSamples = 0
    private var blocks: [ShardBlockEntry] = []
    private var index: [ShardIndexEntry] = []
    private var header = ShardHeader()
    private var allScored = true, allFull = true, allExpected = true
    public private(set) var finished: [ShardFileInfo] = []

    public init(directory: String, options: ShardWriterOptions = ShardWriterOptions()) {
        self.directory = directory
        self.options = options
        block.out.reserveCapacity(options.blockBytes + (1 << 16))
    }

    /// Appends one sample.
    public func append(_ s: ShardSample) throws {
        let before = block.out.count
        try openIfNeeded()
        index.append(ShardIndexEntry(block: UInt32(blocks.count), offset: UInt32(before),
                                     tokenCount: UInt32(s.ids.count), labelCount: UInt32(s.labelCount)))
        s.encode(into: &block)
        noteFlags(scored: s.scored, full: s.stats?.entropy != nil, expected: s.stats?.expectedID != nil, tokens: s.ids.count, labels: s.labelCount)
        try afterAppend()
    }

    /// Appends a sample record already encoded by `ShardSample.encoded()` (checked for structure).
    public func appendEncoded(_ record: [UInt8]) throws {
        try record.withUnsafeBytes { p in
            guard p.count >= 16 else { throw DataIOError("encoded sample too short", at: SourceLocation(file: directory)) }
            var r = ByteReader(p)
            let t = Int(r.u32()), m = Int(r.u32()), flags = r.u32()
            guard ShardSample.recordSize(tokens: t, metaLength: m, flags: flags) == p.count else {
                throw DataIOError("encoded sample has inconsistent length", at: SourceLocation(file: directory))
            }
            let maskStart = p.count - (t + 3) / 4 * 4
            var labels = 0
            for i in 0..<t where p[maskStart + i] != 0 { labels += 1 }
            try openIfNeeded()
            index.append(ShardIndexEntry(block: UInt32(blocks.count), offset: UInt32(block.out.count),
                                         tokenCount: UInt32(t), labelCount: UInt32(labels)))
            block.out.append(contentsOf: p)
            noteFlags(scored: flags & ShardFormat.flagScored != 0, full: flags & ShardFormat.flagFullEntropy != 0,
                      expected: flags & ShardFormat.flagExpected != 0,
                      tokens: t, labels: labels)
        }
        try afterAppend()
    }

    /// Closes the last file; returns every file written.
    @discardableResult
    public func finish() throws -> [ShardFileInfo] {
        if file != nil { try closeFile() }
        return finished
    }

    private func noteFlags(scored: Bool, full: Bool, expected: Bool, tokens: Int, labels: Int) {
        allScored = allScored && scored
        allFull = allFull && full
        allExpected = allExpected && expected
        blockSamples += 1
        header.sampleCount += 1
        header.tokenCount += UInt64(tokens)
        header.labelTokenCount += UInt64(labels)
    }

    private func afterAppend() throws {
        if block.out.count >= options.blockBytes {
            try flushBlock()
            if offset >= options.targetShardBytes { try closeFile() }
        }
    }

    private var tmpPath: String { directory + "/" + ShardFormat.fileName(fileIndex) + ".tmp" }

    private func openIfNeeded() throws {
        guard file == nil else { return }
        file = try dataIO { try AtomicFile.create(tmpPath) }
        try dataIO { try file!.write([UInt8](repeating: 0, count: ShardFormat.headerSize)) }
        offset = ShardFormat.headerSize
        bodyCRC = 0
        blocks = []
        index = []
        header = ShardHeader()
        allScored = true
        allFull = true
        allExpected = true
    }

    private func writeBody(_ bytes: [UInt8]) throws {
        try dataIO { try file!.write(bytes) }
        bodyCRC = bytes.withUnsafeBytes { CRC32C.update(bodyCRC, $0) }
        offset += bytes.count
    }

    private func flushBlock() throws {
        guard blockSamples > 0 else { return }
        let raw = block.out
        let z = raw.withUnsafeBytes { Codecs.zstdCompress($0, level: options.zstdLevel) }
        let entry = ShardBlockEntry(
            fileOffset: UInt64(offset), compressedSize: UInt32(z.count), uncompressedSize: UInt32(raw.count),
            firstSample: UInt32(index.count - blockSamples), sampleCount: UInt32(blockSamples),
            compressedCRC: CRC32C.checksum(z), uncompressedCRC: CRC32C.checksum(raw))
        try writeBody(z)
        blocks.append(entry)
        block.out.removeAll(keepingCapacity: true)
        blockSamples = 0
    }

    private func closeFile() throws {
        try flushBlock()
        var ix = ByteWriter(capacity: blocks.count * 32 + index.count * 16)
        for b in blocks { b.encode(into: &ix) }
        let tableLength = ix.out.count
        for e in index { ix.u32(e.block); ix.u32(e.offset); ix.u32(e.tokenCount); ix.u32(e.labelCount) }
        header.flags = (allScored && !index.isEmpty ? ShardFormat.flagScored : 0) | (allFull && !index.isEmpty ? ShardFormat.flagFullEntropy : 0)
            | (allExpected && !index.isEmpty ? ShardFormat.flagExpected : 0)
        header.topK = UInt32(options.topK)
        header.blockCount = UInt32(blocks.count)
        header.blockTableOffset = UInt64(offset)
        header.blockTableLength = UInt64(tableLength)
        header.sampleIndexOffset = UInt64(offset + tableLength)
        header.sampleIndexLength = UInt64(ix.out.count - tableLength)
        header.indexCRC = CRC32C.checksum(ix.out)
        try writeBody(ix.out)
        header.fileLength = UInt64(offset)
        header.bodyCRC = bodyCRC
        let hb = header.encode()
        try dataIO { try file!.write(hb, at: 0) }
        try dataIO { try file!.syncAndClose() }
        file = nil
        let name = ShardFormat.fileName(fileIndex)
        let path = directory + "/" + name
        try dataIO { try AtomicFile.commit(tmp: tmpPath, to: path) }
        // Whole-file CRC: header bytes then body; recomputed from disk so the manifest vouches for what landed.
        let (crc, size) = try AtomicFile.checksum(path)
        finished.append(ShardFileInfo(file: name, samples: Int(header.sampleCount), tokens: Int(header.tokenCount),
                                      labelTokens: Int(header.labelTokenCount), bytes: size, crc32c: String(hex(crc).dropFirst(2))))
        fileIndex += 1
    }
}
