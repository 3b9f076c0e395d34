import DataIO
import Foundation
import Model
import Pipeline
import Records
import TestSupport
import XCTest

/// End to end on shared data with the real adapters, tokenizer, verifiers and the reference
/// Qwen3 model (real vocabulary, random init); gates are checked against an independent
/// float64 recomputation from the model's full logits.
final class RealPipelineTests: XCTestCase {
    func spec(limit: Int, out: String) throws -> PipelineSpec {
        let gsm = try SharedData.require("data/math/gsm8k/train.jsonl").path
        let tok = try SharedData.require("tokenizers/qwen3/tokenizer.json").path
        let model = try SharedData.require("reference/qwen3-tiny-fullvocab").path
        return try PipelineSpec.parse(yaml: """
            name: real-small
            seed: 3
            inputs:
              - {path: \(gsm), adapter: gsm8k, source: gsm8k-train, domain: math, limit: \(limit)}
            template: {kind: qwen3, tokenizer: \(tok)}
            stages:
              - verify: {}
              - filter: {max_tokens: 400}
              - score: {model: \(model), top_k: 20, batch_tokens: 1024}
            output: {dir: \(out), unit_samples: 3, block_kb: 16}
            """)
    }

    func run(_ s: PipelineSpec, threads: Int) throws -> ShardManifest {
        var o = RunOptions()
        let p = ResolvedPipeline(spec: s, threads: threads)
        return try XCTUnwrap(Executor.run(p, components: try ComponentLoader.load(p), options: o).manifest)
    }

    func testGatesMatchIndependentRecomputation() throws {
        let out = try SharedData.tempDir("real").path
        let s = try spec(limit: 5, out: out)
        let m = try run(s, threads: 2)
        XCTAssertEqual(m.stages.first?.input, 5)
        XCTAssertGreaterThan(m.samples, 3)
        XCTAssertEqual(m.model?.path.hasSuffix("model.safetensors"), true)
        XCTAssertTrue(ShardVerifier.verify(directory: out).ok)

        let model = try CausalLM.load(directory: s.scoreStage!.model)
        let ds = try ShardDataset(directory: out)
        let V = model.vocabSize
        var checked = 0, maxGate = 0.0, maxLP = 0.0, maxH = 0.0
        for i in [0, ds.count - 1] {
            let smp = try ds.sample(i)
            XCTAssertEqual(smp.meta.verdict, "correct")
            let ids = smp.ids
            let st = try XCTUnwrap(smp.stats)
            let logits = try model.logits(ids: ids)
            let labels = (1..<ids.count).filter { smp.lossMask[$0] != 0 }
            XCTAssertGreaterThan(labels.count, 10)
            for t in stride(from: 0, to: labels.count, by: max(1, labels.count / 12)).map({ labels[$0] }) {
                let row = Array(logits[((t - 1) * V)..<(t * V)]).map(Double.init)
                let mx = row.max()!
                let lse = mx + log(row.reduce(0) { $0 + exp($1 - mx) })
                let lp = row[Int(ids[t])] - lse
                var h = 0.0
                for z in row { let p = exp(z - lse); if p > 0 { h -= p * (z - lse) } }
                let top = row.sorted(by: >).prefix(20)
                let tl = top.first! + log(top.reduce(0) { $0 + exp($1 - top.first!) })
                var hk = 0.0
                for z in top { hk -= exp(z - tl) * (z - tl) }
                let g = hk / log(20.0)
                // Float32 storage and float32 accumulation over 151,936 logits: 1e-3 absolute on
                // log-probability and entropy, 1e-4 on the gate (normalised, bounded in [0, 1]).
                maxLP = max(maxLP, abs(lp - Double(st.logprob[t])))
                maxH = max(maxH, abs(h - Double(st.entropy![t])))
                maxGate = max(maxGate, abs(g - Double(st.gate[t])))
                XCTAssertEqual(Double(st.topKEntropy[t]), hk, accuracy: 1e-3)
                // The expected token is the argmax (unless the best two logits tie within 1e-4),
                // stored with its log-probability.
                let order = row.indices.sorted { row[$0] > row[$1] }
                if row[order[0]] - row[order[1]] > 1e-4 { XCTAssertEqual(Int(st.expectedID![t]), order[0], "expected id at t=\(t)") }
                XCTAssertEqual(Double(st.expectedLogprob![t]), mx - lse, accuracy: 1e-3)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 15)
        XCTAssertLessThan(maxLP, 1e-3, "max |Δ logprob| \(maxLP)")
        XCTAssertLessThan(maxH, 1e-3, "max |Δ entropy| \(maxH)")
        XCTAssertLessThan(maxGate, 1e-4, "max |Δ gate| \(maxGate)")
        print("checked \(checked) tokens: max |Δ| logprob \(maxLP), entropy \(maxH), gate \(maxGate)")
    }

    func testRealModelThreadCountDoesNotChangeBytes() throws {
        let a = try SharedData.tempDir("real1").path, b = try SharedData.tempDir("real2").path
        _ = try run(try spec(limit: 4, out: a), threads: 1)
        _ = try run(try spec(limit: 4, out: b), threads: 2)
        let sa = try PipelineFixtures.snapshot(a), sb = try PipelineFixtures.snapshot(b)
        // Manifests differ only in output dir? No: the dir is not recorded, so everything is equal.
        XCTAssertNil(snapshotDiff(sa, sb))
    }
}
