import DataIO
import Foundation
import Records
import TestSupport
import XCTest

/// Deterministic pseudo-random samples for shard tests (SplitMix64).
enum ShardFixtures {
    struct RNG {
        var s: UInt64
        mutating func next() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func float() -> Float { Float(next() >> 40) / Float(1 << 24) }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static func samples(_ n: Int, seed: UInt64 = 7, maxTokens: Int = 300) -> [ShardSample] {
        var r = RNG(s: seed)
        return (0..<n).map { i in
            let t = 1 + r.int(maxTokens)
            let ids = (0..<t).map { _ in TokenID(r.int(151_936)) }
            let start = r.int(t)
            let mask = (0..<t).map { UInt8($0 >= start && $0 > 0 ? 1 : 0) }
            let meta = ShardSampleMeta(id: "s\(i) ✓", source: ["gsm8k", "medqa", "bfcl"][i % 3], domain: ["math", "medical", "agent"][i % 3],
                                       verdict: i % 2 == 0 ? "correct" : nil, reason: i % 5 == 0 ? "answer \"42\" matched" : nil)
            if i % 7 == 3 { return ShardSample(meta: meta, ids: ids, lossMask: mask) }  // unscored
            var lp = (0..<t).map { _ in -r.float() * 12 }
            var g = (0..<t).map { _ in r.float() }
            var hk = (0..<t).map { _ in r.float() * 3 }
            var hf: [Float]? = i % 2 == 0 ? (0..<t).map { _ in r.float() * 9 } : nil
            lp[0] = 0; g[0] = 0; hk[0] = 0; hf?[0] = 0
            // Every third sample carries the v2 expected-token columns.
            var eid: [TokenID]? = i % 3 == 1 ? (0..<t).map { _ in TokenID(r.int(151_936)) } : nil
            var elp: [Float]? = eid.map { _ in lp.map { $0 + r.float() } }
            eid?[0] = 0; elp?[0] = 0
            return ShardSample(meta: meta, ids: ids, lossMask: mask,
                               stats: TokenStats(logprob: lp, gate: g, topKEntropy: hk, entropy: hf, expectedID: eid, expectedLogprob: elp))
        }
    }

    /// Writes `samples` into `dir` with a manifest; returns the manifest.
    @discardableResult
    static func write(_ samples: [ShardSample], to dir: String, options: ShardWriterOptions) throws -> ShardManifest {
        let w = ShardWriter(directory: dir, options: options)
        for s in samples { try w.append(s) }
        let files = try w.finish()
        var m = ShardManifest(topK: options.topK)
        m.setShards(files)
        try m.write(directory: dir)
        return m
    }
}

final class ShardTests: XCTestCase {
    func testCRC32CCheckValueAndNaiveTwin() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)  // RFC 3720 check value
        var r = ShardFixtures.RNG(s: 1)
        for n in [0, 1, 7, 8, 9, 63, 1000] {
            let b = (0..<n).map { _ in UInt8(truncatingIfNeeded: r.next()) }
            XCTAssertEqual(CRC32C.checksum(b), CRC32C.naive(b), "n=\(n)")
            if n > 3 {  // streaming update equals one shot
                let a = b.withUnsafeBytes { CRC32C.update(CRC32C.update(0, UnsafeRawBufferPointer(rebasing: $0[0..<3])), UnsafeRawBufferPointer(rebasing: $0[3...])) }
                XCTAssertEqual(a, CRC32C.checksum(b))
            }
        }
    }

    func testRoundTripRandomAccessAndRollover() throws {
        let dir = try SharedData.tempDir("shards").path
        let samples = ShardFixtures.samples(400)
        let opts = ShardWriterOptions(targetShardBytes: 200_000, blockBytes: 30_000, topK: 20)
        let m = try ShardFixtures.write(samples, to: dir, options: opts)
        XCTAssertGreaterThan(m.shards.count, 1, "rollover should produce several files")
        let ds = try ShardDataset(directory: dir)
        XCTAssertEqual(ds.count, samples.count)
        // Random access, in a scrambled order.
        var r = ShardFixtures.RNG(s: 3)
        for _ in 0..<300 {
            let i = r.int(samples.count)
            XCTAssertEqual(try ds.sample(i), samples[i], "sample \(i)")
        }
        var k = 0
        try ds.forEach { s in XCTAssertEqual(s, samples[k]); k += 1 }
        XCTAssertEqual(k, samples.count)
        XCTAssertEqual(ds.readers[0].header.topK, 20)
        XCTAssertTrue(ShardVerifier.verify(directory: dir).ok)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/" + ShardFormat.fileName(0) + ".tmp"))
    }

    func testDeterministicBytes() throws {
        let samples = ShardFixtures.samples(120)
        let opts = ShardWriterOptions(targetShardBytes: 100_000, blockBytes: 20_000)
        let a = try SharedData.tempDir("shA").path, b = try SharedData.tempDir("shB").path
        try ShardFixtures.write(samples, to: a, options: opts)
        try ShardFixtures.write(samples, to: b, options: opts)
        let names = try FileManager.default.contentsOfDirectory(atPath: a).sorted()
        XCTAssertEqual(names, try FileManager.default.contentsOfDirectory(atPath: b).sorted())
        for n in names { XCTAssertEqual(try AtomicFile.read(a + "/" + n), try AtomicFile.read(b + "/" + n), n) }
    }

    /// Version 2 only added flag bit 2 (expected-token columns): a version-1 file (no such
    /// records) still reads, and version 3 is refused with a clear error.
    func testVersion1FilesStillReadAndFutureVersionsAreRefused() throws {
        let samples = ShardFixtures.samples(12).map { s -> ShardSample in
            var s = s
            s.stats?.expectedID = nil
            s.stats?.expectedLogprob = nil
            return s
        }
        let dir = try SharedData.tempDir("shv1").path
        try ShardFixtures.write(samples, to: dir, options: ShardWriterOptions(blockBytes: 2000))
        let path = dir + "/" + ShardFormat.fileName(0)
        var bytes = try AtomicFile.read(path)
        XCTAssertEqual(bytes[8], 2, "writers write version 2")
        func setVersion(_ v: UInt8) throws {
            bytes[8] = v
            let crc = CRC32C.checksum(Array(bytes[0..<124]))
            withUnsafeBytes(of: crc.littleEndian) { for (i, b) in $0.enumerated() { bytes[124 + i] = b } }
            try AtomicFile.write(bytes, to: path)
        }
        try setVersion(1)
        let r = try ShardReader(path: path)
        for i in 0..<r.count { XCTAssertEqual(try r.sample(i), samples[i]) }
        try setVersion(3)
        XCTAssertThrowsError(try ShardReader(path: path)) { XCTAssertTrue("\($0)".contains("unsupported shard version 3"), "\($0)") }
    }

    func testEncodedRecordRoundTrip() throws {
        for s in ShardFixtures.samples(20) {
            XCTAssertEqual(try ShardSample.decode(s.encoded(), at: SourceLocation(file: "t")), s)
        }
    }

    /// Flips every byte of a small shard (one at a time) and checks verify reports it.
    func testVerifyCatchesEveryByteFlip() throws {
        let dir = try SharedData.tempDir("flip").path
        let m = try ShardFixtures.write(ShardFixtures.samples(6, maxTokens: 40), to: dir,
                                        options: ShardWriterOptions(targetShardBytes: 1 << 30, blockBytes: 300))
        XCTAssertEqual(m.shards.count, 1)
        let path = dir + "/" + m.shards[0].file
        let orig = try AtomicFile.read(path)
        XCTAssertGreaterThan(orig.count, 500)
        XCTAssertTrue(ShardVerifier.verify(directory: dir).ok)
        var missed: [Int] = []
        for pos in 0..<orig.count {
            var bad = orig
            bad[pos] ^= UInt8(1 << (pos % 8))
            try Data(bad).write(to: URL(fileURLWithPath: path))
            let rep = ShardVerifier.verify(directory: dir)
            if rep.ok { missed.append(pos) } else {
                XCTAssertTrue(rep.problems.contains { $0.contains(m.shards[0].file) }, "problem should name the file: \(rep.problems)")
            }
            // The file's own checksums (without the manifest) must also catch it (every 5th position, for time).
            if pos % 5 == 0 {
                var rep2 = ShardVerifier.Report(directory: dir)
                if ShardVerifier.verifyFile(path: path, expect: nil, rep: &rep2).isEmpty { missed.append(-pos - 1) }
            }
        }
        try Data(orig).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(missed, [], "flips not detected at \(missed.prefix(20))")
        XCTAssertTrue(ShardVerifier.verify(directory: dir).ok)
    }

    /// Every byte of manifest.json (and of its sidecar) is covered by manifest.crc32c: two bit flips per byte.
    func testVerifyCatchesEveryManifestBitFlip() throws {
        let dir = try SharedData.tempDir("mflip").path
        var m = try ShardFixtures.write(ShardFixtures.samples(5, maxTokens: 30), to: dir, options: ShardWriterOptions(blockBytes: 300))
        m.tokenizer = .init(path: "tokenizer.json", bytes: 11_422_654, crc32c: "0a1b2c3d")
        m.model = .init(path: "model.safetensors", bytes: 1_234_567, crc32c: "deadbeef")
        m.chatTemplate = "qwen3"
        m.stages = [.init(name: "read", input: 9, kept: 5, dropped: ["bad_json": 4])]
        try m.write(directory: dir)
        XCTAssertTrue(ShardVerifier.verify(directory: dir).ok)
        for name in ["manifest.json", ShardManifest.checksumFileName] {
            let path = dir + "/" + name
            let orig = try AtomicFile.read(path)
            var missed: [String] = []
            for pos in 0..<orig.count {
                // Two bits per byte (all 8 took up to 35 s on the loaded CI box); CRC-32C catches any single-bit error.
                for bit in [pos % 8, (pos + 4) % 8] {
                    var bad = orig
                    bad[pos] ^= UInt8(1 << bit)
                    try Data(bad).write(to: URL(fileURLWithPath: path))
                    let rep = ShardVerifier.verify(directory: dir)
                    if rep.ok { missed.append("\(pos):\(bit)") } else {
                        XCTAssertTrue(rep.problems.contains { $0.contains("manifest.json") }, "should name manifest.json: \(rep.problems)")
                    }
                }
            }
            try Data(orig).write(to: URL(fileURLWithPath: path))
            XCTAssertEqual(missed, [], "\(name): flips not detected at \(missed.prefix(20))")
        }
        XCTAssertTrue(ShardVerifier.verify(directory: dir).ok)
        try FileManager.default.removeItem(atPath: dir + "/" + ShardManifest.checksumFileName)
        let rep = ShardVerifier.verify(directory: dir)
        XCTAssertFalse(rep.ok)
        XCTAssertTrue(rep.problems.joined().contains("manifest.crc32c"), "\(rep.problems)")
    }

    func testTruncatedFileIsReported() throws {
        let dir = try SharedData.tempDir("trunc").path
        let m = try ShardFixtures.write(ShardFixtures.samples(30), to: dir, options: ShardWriterOptions(blockBytes: 2000))
        let path = dir + "/" + m.shards[0].file
        let orig = try AtomicFile.read(path)
        try Data(orig[0..<(orig.count - 10)]).write(to: URL(fileURLWithPath: path))
        let rep = ShardVerifier.verify(directory: dir)
        XCTAssertFalse(rep.ok)
        XCTAssertThrowsError(try ShardReader(path: path))
    }

    /// Skips (with the fix in the message) when python3 or the reader's numpy / zstandard is missing.
    static func requirePythonReaderDeps() throws {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import numpy, zstandard"]
        check.standardError = FileHandle.nullDevice
        do { try check.run() } catch { throw XCTSkip("python3 not available") }
        check.waitUntilExit()
        guard check.terminationStatus == 0 else { throw XCTSkip("python3 lacks numpy or zstandard (pip install -r python/requirements.txt)") }
    }

    /// The Python reader (python/eaft_shards.py) must return exactly what the Swift reader returns.
    func testPythonReaderAgrees() throws {
        try Self.requirePythonReaderDeps()

        let dir = try SharedData.tempDir("py").path
        let samples = ShardFixtures.samples(90)
        try ShardFixtures.write(samples, to: dir, options: ShardWriterOptions(targetShardBytes: 60_000, blockBytes: 8000))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", SharedData.repo("python/eaft_shards.py").path, dir, "--dump", "-1", "--verify"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, samples.count)
        func floats(_ v: JSONValue?) -> [Float]? {
            guard let a = v?.arrayValue else { return nil }
            return a.map { Float($0.doubleValue ?? .nan) }
        }
        for (i, line) in lines.enumerated() {
            let v = try JSONParser.parse(String(line))
            let s = samples[i]
            XCTAssertEqual(v["id"]?.stringValue, s.meta.id)
            XCTAssertEqual(v["source"]?.stringValue, s.meta.source)
            XCTAssertEqual(v["domain"]?.stringValue, s.meta.domain)
            XCTAssertEqual(v["verdict"]?.stringValue, s.meta.verdict)
            XCTAssertEqual(v["reason"]?.stringValue, s.meta.reason)
            XCTAssertEqual(v["ids"]?.arrayValue?.map { TokenID($0.intValue ?? -1) }, s.ids, "ids of \(i)")
            XCTAssertEqual(v["loss_mask"]?.arrayValue?.map { UInt8($0.intValue ?? 9) }, s.lossMask)
            XCTAssertEqual(floats(v["logprob"]) ?? [], s.stats?.logprob ?? [], "logprob of \(i)")
            XCTAssertEqual(floats(v["gate"]) ?? [], s.stats?.gate ?? [])
            XCTAssertEqual(floats(v["entropy_topk"]) ?? [], s.stats?.topKEntropy ?? [])
            XCTAssertEqual(floats(v["entropy_full"]), s.stats?.entropy)
            XCTAssertEqual(v["expected_id"]?.arrayValue?.map { TokenID($0.intValue ?? -1) }, s.stats?.expectedID, "expected_id of \(i)")
            XCTAssertEqual(floats(v["expected_logprob"]), s.stats?.expectedLogprob, "expected_logprob of \(i)")
        }
        XCTAssertTrue(samples.contains { $0.stats?.expectedID != nil } && samples.contains { $0.stats?.expectedID == nil && $0.scored })
    }
    /// python/eaft_shards.py --verify also rejects a manifest.json with any flipped byte, or without its sidecar.
    func testPythonVerifyChecksManifest() throws {
        try Self.requirePythonReaderDeps()
        let dir = try SharedData.tempDir("pymflip").path
        try ShardFixtures.write(ShardFixtures.samples(4, maxTokens: 20), to: dir, options: ShardWriterOptions(blockBytes: 300))
        // One Python process flips each byte of manifest.json in turn (bit pos % 8) and counts misses.
        let script = """
        import os, sys
        sys.path.insert(0, sys.argv[1])
        import eaft_shards as E
        d = sys.argv[2]; p = os.path.join(d, "manifest.json")
        orig = open(p, "rb").read()
        E.ShardDataset(d, verify=True)
        missed = []
        for i in range(len(orig)):
            b = bytearray(orig); b[i] ^= 1 << (i % 8)
            open(p, "wb").write(bytes(b))
            try:
                E.ShardDataset(d, verify=True); missed.append(i)
            except E.ShardError as e:
                assert "manifest.json" in str(e), str(e)
        open(p, "wb").write(orig)
        os.rename(os.path.join(d, "manifest.crc32c"), os.path.join(d, "x"))
        try:
            E.ShardDataset(d, verify=True); missed.append(-1)
        except E.ShardError as e:
            assert "manifest.crc32c" in str(e), str(e)
        print(len(orig), missed)
        sys.exit(1 if missed else 0)
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, SharedData.repo("python").path, dir]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "python missed flips: \(String(decoding: data, as: UTF8.self))")
    }
}
