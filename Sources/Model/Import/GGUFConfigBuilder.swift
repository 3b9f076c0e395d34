import DataIO
import Foundation
import Records

/// Builds an HF config.json (and generation_config.json) from GGUF metadata for the
/// `llama`, `qwen2` and `qwen3` architectures, through eaft's Codable config structs.
///
/// Keys (`<arch>.` prefix): context_length → max_position_embeddings, embedding_length →
/// hidden_size, feed_forward_length → intermediate_size, block_count → num_hidden_layers,
/// attention.head_count(_kv) → num_(attention|key_value)_heads, attention.key_length (else
/// rope.dimension_count, else hidden/heads) → head_dim, attention.layer_norm_rms_epsilon →
/// rms_norm_eps, rope.freq_base → rope_theta; `rope_freqs.weight` → llama3 rope_parameters;
/// tie_word_embeddings when there is no `output.weight`; attention biases from the tensors.
/// Reference: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md ("LLM" keys),
/// transformers `integrations/ggml.py` (`GGUF_CONFIG_MAPPING`).
struct GGUFConfigBuilder {
    let file: GGUFFile
    let arch: ModelArchitecture
    let archName: String

    init(_ file: GGUFFile) throws {
        self.file = file
        guard let a = file["general.architecture"]?.stringValue else {
            throw ModelError("GGUF has no general.architecture", at: SourceLocation(file: file.path, field: "general.architecture"))
        }
        guard let arch = ModelArchitecture(rawValue: a) else {
            throw ModelError("GGUF architecture '\(a)' is not supported", at: SourceLocation(file: file.path, field: "general.architecture"),
                             hint: "supported: llama, qwen2, qwen3")
        }
        self.arch = arch
        archName = a
    }

    func loc(_ key: String) -> SourceLocation { SourceLocation(file: file.path, field: key) }

    func int(_ key: String, default d: Int? = nil) throws -> Int {
        let k = "\(archName).\(key)"
        guard let v = file[k] else {
            if let d { return d }
            throw ModelError("missing metadata key", at: loc(k))
        }
        guard let i = v.intValue, i >= 0 else { throw ModelError("expected a non-negative integer, got \(v)", at: loc(k)) }
        return i
    }

    func double(_ key: String) throws -> Double? {
        let k = "\(archName).\(key)"
        guard let v = file[k] else { return nil }
        guard let d = v.doubleValue else { throw ModelError("expected a number, got \(v)", at: loc(k)) }
        return d
    }

    /// A token id from `tokenizer.ggml.<name>_token_id`.
    func tokenID(_ name: String) -> Int? {
        let key = ["pad": "padding", "unk": "unknown"][name] ?? name
        return file["tokenizer.ggml.\(key)_token_id"]?.intValue
    }

    /// The config.json object and the dtype name it declares.
    func configJSON(dtype: String) throws -> JSONValue {
        if let e = try? int("expert_count"), e > 0 {
            throw ModelError("mixture-of-experts models are not supported (expert_count \(e))", at: loc("\(archName).expert_count"))
        }
        if let t = file["\(archName).rope.scaling.type"]?.stringValue, t != "none" {
            throw ModelError("rope scaling type '\(t)' is not supported", at: loc("\(archName).rope.scaling.type"),
                             hint: "Llama-3 scaling (rope_freqs.weight) is supported")
        }
        let hidden = try int("embedding_length"), heads = try int("attention.head_count")
        let kvHeads = try int("attention.head_count_kv", default: heads)
        guard heads > 0 else { throw ModelError("attention.head_count is 0", at: loc("\(archName).attention.head_count")) }
        let rotDim = try int("rope.dimension_count", default: 0)
        let headDim = try int("attention.key_length", default: rotDim > 0 ? rotDim : hidden / heads)
        if rotDim > 0 && rotDim != headDim {
            throw ModelError("partial rotary embedding (rope.dimension_count \(rotDim) < head_dim \(headDim)) is not supported",
                             at: loc("\(archName).rope.dimension_count"))
        }
        if let vl = file["\(archName).attention.value_length"]?.intValue, vl != headDim {
            throw ModelError("attention.value_length \(vl) differs from key_length \(headDim)", at: loc("\(archName).attention.value_length"))
        }
        guard let embd = file.info("token_embd.weight"), embd.ne.count == 2 else {
            throw ModelError("GGUF has no 2-D token_embd.weight", at: loc("token_embd.weight"))
        }
        let vocab = try int("vocab_size", default: embd.ne[1])
        let theta = try double("rope.freq_base") ?? 10000
        var rope = RopeParameters(ropeType: "default", ropeTheta: theta)
        if let rf = file.info("rope_freqs.weight") {
            if let fitted = try GGUFRopeFreqs.fit(try file.floats(rf.name), theta: theta, headDim: headDim, path: file.path) {
                rope = fitted
            }
        }
        // transformers ≥ 5 reads rope_parameters; the same values also go into the legacy
        // rope_theta / rope_scaling keys so transformers 4.x computes the same frequencies.
        var legacyScaling: RopeParameters?
        if rope.ropeType == "llama3" {
            legacyScaling = rope
            legacyScaling?.ropeTheta = nil
        }
        let eps = try double("attention.layer_norm_rms_epsilon") ?? 1e-6
        let tied = file.info("output.weight") == nil
        let qBias = file.info("blk.0.attn_q.bias") != nil
        let oBias = file.info("blk.0.attn_output.bias") != nil
        let ctx = try int("context_length", default: 2048)
        let layers = try int("block_count"), ffn = try int("feed_forward_length")

        let encoded: Data
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        switch arch {
        case .llama:
            if qBias != oBias {
                throw ModelError("llama with q/k/v bias but no o bias (or the reverse) is not supported", at: loc("blk.0.attn_q.bias"))
            }
            encoded = try enc.encode(LlamaConfig(
                vocabSize: vocab, hiddenSize: hidden, intermediateSize: ffn, numHiddenLayers: layers,
                numAttentionHeads: heads, numKeyValueHeads: kvHeads, headDim: headDim, hiddenAct: "silu",
                maxPositionEmbeddings: ctx, rmsNormEps: eps, ropeTheta: theta, ropeScaling: legacyScaling, ropeParameters: rope,
                attentionBias: qBias, mlpBias: false, tieWordEmbeddings: tied, dtype: dtype, torchDtype: nil))
        case .qwen2:
            encoded = try enc.encode(Qwen2Config(
                vocabSize: vocab, hiddenSize: hidden, intermediateSize: ffn, numHiddenLayers: layers,
                numAttentionHeads: heads, numKeyValueHeads: kvHeads, headDim: headDim, hiddenAct: "silu",
                maxPositionEmbeddings: ctx, rmsNormEps: eps, ropeTheta: theta, ropeScaling: legacyScaling, ropeParameters: rope,
                useSlidingWindow: false, layerTypes: nil, tieWordEmbeddings: tied, dtype: dtype, torchDtype: nil))
        case .qwen3:
            encoded = try enc.encode(Qwen3Config(
                vocabSize: vocab, hiddenSize: hidden, intermediateSize: ffn, numHiddenLayers: layers,
                numAttentionHeads: heads, numKeyValueHeads: kvHeads, headDim: headDim, hiddenAct: "silu",
                maxPositionEmbeddings: ctx, rmsNormEps: eps, ropeTheta: theta, ropeScaling: legacyScaling, ropeParameters: rope,
                useSlidingWindow: false, layerTypes: nil, attentionBias: qBias, tieWordEmbeddings: tied, dtype: dtype, torchDtype: nil))
        }
        guard case .object(let body) = try JSONParser.parse(encoded) else {
            throw ModelError("internal: config did not encode as an object", at: loc("config.json"))
        }
        var obj = JSONObject([("architectures", .array([.string(arch.className)])), ("model_type", .string(archName))])
        for (k, v) in body.entries { obj[k] = v }
        for name in ["bos", "eos", "pad", "unk"] {
            if let id = tokenID(name) { obj["\(name)_token_id"] = .int(Int64(id)) }
        }
        return .object(obj)
    }

    /// generation_config.json: bos / eos / pad ids.
    func generationConfigJSON() -> JSONValue {
        var obj = JSONObject()
        for name in ["bos", "eos", "pad"] {
            if let id = tokenID(name) { obj["\(name)_token_id"] = .int(Int64(id)) }
        }
        return .object(obj)
    }
}
