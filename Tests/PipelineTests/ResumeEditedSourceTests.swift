import DataIO
import Foundation
import Pipeline
import Records
import TestSupport
import XCTest

/// Fault test (issue 17): a source edited in place between an interrupted run and its `--resume`
/// is refused with a located error, instead of mixing units of the old and the new text. The edit
/// keeps every id, so the selection (which records, in which order) is unchanged; only a selected
/// record's answer text differs.
final class ResumeEditedSourceTests: XCTestCase {
    typealias Crash = PipelineFixtures.Crash

    func run(_ out: String, data: [String: [StreamItem]], resume: Bool, crashAfter: Int?) throws -> RunResult {
        let o = PipelineFixtures.options(out: out, resume: resume, crashAfter: crashAfter)
        return try Executor.run(ResolvedPipeline(spec: try PipelineFixtures.spec(bench: try PipelineFixtures.bench())),
                                components: PipelineFixtures.components(data), options: o)
    }

    func testResumeAfterAnInPlaceEditIsRefused() throws {
        let out = try SharedData.tempDir("edited").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let data = PipelineFixtures.data()
        XCTAssertThrowsError(try run(out, data: data, resume: false, crashAfter: 3)) { XCTAssertTrue($0 is Crash, "\($0)") }

        // Same ids and order; record alpha-1 (correct, kept) gets a different wording of its answer.
        var edited = data
        edited["a"] = data["a"]!.map { item in
            guard case .record(var r, let loc) = item, r.id == "alpha-1" else { return item }
            r.messages[1].content = "Counting again: " + r.messages[1].content
            return .record(r, loc)
        }
        XCTAssertThrowsError(try run(out, data: edited, resume: true, crashAfter: nil)) { e in
            let pe = e as? PipelineError
            XCTAssertNotNil(pe, "\(e)")
            XCTAssertTrue(pe?.reason.contains("different spec or selection") == true, "\(e)")
        }
        // The unedited source still resumes, and ends equal to an uninterrupted run.
        let r = try run(out, data: data, resume: true, crashAfter: nil)
        XCTAssertGreaterThan(r.unitsSkipped, 0)
        let ref = try SharedData.tempDir("edited-ref").path
        defer { try? FileManager.default.removeItem(atPath: ref) }
        _ = try run(ref, data: data, resume: false, crashAfter: nil)
        XCTAssertEqual(try PipelineFixtures.snapshot(out), try PipelineFixtures.snapshot(ref))
    }
}

/// Fault test (issue 17): a scorer that returns NaN for one token stops the run with an error
/// naming the sample, the column and the token; nothing non-finite reaches a shard.
final class NonFiniteScoreTests: XCTestCase {
    final class NaNScorer: Scorer {
        let inner = HashScorer()
        var maxPositions: Int { inner.maxPositions }
        func score(batch: [[TokenID]], topK: Int) throws -> [TokenStats] {
            var cols = try inner.score(batch: batch, topK: topK)
            if cols.count > 1 { cols[1].entropy![5] = .nan }  // the second sample of every batch
            return cols
        }
    }

    func testNaNFromTheScorerIsALocatedError() throws {
        let out = try SharedData.tempDir("nan").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let o = PipelineFixtures.options(out: out)
        var comps = PipelineFixtures.components(PipelineFixtures.data())
        comps.makeScorer = { NaNScorer() }
        XCTAssertThrowsError(try Executor.run(ResolvedPipeline(spec: try PipelineFixtures.spec(bench: try PipelineFixtures.bench())), components: comps, options: o)) { e in
            let s = "\(e)"
            XCTAssertTrue(s.contains("entropy_full at token 5 of sample "), s)
            XCTAssertTrue(s.contains("nan"), s)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/manifest.json"))
    }
}
