import DataIO
import Foundation
import Pipeline
import Records
import TestSupport
import XCTest

final class ExecutorTests: XCTestCase {
    struct Crash: Error {}

    func runOnce(_ out: String, threads: Int = 2, partition: (Int, Int)? = nil, resume: Bool = false,
                 crashAfter: Int? = nil, rejects: String? = nil) throws -> RunResult {
        let spec = try PipelineFixtures.spec(bench: try PipelineFixtures.bench())
        var o = RunOptions()
        o.outDir = out
        o.threads = threads
        o.resume = resume
        o.rejectsPath = rejects
        if let p = partition { o.partition = (p.0, p.1) }
        var commits = 0
        let lock = NSLock()
        if let c = crashAfter {
            o.onUnitCommitted = { _ in
                lock.lock(); defer { lock.unlock() }
                commits += 1
                if commits >= c { throw Crash() }
            }
        }
        return try Executor.run(spec: spec, components: PipelineFixtures.components(PipelineFixtures.data()), options: o)
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
        XCTAssertGreaterThan(m.stages[3].dropped["duplicate"] ?? 0, 0, "short prompts repeat")
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
        // Shard contents: statistics equal the fake scorer's, sample order follows input order.
        let ds = try ShardDataset(directory: out)
        let s = try ds.sample(5)
        let cols = try HashScorer().score(batch: [s.ids], topK: 20)[0]
        XCTAssertEqual(Array(s.gate.dropFirst()), cols.gate)
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
        let s = try PipelineSpec.parse(yaml: PipelineFixtures.yaml)
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
        XCTAssertThrowsError(try Executor.run(spec: spec, components: PipelineFixtures.components(PipelineFixtures.data()), options: o))
    }
}
