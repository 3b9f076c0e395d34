import DataIO
import Foundation
import Pipeline
import TestSupport
import XCTest

/// `sample: {n, per_source}`: listed sources keep at most their quota, the others share the rest.
final class SampleQuotaTests: XCTestCase {
    func run(_ sample: String, threads: Int) throws -> (ShardManifest, [String: Int], String) {
        let yaml = PipelineFixtures.yaml.replacingOccurrences(of: "- sample: {n: 260}", with: "- sample: \(sample)")
        let spec = try PipelineSpec.parse(yaml: yaml.replacingOccurrences(of: "BENCH", with: try PipelineFixtures.bench()))
        let out = try SharedData.tempDir("quota\(threads)").path
        var o = RunOptions()
        o.outDir = out
        let r = try Executor.run(ResolvedPipeline(spec: spec, threads: threads), components: PipelineFixtures.components(PipelineFixtures.data()), options: o)
        let m = try XCTUnwrap(r.manifest)
        let ds = try ShardDataset(directory: out)
        var bySource: [String: Int] = [:]
        for i in 0..<m.samples { bySource[try ds.sample(i).meta.source, default: 0] += 1 }
        return (m, bySource, out)
    }

    func testPerSourceQuotasAndRest() throws {
        // Every candidate (n above the count), per source.
        let (_, all, _) = try run("{n: 100000}", threads: 2)
        let (alpha, beta) = (all["alpha"] ?? 0, all["beta"] ?? 0)
        XCTAssertGreaterThan(alpha, 160)
        XCTAssertGreaterThan(beta, 40)
        // beta capped at 40; alpha gets the remaining 160.
        let (m, by, a) = try run("{n: 200, per_source: {beta: 40}}", threads: 2)
        XCTAssertEqual(by["beta"], 40)
        XCTAssertEqual(by["alpha"], 160)
        XCTAssertEqual(m.samples, 200)
        let stage = try XCTUnwrap(m.stages.first { $0.name == "sample" })
        XCTAssertEqual(stage.kept, 200)
        XCTAssertEqual(stage.input - stage.kept, stage.dropped["not_sampled"] ?? 0)
        // The same bytes with another thread count.
        let (_, _, b) = try run("{n: 200, per_source: {beta: 40}}", threads: 1)
        XCTAssertNil(snapshotDiff(try PipelineFixtures.snapshot(a), try PipelineFixtures.snapshot(b)))
        // A quota larger than the source keeps all of it; the unlisted source shares n − quota.
        let (_, big, _) = try run("{n: 400, per_source: {beta: 390}}", threads: 2)
        XCTAssertEqual(big["beta"], min(390, beta))
        XCTAssertEqual(big["alpha"], 10)
    }

    func testQuotaValidation() throws {
        for (bad, want) in [("{n: 10, per_source: {beta: 11}}", "more than n = 10"),
                            ("{n: 10, per_source: {beta: -1}}", "stages.4.sample.per_source.beta"),
                            ("{n: 10, per_sourc: {beta: 1}}", "unknown key 'per_sourc'")] {
            let yaml = PipelineFixtures.yaml.replacingOccurrences(of: "- sample: {n: 260}", with: "- sample: \(bad)")
            XCTAssertThrowsError(try PipelineSpec.parse(yaml: yaml), bad) { e in XCTAssertTrue("\(e)".contains(want), "\(bad): \(e)") }
        }
    }
}
