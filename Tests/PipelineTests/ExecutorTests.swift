import Curation
import DataIO
import Foundation
import Pipeline
import Records
import TestSupport
import XCTest

final class ExecutorTests: XCTestCase {
    typealias Crash = PipelineFixtures.Crash

    func runOnce(_ out: String, threads: Int = 2, partition: (Int, Int)? = nil, resume: Bool = false,
                 crashAfter: Int? = nil, rejects: String? = nil) throws -> RunResult {
        let spec = try PipelineFixtures.spec(bench: try PipelineFixtures.bench())
        var o = PipelineFixtures.options(out: out, resume: resume, crashAfter: crashAfter)
        o.rejectsPath = rejects
        if let p = partition { o.partition = (p.0, p.1) }
        return try Executor.run(ResolvedPipeline(spec: spec, threads: threads), components: PipelineFixtures.components(PipelineFixtures.data()), options: o)
    }

    func testSingleRunCountsAndShards() throws {
        let out = try SharedData.tempDir("run").path
        let rej = out + "-rejects.jsonl"
        let r = try runOnce(out, rejects: rej)
        let m = try XCTUnwrap(r.manifest)
        XCTAssertEqual(m.stages.map(\.name), ["read", "render", "verify", "dedup", "decontaminate", "filter", "sample", "score"])
        let read = m.stages[0]
        XCTAssertEqual(read.input, 251 + 300)  // 250 + 1 bad row, then the limit of 300 rows (bad rows count)
        XCTAssertEqual(read.dropped["invalid_json"], 2)
        let verify = m.stages[2]
        XCTAssertGreaterThan(verify.dropped["incorrect"] ?? 0, 50)
        XCTAssertGreaterThan(m.stages[3].dropped["exact_duplicate"] ?? 0, 0, "short prompts repeat")
        // Near-copies of 8 paragraphs (every 10th record): the first of each is kept, later ones
        // drop as near-duplicates naming a kept record (beta's copies i < 80 are exact copies of
        // alpha's). Measured: 42 = 39 paragraph copies + 3 "What is a plus b?" pairs (3-gram J 0.5).
        let nearDrops = m.stages[3].dropped["near_duplicate"] ?? 0
        XCTAssertGreaterThanOrEqual(nearDrops, 39)
        XCTAssertEqual(m.stages[4].dropped["contaminated"], 1)
        XCTAssertEqual(m.stages[6].kept, 260)
        XCTAssertEqual(m.samples, 260)
        XCTAssertGreaterThan(m.shards.count, 1)
        XCTAssertTrue(ShardVerifier.verify(directory: out).ok)
        // Counts chain: each stage's input is the previous stage's kept.
        for i in 1..<m.stages.count { XCTAssertEqual(m.stages[i].input, m.stages[i - 1].kept, m.stages[i].name) }
        // Rejects file has one line per drop except sampling.
        let lines = try String(contentsOfFile: rej, encoding: .utf8).split(separator: "\n")
        let drops = m.stages.filter { $0.name != "sample" }.reduce(0) { $0 + $1.dropped.values.reduce(0, +) }
        XCTAssertEqual(lines.count, drops)
        let rejects = try lines.map { try JSONParser.parse(Array($0.utf8)) }
        let near = rejects.filter { $0["reason"]?.stringValue == "near_duplicate" }
        XCTAssertEqual(near.count, nearDrops)
        for r in near {
            let detail = try XCTUnwrap(r["detail"]?.stringValue)
            XCTAssertTrue(detail.hasPrefix("of alpha:alpha-") || detail.hasPrefix("of beta:beta-"), detail)
            XCTAssertEqual(r["stage"]?.stringValue, "dedup")
        }
        let exact = try XCTUnwrap(rejects.first { $0["reason"]?.stringValue == "exact_duplicate" })
        XCTAssertTrue(exact["detail"]?.stringValue?.hasPrefix("of ") == true)
        let contaminated = try XCTUnwrap(rejects.first { $0["reason"]?.stringValue == "contaminated" })
        XCTAssertEqual(contaminated["detail"]?.stringValue, "\(try PipelineFixtures.bench()) item row 0 (13-gram overlap)")
        // Shard contents: statistics equal the fake scorer's, sample order follows input order.
        let ds = try ShardDataset(directory: out)
        let s = try ds.sample(5)
        let stats = try HashScorer().score(batch: [s.ids], topK: 20)[0]
        XCTAssertEqual(s.stats, stats, "the shard stores the scorer's statistics as they are (T entries)")
        XCTAssertEqual(s.meta.verdict, "correct")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/.work"))
    }

    func testThreadCountDoesNotChangeBytes() throws {
        let a = try SharedData.tempDir("t1").path, b = try SharedData.tempDir("t3").path
        _ = try runOnce(a, threads: 1)
        _ = try runOnce(b, threads: 3)
        XCTAssertNil(snapshotDiff(try PipelineFixtures.snapshot(a), try PipelineFixtures.snapshot(b)))
    }

    func testResumeAfterCrashIsByteIdentical() throws {
        let ref = try SharedData.tempDir("ref").path
        _ = try runOnce(ref)
        let want = try PipelineFixtures.snapshot(ref)
        for crash in [1, 4, 9] {
            let out = try SharedData.tempDir("crash").path
            XCTAssertThrowsError(try runOnce(out, crashAfter: crash))
            // A stray temporary file, as a kill -9 mid-write leaves.
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: out + "/.work/parts/unit-000015.part.tmp"))
            let r = try runOnce(out, resume: true)
            XCTAssertGreaterThanOrEqual(r.unitsSkipped, crash - 1)
            XCTAssertNil(snapshotDiff(try PipelineFixtures.snapshot(out), want), "crash after \(crash) units")
            // Resuming a finished run is a no-op.
            let again = try runOnce(out, resume: true)
            XCTAssertEqual(again.unitsProcessed, 0)
            XCTAssertNil(snapshotDiff(try PipelineFixtures.snapshot(out), want))
        }
    }

    func testFourPartitionsMergeEqualsSingleRun() throws {
        let ref = try SharedData.tempDir("ref").path
        _ = try runOnce(ref)
        var dirs: [String] = []
        for i in 0..<4 {
            let d = try SharedData.tempDir("part\(i)").path
            let r = try runOnce(d, threads: 1 + i % 2, partition: (i, 4))
            XCTAssertNil(r.manifest)
            dirs.append(d)
        }
        let merged = try SharedData.tempDir("merged").path
        XCTAssertThrowsError(try Assembler.assemble(workDirs: Array(dirs.prefix(3)), out: merged), "a missing partition is an error")
        _ = try Assembler.assemble(workDirs: dirs.reversed(), out: merged)
        XCTAssertNil(snapshotDiff(try PipelineFixtures.snapshot(merged), try PipelineFixtures.snapshot(ref)))
    }

    func testSpecUnknownKeysAndValidation() throws {
        XCTAssertThrowsError(try PipelineSpec.parse(yaml: PipelineFixtures.yaml.replacingOccurrences(of: "min_tokens", with: "min_tokns"))) { e in
            XCTAssertTrue("\(e)".contains("stages.3.filter.min_tokns"), "\(e)")
        }
        XCTAssertThrowsError(try PipelineSpec.parse(yaml: PipelineFixtures.yaml.replacingOccurrences(of: "seed: 42", with: "seed: 42\nsede: 1"))) { e in
            XCTAssertTrue("\(e)".contains("unknown key 'sede'"), "\(e)")
        }
        XCTAssertThrowsError(try PipelineSpec.parse(yaml: PipelineFixtures.yaml.replacingOccurrences(of: "- sample:", with: "- sampel:"))) { e in
            XCTAssertTrue("\(e)".contains("unknown stage 'sampel'"), "\(e)")
        }
        XCTAssertThrowsError(try PipelineSpec.parse(yaml: PipelineFixtures.yaml.replacingOccurrences(of: "domain: math}\n  - {path: b", with: "domain: maths}\n  - {path: b"))) { e in
            XCTAssertTrue("\(e)".contains("inputs.0"), "\(e)")
        }
        let near = "near: {preset: short_text}"
        for (bad, want) in [("near: {bandz: 3}", "stages.1.dedup.near.bandz"), ("near: {preset: fuzzy}", "stages.1.dedup.near.preset"),
                            ("near: {bands: 0}", "stages.1.dedup.near"), ("near: {verify_threshold: 1.5}", "stages.1.dedup.near.verify_threshold"),
                            ("exact: false", "stages.1.dedup")] {
            XCTAssertThrowsError(try PipelineSpec.parse(yaml: PipelineFixtures.yaml.replacingOccurrences(of: near, with: bad)), bad) { e in
                XCTAssertTrue("\(e)".contains(want), "\(bad): \(e)")
            }
        }
        let s = try PipelineSpec.parse(yaml: PipelineFixtures.yaml)
        guard case .dedup(let d) = s.stages[1] else { return XCTFail("stage 1 is dedup") }
        XCTAssertEqual(d.near?.config, MinHashDeduplicator.Config.shortText)
        let dt = try PipelineSpec.parse(yaml: PipelineFixtures.yaml.replacingOccurrences(of: near, with: "near: {rows: 4}"))
        guard case .dedup(let d2) = dt.stages[1] else { return XCTFail("stage 1 is dedup") }
        XCTAssertEqual(d2.near?.config, MinHashDeduplicator.Config(ngram: 5, bands: 14, rows: 4), "datatrove preset, rows overridden")
        XCTAssertEqual(s.inputs[1].limit, 300)
        XCTAssertEqual(s.scoreStage?.topK, 20)
        var t = s; t.threads = 7; t.output.dir = "elsewhere"
        XCTAssertEqual(t.contentHash, s.contentHash, "threads and output dir do not shape the bytes")
        t.seed = 43
        XCTAssertNotEqual(t.contentHash, s.contentHash)
    }

    func testResumeRefusesDifferentSpec() throws {
        let out = try SharedData.tempDir("diff").path
        XCTAssertThrowsError(try runOnce(out, crashAfter: 2))
        var spec = try PipelineFixtures.spec(bench: try PipelineFixtures.bench())
        spec.seed = 1
        var o = RunOptions(); o.outDir = out; o.resume = true
        XCTAssertThrowsError(try Executor.run(ResolvedPipeline(spec: spec), components: PipelineFixtures.components(PipelineFixtures.data()), options: o))
    }
}
