import DataIO
import Foundation
import Model
import TestSupport
import XCTest

/// Self-made fixtures (scripts/model_make_fixture.py; maths checked against transformers 5.23
/// with scripts/model_check_hf_load.py: max |Δlogits| ≤ 1.3e-5). They cover BF16, F16, sharded
/// checkpoints, llama3 RoPE scaling, attention_bias (o_proj bias) and both config styles
/// without ../shared. Tolerance 1e-4 absolute on logits (|logits| ≲ 10) and statistics, as
/// for the HF goldens.
final class FixtureModelTests: XCTestCase {
    static let names = ["qwen3-bf16", "llama3-f16", "qwen2-f32"]

    func dir(_ n: String) -> String { SharedData.repo("Tests/Fixtures/model/\(n)").path }

    func expected(_ n: String) throws -> (SafetensorsFile, [[Int32]]) {
        let f = try SafetensorsFile(path: dir(n) + "/expected.safetensors")
        var seqs: [[Int32]] = []
        while let _ = f.info("seq\(seqs.count).ids") { seqs.append(try f.floats("seq\(seqs.count).ids").map { Int32($0) }) }
        return (f, seqs)
    }

    func assertClose(_ a: [Float], _ b: [Float], _ tol: Float, _ what: String) {
        XCTAssertEqual(a.count, b.count, what)
        var worst: Float = 0, at = 0
        for i in 0..<min(a.count, b.count) where !(abs(a[i] - b[i]) <= worst) { worst = abs(a[i] - b[i]); at = i }
        XCTAssertLessThanOrEqual(worst, tol, "\(what): max |Δ| \(worst) at \(at)")
    }

    func testLogitsAndStatsMatchNumpyReference() throws {
        for n in Self.names {
            let lm = try CausalLM.load(directory: dir(n))
            let (e, seqs) = try expected(n)
            XCTAssertEqual(seqs.count, 3)
            for (i, s) in seqs.enumerated() {
                assertClose(try lm.logits(ids: s), try e.floats("seq\(i).logits"), 1e-4, "\(n) seq\(i) logits")
            }
            for k in [20, 5] {
                let all = try lm.scoreBatch(seqs, topK: k)
                for (i, st) in all.enumerated() {
                    // The reference has T−1 entries (position t predicts ids[t+1]); ours T, entry 0 = 0.
                    let p = "seq\(i).k\(k)."
                    XCTAssertEqual(st.count, seqs[i].count)
                    assertClose(Array(st.logprob.dropFirst()), try e.floats(p + "logprob"), 1e-4, "\(n) \(p)logprob")
                    assertClose(Array(st.entropy!.dropFirst()), try e.floats(p + "entropy"), 1e-4, "\(n) \(p)entropy")
                    assertClose(Array(st.topKEntropy.dropFirst()), try e.floats(p + "topk_entropy"), 1e-4, "\(n) \(p)topk_entropy")
                    assertClose(Array(st.gate.dropFirst()), try e.floats(p + "gate"), 1e-4, "\(n) \(p)gate")
                }
            }
        }
    }

    /// Packing, token budget and LM-head chunking change only float rounding.
    func testPackingAndChunkingAreTransparent() throws {
        let lm = try CausalLM.load(directory: dir("llama3-f16"))
        let (_, seqs) = try expected("llama3-f16")
        let inputs = seqs + [[5], [], seqs[1]]
        let reference = try inputs.map { try lm.scoreTokens(ids: $0) }
        // Too short to predict anything: T zero entries.
        XCTAssertEqual(reference[3], TokenStats(count: 1, entropy: true, expected: true))
        XCTAssertEqual(reference[4], TokenStats(count: 0, entropy: true, expected: true))
        for (budget, rows) in [(4096, 256), (30, 3), (1, 1)] {
            lm.tokenBudget = budget
            lm.chunkRows = rows
            let got = try lm.scoreBatch(inputs)
            for i in inputs.indices {
                assertClose(got[i].logprob, reference[i].logprob, 1e-5, "budget \(budget) rows \(rows) seq \(i)")
                assertClose(got[i].gate, reference[i].gate, 1e-5, "budget \(budget) rows \(rows) seq \(i)")
            }
        }
    }

    func testKeepAllCacheGivesSameHiddenStates() throws {
        let lm = try CausalLM.load(directory: dir("qwen3-bf16"))
        let (_, seqs) = try expected("qwen3-bf16")
        let batch = PackedBatch(seqs)
        XCTAssertEqual(batch.positions[19], 0, "positions restart per sequence")
        let full = ForwardCache(config: lm.config, capacity: batch.tokenCount, keepAll: true)
        let lean = ForwardCache(config: lm.config, capacity: batch.tokenCount, keepAll: false)
        let a = try lm.forward(batch, cache: full), b = try lm.forward(batch, cache: lean)
        let n = batch.tokenCount * lm.config.hiddenSize
        XCTAssertEqual(Array(UnsafeBufferPointer(start: a, count: n)), Array(UnsafeBufferPointer(start: b, count: n)))
        XCTAssertNotNil(full.layers[1].lse)
        XCTAssertNotNil(full.layers[0].qRaw, "Qwen3 keeps q before q_norm")
        XCTAssertThrowsError(try lm.forward(batch, cache: ForwardCache(config: lm.config, capacity: 3)))
    }

    func testBothConfigStylesAndDtypes() throws {
        let q3 = try ConfigRegistry.load(path: dir("qwen3-bf16") + "/config.json")
        XCTAssertEqual(q3.architecture, .qwen3)
        XCTAssertTrue(q3.qkNorm && q3.tieWordEmbeddings && !q3.qkvBias)
        let ll = try ConfigRegistry.load(path: dir("llama3-f16") + "/config.json")
        XCTAssertEqual(ll.rope.scaling, .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 64))
        XCTAssertTrue(ll.qkvBias && ll.oBias && ll.headDim == 8)
        let q2 = try ConfigRegistry.load(path: dir("qwen2-f32") + "/config.json")
        XCTAssertTrue(q2.qkvBias && !q2.oBias)
        XCTAssertEqual(q2.rope.theta, 10000)
    }

    /// Writes a variant of the qwen2 fixture config with `edit` applied and expects an error
    /// mentioning `needle`.
    func assertConfigError(_ edit: (inout [String: Any]) -> Void, _ needle: String, line: UInt = #line) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir("qwen2-f32") + "/config.json"))
        var obj = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        edit(&obj)
        let out = try JSONSerialization.data(withJSONObject: obj)
        XCTAssertThrowsError(try ConfigRegistry.parse(out, path: "cfg.json"), line: line) { e in
            XCTAssertTrue(e is ModelError && "\(e)".contains(needle), "'\(e)' should mention '\(needle)'", line: line)
        }
    }

    func testUnsupportedConfigValuesAreErrors() throws {
        try assertConfigError({ $0["use_sliding_window"] = true }, "use_sliding_window")
        try assertConfigError({ $0["rope_scaling"] = ["type": "yarn", "factor": 4.0] }, "yarn")
        try assertConfigError({ $0["rope_parameters"] = ["rope_type": "linear", "rope_theta": 1e4, "factor": 2.0] }, "linear")
        try assertConfigError({ $0["architectures"] = ["MistralForCausalLM"] }, "MistralForCausalLM")
        try assertConfigError({ $0["hidden_act"] = "gelu" }, "gelu")
        try assertConfigError({ $0["layer_types"] = ["full_attention", "sliding_attention"] }, "sliding_attention")
        try assertConfigError({ $0["num_key_value_heads"] = 3 }, "num_key_value_heads")
        try assertConfigError({ $0.removeValue(forKey: "hidden_size") }, "hidden_size")
        try assertConfigError({ $0["architectures"] = ["LlamaForCausalLM"]; $0["model_type"] = "llama"; $0["mlp_bias"] = true }, "mlp_bias")
    }

    func testWeightMismatchesAreErrors() throws {
        let tmp = try SharedData.tempDir("badmodel")
        let src = dir("qwen2-f32")
        try FileManager.default.copyItem(atPath: src + "/model.safetensors", toPath: tmp.path + "/model.safetensors")
        // Config says tied, so lm_head is ignored — but q/k/v shapes still must match: change heads.
        var cfg = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: src + "/config.json"))) as! [String: Any]
        cfg["intermediate_size"] = 64
        try JSONSerialization.data(withJSONObject: cfg).write(to: tmp.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try CausalLM.load(directory: tmp.path)) { e in
            XCTAssertTrue("\(e)".contains("mlp.gate_proj.weight") && "\(e)".contains("shape"), "\(e)")
        }
        cfg["intermediate_size"] = 48
        cfg["num_hidden_layers"] = 3
        try JSONSerialization.data(withJSONObject: cfg).write(to: tmp.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try CausalLM.load(directory: tmp.path)) { e in
            XCTAssertTrue("\(e)".contains("model.layers.2.") && "\(e)".contains("missing"), "\(e)")
        }
    }

    /// Issue 17: absurd config.json sizes allocated (7.6 GB) and died. They are refused before
    /// any allocation: beyond the stated maxima by `validate`, and otherwise against the
    /// tensor shapes in the safetensors header — either way naming the key.
    func testAbsurdConfigSizesAreRefusedBeforeAllocating() throws {
        let src = dir("qwen3-bf16")
        let tmp = try SharedData.tempDir("absurdcfg")
        try FileManager.default.copyItem(atPath: src + "/model.safetensors", toPath: tmp.path + "/model.safetensors")
        let base = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: src + "/config.json"))) as! [String: Any]
        let cases: [(String, Any, String)] = [
            ("hidden_size", 1_000_000_000, "exceeds the maximum"), ("intermediate_size", 1_000_000_000, "exceeds the maximum"),
            ("head_dim", 1_000_000_000, "exceeds the maximum"), ("num_attention_heads", 1 << 32, "exceeds the maximum"),
            ("num_hidden_layers", 1 << 32, "exceeds the maximum"),
            // Plausible values that still disagree with the weights: named before allocating.
            ("hidden_size", 4096, "model.embed_tokens.weight"), ("intermediate_size", 11008, "gate_proj"),
            ("num_hidden_layers", 64, "has 2 layers"), ("head_dim", 128, "q_proj"), ("vocab_size", 150_000, "model.embed_tokens.weight"),
        ]
        for (k, v, needle) in cases {
            var cfg = base
            cfg[k] = v
            if k == "num_attention_heads" { cfg["num_key_value_heads"] = v }
            if k == "num_hidden_layers" { cfg.removeValue(forKey: "layer_types") }
            try JSONSerialization.data(withJSONObject: cfg).write(to: tmp.appendingPathComponent("config.json"))
            XCTAssertThrowsError(try CausalLM.load(directory: tmp.path), "\(k)=\(v)") { e in
                let s = "\(e)"
                XCTAssertTrue(e is ModelError && s.contains(k) && s.contains(needle), "\(k)=\(v): \(s)")
            }
        }
    }
}
