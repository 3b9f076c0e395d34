import Curation
import DataIO
import Foundation
import Pipeline
import Records
import XCTest

/// The spec is resolved once: every default applied, choices typed, one thread rule.
final class ResolvedPipelineTests: XCTestCase {
    func testDefaultsAreAppliedOnce() throws {
        let s = try PipelineSpec.parse(yaml: """
            name: t
            inputs: [{path: dir/a.jsonl, adapter: gsm8k, domain: math}]
            template: {kind: qwen3, tokenizer: tok.json}
            stages:
              - verify: {}
              - dedup: {near: {}}
              - decontaminate: {against: [{path: b.jsonl, field: question}]}
              - sample: {n: 5}
              - score: {model: m}
            output: {dir: out}
            """)
        let p = ResolvedPipeline(spec: s)
        XCTAssertEqual(p.inputs[0].source, "a.jsonl")
        XCTAssertEqual(p.inputs[0].fields, [:])
        XCTAssertEqual(p.recordStages.map(\.name), ["verify", "dedup", "decontaminate"])
        guard case .verify(let v) = p.recordStages[0], case .dedup(let d) = p.recordStages[1],
              case .decontaminate(let dc) = p.recordStages[2] else { return XCTFail("stage order") }
        XCTAssertEqual(v.keep, ["correct"])
        XCTAssertEqual(v.mathDomains, [.math])
        XCTAssertEqual(d.key, .prompt)
        XCTAssertTrue(d.exact)
        XCTAssertEqual(d.near, .datatrove)
        XCTAssertEqual(dc.ngram, 13)
        XCTAssertEqual(p.sample?.perSource, [:])
        XCTAssertEqual(p.score?.topK, 20)
        XCTAssertEqual(p.score?.batchTokens, 4096)
        XCTAssertNil(p.score?.server)
        XCTAssertEqual(p.unitSamples, 256)
        XCTAssertEqual(p.writer, ShardWriterOptions(targetShardBytes: 64 << 20, blockBytes: 1 << 20, zstdLevel: 3, topK: 20))
        XCTAssertEqual(p.finalStage, "score")
        XCTAssertEqual(p.specHash, s.contentHash)
        XCTAssertEqual(p.threads.workers, 2)
        XCTAssertEqual(p.threads.scorerThreads, 1)
    }

    func testServerDefaults() throws {
        let s = try PipelineSpec.parse(yaml: """
            name: t
            inputs: [{path: a.jsonl, adapter: gsm8k, domain: math}]
            template: {kind: qwen3, tokenizer: tok.json}
            stages: [{score: {model: m, top_k: 5, scorer: {backend: vllm, url: "http://127.0.0.1:8000"}}}]
            output: {dir: out}
            """)
        let server = try XCTUnwrap(ResolvedPipeline(spec: s).score?.server)
        XCTAssertEqual(server.backend, .vllm)
        XCTAssertEqual(server.concurrency, 4)
        XCTAssertEqual(server.timeoutSeconds, 600)
        XCTAssertEqual(server.retries, 5)
        XCTAssertEqual(ResolvedPipeline(spec: s).writer.topK, 5)
    }

    /// `threads: 1` in the spec and `--threads 8`: eight workers, each scorer single-threaded
    /// (before, each of the eight ran multi-threaded GEMMs).
    func testThreadRule() throws {
        var s = try PipelineFixtures.spec(bench: "b.jsonl")
        s.threads = 1
        let cli = ResolvedPipeline(spec: s, threads: 8)
        XCTAssertEqual(cli.threads.workers, 8)
        XCTAssertEqual(cli.threads.scorerThreads, 1)
        let one = ResolvedPipeline(spec: s)
        XCTAssertEqual(one.threads.workers, 1)
        XCTAssertEqual(one.threads.scorerThreads, max(1, min(8, ProcessInfo.processInfo.activeProcessorCount)))
        XCTAssertEqual(cli.specHash, one.specHash, "threads do not shape the bytes")
    }
}
