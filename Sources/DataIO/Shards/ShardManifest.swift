import Foundation
import Records

/// `manifest.json` of a shard directory: what produced the shards and what they hold.
/// Written with sorted keys and no timestamps, so equal inputs give identical bytes.
public struct ShardManifest: Sendable, Equatable, Codable {
    public var format = "eaft-shards"
    public var version = 1
    /// Tokenizer file fingerprint.
    public var tokenizer: Fingerprint?
    /// Scoring model fingerprint (weights file), absent when nothing was scored.
    public var model: Fingerprint?
    /// The scoring server, when a server scored the tokens (then `model` is absent).
    public var scorer: ScorerInfo?
    public var chatTemplate: String?
    /// K of the top-K entropy and gate.
    public var topK: Int
    /// CRC-32C of the canonical pipeline spec (see schemas/pipeline.md).
    public var pipelineSpecHash: String?
    public var samples: Int
    public var tokens: Int
    public var labelTokens: Int
    /// Per-stage counts in pipeline order.
    public var stages: [StageStats]
    public var shards: [ShardFileInfo]

    public init(topK: Int, samples: Int = 0, tokens: Int = 0, labelTokens: Int = 0, stages: [StageStats] = [], shards: [ShardFileInfo] = []) {
        self.topK = topK
        self.samples = samples
        self.tokens = tokens
        self.labelTokens = labelTokens
        self.stages = stages
        self.shards = shards
    }

    /// Sets the shard list and the totals it implies (samples, tokens, label tokens).
    public mutating func setShards(_ files: [ShardFileInfo]) {
        shards = files
        samples = files.reduce(0) { $0 + $1.samples }
        tokens = files.reduce(0) { $0 + $1.tokens }
        labelTokens = files.reduce(0) { $0 + $1.labelTokens }
    }

    enum CodingKeys: String, CodingKey {
        case format, version, tokenizer, model, scorer
        case chatTemplate = "chat_template"
        case topK = "top_k"
        case pipelineSpecHash = "pipeline_spec_hash"
        case samples, tokens
        case labelTokens = "label_tokens"
        case stages, shards
    }

    /// Identity of an input file: path as given, size and CRC-32C (not cryptographic).
    public struct Fingerprint: Sendable, Equatable, Codable {
        public var path: String
        public var bytes: Int
        public var crc32c: String
        public init(path: String, bytes: Int, crc32c: String) { self.path = path; self.bytes = bytes; self.crc32c = crc32c }

        /// Fingerprints a file (or, for a directory, its `model.safetensors`/`tokenizer.json`... caller picks).
        public static func of(file: String, as name: String? = nil) throws -> Fingerprint {
            let (crc, size) = try AtomicFile.checksum(file)
            return Fingerprint(path: name ?? file, bytes: size, crc32c: String(hex(crc).dropFirst(2)))
        }
    }

    /// A scoring server: backend, URL with the host elided, served model name, K.
    public struct ScorerInfo: Sendable, Equatable, Codable {
        public var backend: String
        public var url: String
        public var model: String
        public var topK: Int
        public init(backend: String, url: String, model: String, topK: Int) {
            self.backend = backend; self.url = url; self.model = model; self.topK = topK
        }
        enum CodingKeys: String, CodingKey { case backend, url, model, topK = "top_k" }
    }

    /// Counts of one stage: records in, records kept, and drops by reason.
    public struct StageStats: Sendable, Equatable, Codable {
        public var name: String
        public var input: Int
        public var kept: Int
        public var dropped: [String: Int]
        /// The verify stage only: records per verdict (`correct`, `incorrect`, `unverifiable`),
        /// kept or not. Absent for other stages.
        public var verdicts: [String: Int]?
        public init(name: String, input: Int = 0, kept: Int = 0, dropped: [String: Int] = [:], verdicts: [String: Int]? = nil) {
            self.name = name; self.input = input; self.kept = kept; self.dropped = dropped; self.verdicts = verdicts
        }
    }

    /// Canonical JSON bytes (sorted keys, pretty-printed, trailing newline).
    public func encoded() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var d = Array(try e.encode(self))
        d.append(0x0A)
        return d
    }

    /// Name of the sidecar holding the CRC-32C of every byte of `manifest.json`.
    public static let checksumFileName = "manifest.crc32c"

    /// Sidecar bytes for manifest bytes `b`: 8 lowercase hex digits of CRC-32C(b) and a newline.
    public static func checksumLine(for b: [UInt8]) -> [UInt8] {
        Array((String(hex(CRC32C.checksum(b)).dropFirst(2)) + "\n").utf8)
    }

    /// Reads `DIR/manifest.json` and checks it against `DIR/manifest.crc32c` (schemas/shard.v1.md).
    public static func load(directory: String) throws -> ShardManifest {
        let path = directory + "/manifest.json"
        let bytes = try dataIO { try AtomicFile.read(path) }
        let sidePath = directory + "/" + checksumFileName
        let side: [UInt8]
        do { side = try AtomicFile.read(sidePath) } catch {
            throw DataIOError("manifest.json checksum sidecar \(checksumFileName) is missing or unreadable", at: SourceLocation(file: path),
                              hint: "the directory is incomplete or was written by an older eaft; rerun the pipeline")
        }
        let expect = checksumLine(for: bytes)
        guard side == expect else {
            let stored = String(decoding: side.prefix(16), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw DataIOError("manifest.json is corrupt: CRC-32C \(String(decoding: expect.dropLast(), as: UTF8.self)) != \(stored) stored in \(checksumFileName)",
                              at: SourceLocation(file: path), hint: "the manifest (or its checksum sidecar) was modified after writing")
        }
        let m: ShardManifest
        do {
            m = try JSONDecoder().decode(ShardManifest.self, from: Data(bytes))
        } catch {
            throw DataIOError("manifest is not valid: \(error)", at: SourceLocation(file: path))
        }
        guard m.topK >= 1 else {
            throw DataIOError("top_k must be ≥ 1, got \(m.topK)", at: SourceLocation(file: path, field: "top_k"))
        }
        return m
    }

    /// Writes `DIR/manifest.crc32c` then `DIR/manifest.json`, each atomically; `manifest.json`
    /// comes last so its presence still marks a complete directory.
    public func write(directory: String) throws {
        let b = try encoded()
        try dataIO { try AtomicFile.write(Self.checksumLine(for: b), to: directory + "/" + Self.checksumFileName) }
        try dataIO { try AtomicFile.write(b, to: directory + "/manifest.json") }
    }
}

/// All shards of a directory as one indexed collection (global sample index across files).
public final class ShardDataset {
    public let directory: String
    public let manifest: ShardManifest
    public let readers: [ShardReader]
    private let starts: [Int]

    public init(directory: String) throws {
        self.directory = directory
        manifest = try ShardManifest.load(directory: directory)
        readers = try manifest.shards.map { try ShardReader(path: directory + "/" + $0.file) }
        try Self.crossCheck(manifest, readers, directory: directory)
        var s: [Int] = [], n = 0
        for r in readers { s.append(n); n += r.count }
        starts = s
        count = n
    }

    public let count: Int

    /// Only what the manifest lists, in its order: no unlisted shard files, and each file's
    /// header (size, counts, top-K) agrees with its manifest entry — so swapped or extra
    /// shard files are errors, not silently read.
    static func crossCheck(_ m: ShardManifest, _ readers: [ShardReader], directory: String) throws {
        let listed = Set(m.shards.map(\.file))
        for n in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        where n.hasSuffix(".eaft") && !listed.contains(n) {
            throw DataIOError("shard file not listed in manifest.json", at: SourceLocation(file: directory + "/" + n),
                              hint: "remove it, or rerun the pipeline to rebuild the directory")
        }
        for (info, r) in zip(m.shards, readers) {
            let h = r.header
            // The whole-file CRC the manifest records, from the header bytes and the stored body CRC.
            let headCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: r.bytes[0..<ShardFormat.headerSize]))
            let whole = CRC32C.combine(headCRC, h.bodyCRC, lengthB: h.fileLength - UInt64(ShardFormat.headerSize))
            let why = mismatch(info, h, topK: m.topK)
                ?? (String(hex(whole).dropFirst(2)) == info.crc32c ? nil : "file CRC-32C \(String(hex(whole).dropFirst(2))) != \(info.crc32c)")
            if let why {
                throw DataIOError("shard header disagrees with manifest.json: \(why)", at: SourceLocation(file: r.path, field: "header"),
                                  hint: "shard files were swapped, replaced or edited after writing")
            }
        }
    }

    /// How a shard header disagrees with its manifest entry and the manifest's top_k, or nil.
    static func mismatch(_ info: ShardFileInfo, _ h: ShardHeader, topK: Int) -> String? {
        if UInt64(info.bytes) != h.fileLength { return "file length \(h.fileLength) != \(info.bytes)" }
        if UInt64(info.samples) != h.sampleCount { return "samples \(h.sampleCount) != \(info.samples)" }
        if UInt64(info.tokens) != h.tokenCount { return "tokens \(h.tokenCount) != \(info.tokens)" }
        if UInt64(info.labelTokens) != h.labelTokenCount { return "label tokens \(h.labelTokenCount) != \(info.labelTokens)" }
        if UInt64(h.topK) != UInt64(clamping: topK) { return "topK \(h.topK) != top_k \(topK)" }
        return nil
    }

    /// Global sample `i`.
    public func sample(_ i: Int) throws -> ShardSample {
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= i { lo = mid } else { hi = mid - 1 }
        }
        return try readers[lo].sample(i - starts[lo])
    }

    /// Every sample in order.
    public func forEach(_ body: (ShardSample) throws -> Void) throws {
        for r in readers { try r.forEach { _, s in try body(s) } }
    }
}
