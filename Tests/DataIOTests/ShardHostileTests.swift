import DataIO
import Foundation
import Records
import TestSupport
import XCTest

/// Issue 17: hostile shard edits with every CRC recomputed (header, index, body, manifest), so
/// only the cross-checks can catch them.
final class ShardHostileTests: XCTestCase {
    func le32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) { for i in 0..<4 { b[at + i] = UInt8((v >> (8 * UInt32(i))) & 0xFF) } }
    func le64(_ b: inout [UInt8], _ at: Int, _ v: UInt64) { for i in 0..<8 { b[at + i] = UInt8((v >> (8 * UInt64(i))) & 0xFF) } }
    func u64(_ b: [UInt8], _ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) } }

    /// Recomputes index, body and header CRCs of a shard image.
    func fixCRCs(_ b: inout [UInt8]) {
        let tableOffset = Int(u64(b, 56))
        if tableOffset <= b.count { le32(&b, 96, CRC32C.checksum(Array(b[tableOffset...]))) }
        le32(&b, 100, CRC32C.checksum(Array(b[128...])))
        le32(&b, 124, CRC32C.checksum(Array(b[0..<124])))
    }

    /// Rewrites manifest.json (and its sidecar) with the current size and CRC of every listed file.
    func refreshManifest(_ dir: String, base: ShardManifest? = nil, edit: (inout ShardManifest) -> Void = { _ in }) throws {
        var m = try base ?? ShardManifest.load(directory: dir)
        for i in m.shards.indices {
            let (crc, size) = try AtomicFile.checksum(dir + "/" + m.shards[i].file)
            m.shards[i].bytes = size
            let h = String(crc, radix: 16)
            m.shards[i].crc32c = String(repeating: "0", count: 8 - h.count) + h
        }
        edit(&m)
        try m.write(directory: dir)
    }

    func makeDir(_ name: String, shards: Int = 1) throws -> (String, ShardManifest) {
        let dir = try SharedData.tempDir(name).path
        let m = try ShardFixtures.write(ShardFixtures.samples(20 * shards, maxTokens: 40), to: dir,
                                        options: ShardWriterOptions(targetShardBytes: shards > 1 ? 6000 : 1 << 20, blockBytes: 1500))
        return (dir, m)
    }

    func edit(_ path: String, _ body: (inout [UInt8]) -> Void) throws {
        var b = try AtomicFile.read(path)
        body(&b)
        fixCRCs(&b)
        try Data(b).write(to: URL(fileURLWithPath: path))
    }

    func testCRCCombineMatchesConcatenation() {
        var r = ShardFixtures.RNG(s: 3)
        for n in [0, 1, 7, 128, 1000] {
            let a = (0..<(n % 13 + 3)).map { _ in UInt8(r.int(256)) }, b = (0..<n).map { _ in UInt8(r.int(256)) }
            XCTAssertEqual(CRC32C.combine(CRC32C.checksum(a), CRC32C.checksum(b), lengthB: UInt64(n)), CRC32C.checksum(a + b), "n=\(n)")
        }
    }

    /// sampleCount near 2^63 overflowed `sampleCount * 16` in the index read (verify and audit).
    func testHugeSampleCountIsAnErrorNotATrap() throws {
        let (dir, m) = try makeDir("hugecount")
        let path = dir + "/" + m.shards[0].file
        for v: UInt64 in [1 << 63, (1 << 63) - 1, UInt64.max, 1 << 60] {
            try edit(path) { le64(&$0, 32, v) }
            XCTAssertThrowsError(try ShardReader(path: path)) { XCTAssertTrue("\($0)".contains("index section bounds"), "\($0)") }
            XCTAssertFalse(ShardVerifier.verify(directory: dir).ok)
            XCTAssertThrowsError(try ShardDataset(directory: dir))
        }
    }

    /// A block claiming uncompressedSize 0xFFFFFFFF zero-filled 4 GiB before decompressing.
    func testHugeUncompressedBlockSizeIsRefusedBeforeAllocating() throws {
        let (dir, m) = try makeDir("hugeblock")
        let path = dir + "/" + m.shards[0].file
        let orig = try AtomicFile.read(path)
        try edit(path) { b in le32(&b, Int(u64(b, 56)) + 12, 0xFFFF_FFFF) }
        XCTAssertThrowsError(try ShardReader(path: path)) { XCTAssertTrue("\($0)".contains("uncompressed bytes"), "\($0)") }
        // A size that is not what the zstd frame records: an error from the frame header, before allocating.
        try Data(orig).write(to: URL(fileURLWithPath: path))
        try edit(path) { b in
            let t = Int(u64(b, 56))
            let usize = UInt32(b[t + 12]) | UInt32(b[t + 13]) << 8 | UInt32(b[t + 14]) << 16 | UInt32(b[t + 15]) << 24
            le32(&b, t + 12, usize - 1)
        }
        let r = try ShardReader(path: path)
        r.verifyBlocks = false
        XCTAssertThrowsError(try r.blockBytes(0)) { XCTAssertTrue("\($0)".contains("zstd frame holds"), "\($0)") }
        // The codec on its own: unknown-size frames are decoded incrementally and capped.
        let z = Codecs.zstdCompress(UnsafeRawBufferPointer(start: nil, count: 0))
        XCTAssertThrowsError(try z.withUnsafeBytes { try Codecs.zstdDecompress($0, expected: Int(UInt32.max), at: SourceLocation(file: "z")) })
    }

    func testReservedHeaderFlagBitsAreErrors() throws {
        let (dir, m) = try makeDir("flags")
        let path = dir + "/" + m.shards[0].file
        let orig = try AtomicFile.read(path)
        for flags: UInt32 in [8, 0x8000_0000, ShardFormat.flagFullEntropy] {
            try Data(orig).write(to: URL(fileURLWithPath: path))
            try edit(path) { le32(&$0, 16, flags) }
            try refreshManifest(dir)
            XCTAssertThrowsError(try ShardReader(path: path)) { XCTAssertTrue("\($0)".contains("flags"), "\($0)") }
            XCTAssertFalse(ShardVerifier.verify(directory: dir).ok, "flags \(flags)")
        }
        // A defined bit the samples do not back (expected-token columns claimed, none stored).
        try Data(orig).write(to: URL(fileURLWithPath: path))
        let h = try ShardReader(path: path).header.flags
        try edit(path) { le32(&$0, 16, h | ShardFormat.flagExpected) }
        try refreshManifest(dir)
        let v = ShardVerifier.verify(directory: dir)
        XCTAssertFalse(v.ok)
        XCTAssertTrue(v.problems.joined().contains("header flags"), "\(v.problems)")
        try Data(orig).write(to: URL(fileURLWithPath: path))
        try edit(path) { $0[110] = 1 }
        XCTAssertThrowsError(try ShardReader(path: path)) { XCTAssertTrue("\($0)".contains("reserved"), "\($0)") }
    }

    func testHeaderTopKMustMatchManifestAndTopKZeroIsRefused() throws {
        let (dir, m) = try makeDir("topk")
        let path = dir + "/" + m.shards[0].file
        try edit(path) { le32(&$0, 20, 7) }
        try refreshManifest(dir)
        let rep = ShardVerifier.verify(directory: dir)
        XCTAssertTrue(rep.problems.joined().contains("topK 7 != top_k 20"), "\(rep.problems)")
        XCTAssertThrowsError(try ShardDataset(directory: dir)) { XCTAssertTrue("\($0)".contains("topK"), "\($0)") }
        try edit(path) { le32(&$0, 20, 20) }
        try refreshManifest(dir) { $0.topK = 0 }
        XCTAssertFalse(ShardVerifier.verify(directory: dir).ok)
        XCTAssertThrowsError(try ShardDataset(directory: dir)) { XCTAssertTrue("\($0)".contains("top_k"), "\($0)") }
        try refreshManifest(dir, base: m)
        XCTAssertTrue(ShardVerifier.verify(directory: dir).ok)
        XCTAssertEqual(try ShardDataset(directory: dir).count, 20)
    }

    /// The audit (ShardDataset) read whatever files it found: swapped or unlisted shards passed.
    func testSwappedOrUnlistedShardFilesAreRefused() throws {
        let (dir, m) = try makeDir("swap", shards: 3)
        XCTAssertGreaterThanOrEqual(m.shards.count, 2)
        XCTAssertNoThrow(try ShardDataset(directory: dir))
        let a = dir + "/" + m.shards[0].file, b = dir + "/" + m.shards[1].file
        let fm = FileManager.default
        try fm.moveItem(atPath: a, toPath: a + ".x"); try fm.moveItem(atPath: b, toPath: a); try fm.moveItem(atPath: a + ".x", toPath: b)
        XCTAssertThrowsError(try ShardDataset(directory: dir)) { XCTAssertTrue("\($0)".contains("disagrees with manifest.json"), "\($0)") }
        XCTAssertFalse(ShardVerifier.verify(directory: dir).ok)
        try fm.moveItem(atPath: a, toPath: a + ".x"); try fm.moveItem(atPath: b, toPath: a); try fm.moveItem(atPath: a + ".x", toPath: b)
        XCTAssertNoThrow(try ShardDataset(directory: dir))
        try fm.copyItem(atPath: a, toPath: dir + "/" + ShardFormat.fileName(99))
        XCTAssertThrowsError(try ShardDataset(directory: dir)) { XCTAssertTrue("\($0)".contains("not listed"), "\($0)") }
    }

    /// The Python reader raised bare ValueError / struct.error / IndexError on single flipped
    /// header bytes; every failure must be its ShardError (with and without verify).
    func testPythonReaderRaisesShardErrorOnFlippedHeaderBytes() throws {
        try ShardTests.requirePythonReaderDeps()
        let (dir, m) = try makeDir("pyflip")
        let script = """
        import os, sys
        sys.path.insert(0, sys.argv[1])
        import eaft_shards as E
        d, name = sys.argv[2], sys.argv[3]
        p = os.path.join(d, name)
        orig = open(p, "rb").read()
        bad = []
        for i in range(128):
            for x in (0x01, 0x80, 0xFF):
                b = bytearray(orig); b[i] ^= x
                open(p, "wb").write(bytes(b))
                for verify in (False, True):
                    try:
                        for s in E.ShardFile(p, verify=verify):
                            pass
                    except E.ShardError:
                        pass
                    except Exception as e:
                        bad.append(f"byte {i} ^ {x:#x} verify={verify}: {type(e).__name__}: {e}")
        open(p, "wb").write(orig)
        print("\\n".join(bad[:20]))
        sys.exit(1 if bad else 0)
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, SharedData.repo("python").path, dir, m.shards[0].file]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "bare exceptions: \(String(decoding: data, as: UTF8.self))")
    }
}
