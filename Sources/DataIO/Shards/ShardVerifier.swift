import Foundation
import Records

/// Checks a shard directory: manifest, every file's size and CRC, headers, index, every block's
/// two CRCs, and that every sample record parses. Each problem names the file and block.
public enum ShardVerifier {
    public struct Report: Sendable, Equatable, Codable {
        public var directory: String
        public var files: Int = 0
        public var blocks: Int = 0
        public var samples: Int = 0
        public var problems: [String] = []
        public var ok: Bool { problems.isEmpty }
        public init(directory: String) { self.directory = directory }
    }

    /// Verifies `directory`; never throws on corruption, it reports it.
    public static func verify(directory: String) -> Report {
        var rep = Report(directory: directory)
        let manifest: ShardManifest
        do { manifest = try ShardManifest.load(directory: directory) } catch {
            rep.problems.append("\(error)")
            return rep
        }
        var tokens = 0, labels = 0
        let listed = Set(manifest.shards.map(\.file))
        if let names = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for n in names.sorted() where n.hasSuffix(".eaft") && !listed.contains(n) {
                rep.problems.append("\(directory)/\(n): shard file not listed in manifest.json")
            }
        }
        for info in manifest.shards {
            let path = directory + "/" + info.file
            rep.files += 1
            do {
                let (crc, size) = try AtomicFile.checksum(path)
                if size != info.bytes { rep.problems.append("\(path): size \(size) != manifest \(info.bytes)") }
                let c = String(hex(crc).dropFirst(2))
                if c != info.crc32c { rep.problems.append("\(path): file CRC-32C \(c) != manifest \(info.crc32c)") }
                let problems = verifyFile(path: path, expect: info, topK: manifest.topK, rep: &rep)
                rep.problems += problems
                tokens += info.tokens
                labels += info.labelTokens
            } catch {
                rep.problems.append("\(error)")
            }
        }
        if rep.problems.isEmpty {
            if rep.samples != manifest.samples || tokens != manifest.tokens || labels != manifest.labelTokens {
                rep.problems.append("\(directory)/manifest.json: totals (samples \(manifest.samples), tokens \(manifest.tokens), labels \(manifest.labelTokens)) disagree with the shards (\(rep.samples), \(tokens), \(labels))")
            }
        }
        return rep
    }

    /// Checks one file in depth; returns its problems.
    /// With `expect` (and the manifest's `topK`), every header field is cross-checked with the manifest.
    public static func verifyFile(path: String, expect: ShardFileInfo?, topK: Int? = nil, rep: inout Report) -> [String] {
        var problems: [String] = []
        let reader: ShardReader
        do { reader = try ShardReader(path: path) } catch {
            return ["\(error)"]
        }
        let h = reader.header
        let body = UnsafeRawBufferPointer(rebasing: reader.bytes[ShardFormat.headerSize..<reader.length])
        let bc = CRC32C.checksum(body)
        if bc != h.bodyCRC { problems.append("\(path): body checksum mismatch (stored \(hex(h.bodyCRC)), computed \(hex(bc)))") }
        if let e = expect, let why = ShardDataset.mismatch(e, h, topK: topK ?? Int(h.topK)) {
            problems.append("\(path): header disagrees with manifest.json: \(why)")
        }
        // Header flag bits say what *every* sample holds (scored, full entropy, expected token).
        var all: UInt32 = ShardFormat.flagScored | ShardFormat.flagFullEntropy | ShardFormat.flagExpected
        var seen = 0
        for b in 0..<reader.blocks.count {
            rep.blocks += 1
            do {
                let e = reader.blocks[b]
                for i in Int(e.firstSample)..<Int(e.firstSample + e.sampleCount) {
                    let s = try reader.sample(i)
                    if !s.scored { all &= ~ShardFormat.flagScored }
                    if s.stats?.entropy == nil { all &= ~ShardFormat.flagFullEntropy }
                    if s.stats?.expectedID == nil { all &= ~ShardFormat.flagExpected }
                    seen += 1
                    rep.samples += 1
                }
                // Records tile the block exactly.
                let recs = try reader.records(inBlock: b)
                let sum = recs.reduce(0) { $0 + $1.count }
                if sum != Int(e.uncompressedSize) || reader.index[Int(e.firstSample)].offset != 0 {
                    problems.append("\(path) block \(b): records do not tile the block")
                }
            } catch {
                problems.append("\(error)")
            }
        }
        if problems.isEmpty, seen > 0 || h.flags != 0, (seen > 0 ? all : 0) != h.flags {
            problems.append("\(path): header flags \(h.flags) disagree with the samples (every sample holds \(seen > 0 ? all : 0))")
        }
        return problems
    }
}
