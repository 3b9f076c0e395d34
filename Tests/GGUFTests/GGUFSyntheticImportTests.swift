import DataIO
import Foundation
import Model
import TestSupport
import Tokenizer
import XCTest

/// Small models written as GGUF the way llama.cpp's converter lays them out (q/k rows permuted
/// for llama, Llama-3 rope scaling as `rope_freqs.weight`, qwen3 head_dim in
/// `attention.key_length`), imported back: config, weights and logits must round-trip exactly
/// (same weights, same config, same kernels → tolerance 0).
final class GGUFSyntheticImportTests: XCTestCase {
    var tmp: URL!
    override func setUpWithError() throws { tmp = try SharedData.tempDir("gguf-synth") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    /// GPT-2 byte-level alphabet (`bytes_to_unicode`).
    static let byteTokens: [String] = {
        var keep = Set<Int>(33...126).union(161...172).union(174...255)
        var n = 0
        return (0..<256).map { b in
            if keep.contains(b) { return String(UnicodeScalar(UInt8(b))) }
            defer { n += 1 }
            keep.insert(b)
            return String(UnicodeScalar(UInt32(256 + n))!)
        }
    }()
    static let specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

    static let hfToGGUF: [String: String] = [
        "input_layernorm.weight": "attn_norm.weight", "self_attn.q_proj.weight": "attn_q.weight",
        "self_attn.k_proj.weight": "attn_k.weight", "self_attn.v_proj.weight": "attn_v.weight",
        "self_attn.o_proj.weight": "attn_output.weight", "self_attn.q_norm.weight": "attn_q_norm.weight",
        "self_attn.k_norm.weight": "attn_k_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
        "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight", "mlp.down_proj.weight": "ffn_down.weight",
    ]

    static func ggufName(_ hf: String) -> String {
        switch hf {
        case "model.embed_tokens.weight": return "token_embd.weight"
        case "model.norm.weight": return "output_norm.weight"
        case "lm_head.weight": return "output.weight"
        default:
            let p = hf.split(separator: ".", maxSplits: 3)  // model, layers, N, rest
            return "blk.\(p[2]).\(hfToGGUF[String(p[3])]!)"
        }
    }

    /// Writes `w` as a GGUF in llama.cpp's layout; returns its path.
    func write(_ w: ModelWeights, arch: String, pre: String, ropeFreqs: [Float]? = nil, keyLength: Bool = false,
               type: (String) -> GGMLType = { _ in .f32 }) throws -> String {
        let c = w.config
        var g = GGUFTestWriter()
        g.add("general.architecture", .string(arch))
        g.add("\(arch).context_length", .uint32(UInt32(c.maxPositionEmbeddings)))
        g.add("\(arch).embedding_length", .uint32(UInt32(c.hiddenSize)))
        g.add("\(arch).feed_forward_length", .uint32(UInt32(c.intermediateSize)))
        g.add("\(arch).block_count", .uint32(UInt32(c.numLayers)))
        g.add("\(arch).attention.head_count", .uint32(UInt32(c.numHeads)))
        g.add("\(arch).attention.head_count_kv", .uint32(UInt32(c.numKVHeads)))
        g.add("\(arch).rope.freq_base", .float32(Float(c.rope.theta)))
        g.add("\(arch).attention.layer_norm_rms_epsilon", .float32(Float(c.rmsNormEps)))
        g.add("\(arch).rope.dimension_count", .uint32(UInt32(c.headDim)))
        if keyLength {
            g.add("\(arch).attention.key_length", .uint32(UInt32(c.headDim)))
            g.add("\(arch).attention.value_length", .uint32(UInt32(c.headDim)))
        }
        let tokens = Self.specials + Self.byteTokens + ["ĠĠ"]
        g.add("tokenizer.ggml.model", .string("gpt2"))
        g.add("tokenizer.ggml.pre", .string(pre))
        g.add("tokenizer.ggml.tokens", .array(.string, tokens.map { .string($0) }))
        g.add("tokenizer.ggml.token_type", .array(.int32, tokens.indices.map { .int32($0 < 3 ? 3 : 1) }))
        g.add("tokenizer.ggml.merges", .array(.string, [.string("Ġ Ġ")]))
        g.add("tokenizer.ggml.bos_token_id", .uint32(1))
        g.add("tokenizer.ggml.eos_token_id", .uint32(2))
        g.add("tokenizer.chat_template", .string("{% for m in messages %}{{ m['content'] }}{% endfor %}"))
        for p in w.parameters {
            var v = Array(UnsafeBufferPointer(start: w.flat + p.offset, count: p.count))
            if arch == "llama" && (p.name.hasSuffix("q_proj.weight") || p.name.hasSuffix("k_proj.weight")) {
                // llama.cpp's permute: GGUF row h·d + 2i + s = HF row h·d + s·d/2 + i.
                let heads = p.name.hasSuffix("q_proj.weight") ? c.numHeads : c.numKVHeads
                let d = c.headDim, cols = p.shape[1]
                var out = v
                for h in 0..<heads { for s in 0..<2 { for i in 0..<(d / 2) {
                    let dst = h * d + 2 * i + s, src = h * d + s * d / 2 + i
                    out[(dst * cols)..<((dst + 1) * cols)] = v[(src * cols)..<((src + 1) * cols)]
                } } }
                v = out
            }
            g.add(Self.ggufName(p.name), shape: p.shape, v, as: type(p.name))
        }
        if let ropeFreqs { g.addF32("rope_freqs.weight", shape: [ropeFreqs.count], ropeFreqs) }
        let path = tmp.appendingPathComponent("\(arch).gguf").path
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(g.bytes())))
        return path
    }

    func assertSameLogits(_ a: CausalLM, _ b: CausalLM, _ label: String) throws {
        let ids: [Int32] = [5, 70, 200, 1, 33, 100, 7, 9, 250, 3]
        let x = try a.logits(ids: ids), y = try b.logits(ids: ids)
        XCTAssertEqual(x.count, y.count)
        let worst = zip(x, y).map { abs($0 - $1) }.max() ?? .nan
        XCTAssertEqual(worst, 0, "\(label): max |Δ logits| \(worst)")
    }

    func testLlamaWithRopeFreqsRoundTrips() throws {
        let json = #"{"architectures":["LlamaForCausalLM"],"dtype":"float32","vocab_size":260,"hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":2,"num_key_value_heads":1,"rms_norm_eps":0.0009765625,"max_position_embeddings":256,"tie_word_embeddings":false,"rope_parameters":{"rope_type":"llama3","rope_theta":10000.0,"factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":64}}"#
        let cfg = try ConfigRegistry.parse(Data(json.utf8), path: "llama-synth")
        let w = ModelInit.randomWeights(config: cfg, seed: 7, std: 0.2)
        let freqs = GGUFRopeFreqs.divisors(theta: 10000, headDim: 16, factor: 8, low: 1, high: 4, old: 64)
        XCTAssertTrue(freqs.contains { $0 > 1 && $0 < 8 })
        let gguf = try write(w, arch: "llama", pre: "llama-bpe", ropeFreqs: freqs)
        let out = tmp.appendingPathComponent("llama-hf").path
        let r = try GGUFImporter.run(gguf: gguf, out: out)
        XCTAssertEqual(r.config, cfg, "config (incl. fitted llama3 rope) round-trips")
        let lm = try CausalLM.load(directory: out)
        for p in w.parameters {
            let got = try XCTUnwrap(lm.weights.pointer(p.name), p.name)
            XCTAssertTrue(memcmp(got, w.flat + p.offset, 4 * p.count) == 0, "\(p.name) un-permuted bit for bit")
        }
        try assertSameLogits(CausalLM(weights: w), lm, "llama")
        let tok = try Tokenizer.load(path: out + "/tokenizer.json")
        XCTAssertEqual(tok.encode("<|im_start|>a 1", addSpecialTokens: false), [1, 100, 35, 52])
    }

    /// llama.cpp's mixed layouts: 2-D weights as Q8_0 (q/k permuted before quantizing; blocks
    /// are row-local, so un-permuting the dequantized rows gives the quantized HF rows) and F16.
    func testLlamaMixedQ8F16RoundTrips() throws {
        let json = #"{"architectures":["LlamaForCausalLM"],"dtype":"float32","vocab_size":260,"hidden_size":64,"intermediate_size":96,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"rms_norm_eps":0.0009765625,"max_position_embeddings":256,"tie_word_embeddings":true,"rope_theta":10000.0}"#
        let cfg = try ConfigRegistry.parse(Data(json.utf8), path: "llama-mixed")
        let w = ModelInit.randomWeights(config: cfg, seed: 11, std: 0.2)
        func type(_ name: String) -> GGMLType {
            name.contains("mlp.") ? .f16 : name.hasSuffix("proj.weight") || name.contains("embed") ? .q8_0 : .f32
        }
        let gguf = try write(w, arch: "llama", pre: "gpt2", type: type)
        // Expected: each HF tensor quantized the same way (row-local), in HF row order.
        for p in w.parameters {
            let v = Array(UnsafeBufferPointer(start: w.flat + p.offset, count: p.count))
            var g = GGUFTestWriter()
            let rep = g.add("x", shape: p.shape, v, as: type(p.name))
            for i in 0..<p.count { w.flat[p.offset + i] = rep[i] }
        }
        let out = tmp.appendingPathComponent("llama-mixed-hf").path
        let r = try GGUFImporter.run(gguf: gguf, out: out)
        XCTAssertEqual(r.sourceTypes, ["Q8_0": 9, "F16": 6, "F32": 5])
        let lm = try CausalLM.load(directory: out)
        for p in w.parameters {
            let got = try XCTUnwrap(lm.weights.pointer(p.name), p.name)
            XCTAssertTrue(memcmp(got, w.flat + p.offset, 4 * p.count) == 0, "\(p.name) (\(type(p.name)))")
        }
        try assertSameLogits(CausalLM(weights: w), lm, "llama mixed")
    }

    func testQwen3HeadDimFromKeyLength() throws {
        let json = #"{"architectures":["Qwen3ForCausalLM"],"dtype":"float32","vocab_size":260,"hidden_size":16,"intermediate_size":24,"num_hidden_layers":2,"num_attention_heads":2,"num_key_value_heads":1,"head_dim":16,"rms_norm_eps":0.0009765625,"max_position_embeddings":128,"tie_word_embeddings":true,"rope_theta":1000000.0}"#
        let cfg = try ConfigRegistry.parse(Data(json.utf8), path: "qwen3-synth")
        XCTAssertNotEqual(cfg.headDim, cfg.hiddenSize / cfg.numHeads)
        let w = ModelInit.randomWeights(config: cfg, seed: 3, std: 0.2)
        let gguf = try write(w, arch: "qwen3", pre: "qwen2", keyLength: true)
        let out = tmp.appendingPathComponent("qwen3-hf").path
        let r = try GGUFImporter.run(gguf: gguf, out: out)
        XCTAssertEqual(r.config.headDim, 16)
        XCTAssertEqual(r.config, cfg)
        try assertSameLogits(CausalLM(weights: w), try CausalLM.load(directory: out), "qwen3")
    }

    /// `pre` = smollm splits every digit off first (llama.cpp), so "x  12" has the piece "  "
    /// (merged to ĠĠ); plain GPT-2 (`pre` = gpt2) leaves " " + " 12" (no ĠĠ).
    func testSmollmPreTokenizerSplitsDigitsFirst() throws {
        let json = #"{"architectures":["Qwen3ForCausalLM"],"vocab_size":260,"hidden_size":16,"intermediate_size":24,"num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":1,"head_dim":8}"#
        let w = ModelInit.randomWeights(config: try ConfigRegistry.parse(Data(json.utf8), path: "x"), seed: 1)
        var ids: [String: [Int32]] = [:]
        for pre in ["smollm", "gpt2"] {
            let out = tmp.appendingPathComponent("tok-\(pre)").path
            _ = try GGUFImporter.run(gguf: try write(w, arch: "qwen3", pre: pre), out: out)
            ids[pre] = try Tokenizer.load(path: out + "/tokenizer.json").encode("x  12", addSpecialTokens: false)
        }
        XCTAssertEqual(ids["smollm"], [123, 259, 52, 53])  // x, ĠĠ, 1, 2 (byte b has id 3 + b)
        XCTAssertEqual(ids["gpt2"], [123, 35, 35, 52, 53])  // x, Ġ, Ġ, 1, 2
    }

    func testUnsupportedArchitectureAndPreTokenizerAreNamed() throws {
        let json = #"{"architectures":["Qwen3ForCausalLM"],"dtype":"float32","vocab_size":260,"hidden_size":16,"intermediate_size":24,"num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":1,"head_dim":8}"#
        let w = ModelInit.randomWeights(config: try ConfigRegistry.parse(Data(json.utf8), path: "x"), seed: 1)
        let bad = try write(w, arch: "qwen3", pre: "deepseek-coder")
        XCTAssertThrowsError(try GGUFImporter.run(gguf: bad, out: tmp.appendingPathComponent("o1").path)) {
            XCTAssertTrue("\($0)".contains("deepseek-coder"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp.appendingPathComponent("o1").path), "nothing left behind")
        let gemma = try write(w, arch: "gemma", pre: "gpt2")
        XCTAssertThrowsError(try GGUFImporter.run(gguf: gemma, out: tmp.appendingPathComponent("o2").path)) {
            XCTAssertTrue("\($0)".contains("'gemma'"), "\($0)")
        }
    }
}
