import DataIO
import Foundation
import Records
import TestSupport
import XCTest
import Training

/// `data:` as an eaft shard directory (schemas/shard.v1.md): ids, loss mask and the stored gate
/// map onto trainer samples exactly as the equivalent JSONL does.
final class ShardDataTests: XCTestCase {
    /// The first `n` fixture samples as a scored shard directory and as a JSONL file.
    func makeData(_ dir: URL, n: Int) throws -> (shards: String, jsonl: String, samples: [ShardSample]) {
        let fx = SharedData.repo("Tests/Fixtures/training/train.jsonl").path
        let src = try TrainDataset.load(paths: [fx], maxLen: 1 << 20, vocab: 1 << 20)
        XCTAssertGreaterThanOrEqual(src.samples.count, n)
        let shardDir = dir.appendingPathComponent("shards").path
        try FileManager.default.createDirectory(atPath: shardDir, withIntermediateDirectories: true)
        // Small blocks and files so the directory has several shard files and blocks.
        let opts = ShardWriterOptions(targetShardBytes: 800, blockBytes: 400, topK: 20)
        let w = ShardWriter(directory: shardDir, options: opts)
        var shardSamples: [ShardSample] = []
        var jsonl = ""
        for (k, s) in src.samples.prefix(n).enumerated() {
            // Fresh gates (not the fixture's) so the test sees the shard's own values; entry 0 = 0 as the writer stores.
            var g = (0..<s.ids.count).map { j in Float((j * 37 + k * 11) % 101) / 100 }
            g[0] = 0
            let t = s.ids.count
            let ss = ShardSample(meta: ShardSampleMeta(id: "s\(k)", source: "fx", domain: "math"), ids: s.ids,
                                 lossMask: s.mask, stats: TokenStats(logprob: .init(repeating: -1, count: t), gate: g,
                                                                     topKEntropy: .init(repeating: 0.5, count: t)))
            try w.append(ss)
            shardSamples.append(ss)
            var o = JSONObject()
            o["ids"] = .array(s.ids.map { .int(Int64($0)) })
            o["mask"] = .array(s.mask.map { .int(Int64($0)) })
            o["gate"] = .array(g.map { .double(Double($0)) })
            var bytes: [UInt8] = []
            JSONWriter().write(.object(o), into: &bytes)
            jsonl += String(decoding: bytes, as: UTF8.self) + "\n"
        }
        let files = try w.finish()
        XCTAssertGreaterThan(files.count, 1, "want several shard files")
        var m = ShardManifest(topK: opts.topK)
        m.setShards(files)
        try m.write(directory: shardDir)
        let jsonlPath = dir.appendingPathComponent("same.jsonl").path
        try jsonl.write(toFile: jsonlPath, atomically: true, encoding: .utf8)
        return (shardDir, jsonlPath, shardSamples)
    }

    func testShardDirectoryLoadsIdsMaskAndStaticGates() throws {
        let dir = try SharedData.tempDir("shard-ds")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (shards, jsonl, written) = try makeData(dir, n: 12)
        let a = try TrainDataset.load(paths: [shards], maxLen: 1 << 20, vocab: 512)
        let b = try TrainDataset.load(paths: [jsonl], maxLen: 1 << 20, vocab: 512)
        XCTAssertEqual(a.errors, []); XCTAssertEqual(a.samples.count, 12)
        XCTAssertEqual(a.samples, b.samples, "shard and JSONL forms must give identical samples")
        for (s, w) in zip(a.samples, written) {
            XCTAssertEqual(s.ids, w.ids); XCTAssertEqual(s.mask, w.lossMask); XCTAssertEqual(s.gates, w.stats?.gate)
        }
        // The static gates a packed batch uses are the shard's gates at the label positions.
        let batch = Batcher.pack(a, order: Array(0..<12), range: 0..<12)
        var want: [Float] = []
        for w in written { for j in 1..<w.ids.count where w.lossMask[j] != 0 { want.append(w.stats!.gate[j]) } }
        XCTAssertEqual(batch.staticGates, want)
        // Truncation, vocab check (bad samples are skipped with dir#index), and an unscored shard has no gates.
        let t = try TrainDataset.load(paths: [shards], maxLen: 8, vocab: 512)
        XCTAssertTrue(t.samples.allSatisfy { $0.ids.count <= 8 && $0.gates?.count == $0.ids.count })
        XCTAssertGreaterThan(t.truncated, 0)
        let v = try TrainDataset.load(paths: [shards], maxLen: 1 << 20, vocab: 100)
        XCTAssertEqual(v.samples.count + v.errors.count, 12)
        XCTAssertGreaterThan(v.errors.count, 0)
        XCTAssertTrue(v.errors[0].hasPrefix("\(shards)#"), v.errors[0])
        XCTAssertTrue(v.errors[0].contains("vocab size 100"), v.errors[0])
        XCTAssertThrowsError(try TrainDataset.load(paths: [dir.path], maxLen: 8, vocab: 512)) { e in  // no manifest.json
            XCTAssertTrue("\(e)".contains("shard directory"), "\(e)")
        }
    }

    func testStaticGateTrainingFromShardsEqualsJSONL() throws {
        let model = try SharedData.require("reference/qwen3-tiny").path
        let dir = try SharedData.tempDir("shard-train")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (shards, jsonl, _) = try makeData(dir, n: 16)
        func train(_ data: String, _ out: String) throws -> [StepMetrics] {
            var cfg = TrainConfig()
            cfg.model = model; cfg.data = [data]; cfg.outputDir = dir.appendingPathComponent(out).path
            cfg.loss = .eaft; cfg.gate = .static; cfg.steps = 2; cfg.lr = 1e-3; cfg.batchTokens = 256
            cfg.schedule = "constant"; cfg.warmup = 0
            let t = try Trainer(config: cfg)
            t.log = { _ in }
            return try t.run().history
        }
        let a = try train(shards, "a"), b = try train(jsonl, "b")
        XCTAssertEqual(a.count, 2)
        XCTAssertEqual(a.map(\.loss), b.map(\.loss), "same ids/mask/gates must give the identical loss")
        XCTAssertEqual(a.map(\.gradNorm), b.map(\.gradNorm))
        XCTAssertTrue(a.allSatisfy { $0.loss.isFinite && $0.loss > 0 })
    }

    func testErrorReportListsEachEntryWithCap() {
        var ds = TrainDataset()
        XCTAssertEqual(ds.errorReport(), "")
        ds.errors = (1...25).map { "f.jsonl:\($0): bad" }
        let lines = ds.errorReport(limit: 20).split(separator: "\n")
        XCTAssertEqual(lines.count, 22)
        XCTAssertEqual(lines[0], "skipped 25 bad data entries:")
        XCTAssertEqual(lines[1], "  f.jsonl:1: bad"); XCTAssertEqual(lines[20], "  f.jsonl:20: bad")
        XCTAssertEqual(lines[21], "  ... and 5 more")
    }
}
