import Foundation
import Records

/// The architecture facts the trainer needs, read from a Hugging Face `config.json`
/// (both the transformers ≥ 5 `rope_parameters` style and the older `rope_theta` style).
/// Supports `llama`, `qwen2` (q/k/v bias) and `qwen3` (q/k RMSNorm).
/// Reference: https://huggingface.co/docs/transformers/model_doc/qwen3
public struct TrainModelConfig: Sendable, Equatable {
    public var modelType: String
    public var vocab: Int
    public var hidden: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var intermediate: Int
    public var eps: Float
    public var ropeTheta: Double
    public var tied: Bool
    public var qkvBias: Bool
    public var oBias: Bool
    public var qkNorm: Bool
    /// `pad_token_id`: HF's `nn.Embedding(padding_idx=pad_token_id)` never updates that row from the input side.
    public var padTokenId: Int? = nil

    public init(modelType: String, vocab: Int, hidden: Int, layers: Int, heads: Int, kvHeads: Int, headDim: Int,
                intermediate: Int, eps: Float, ropeTheta: Double, tied: Bool, qkvBias: Bool, oBias: Bool, qkNorm: Bool,
                padTokenId: Int? = nil) {
        self.modelType = modelType; self.vocab = vocab; self.hidden = hidden; self.layers = layers; self.heads = heads
        self.kvHeads = kvHeads; self.headDim = headDim; self.intermediate = intermediate; self.eps = eps
        self.ropeTheta = ropeTheta; self.tied = tied; self.qkvBias = qkvBias; self.oBias = oBias; self.qkNorm = qkNorm
        self.padTokenId = padTokenId
    }

    /// Parses `config.json` text. Errors name the file and key.
    public static func parse(_ data: Data, path: String) throws -> TrainModelConfig {
        let j: JSONValue
        do { j = try JSONParser.parse(data) } catch { throw TrainError("invalid JSON: \(error)", at: path) }
        func int(_ k: String) throws -> Int {
            guard let v = j[k]?.intValue else { throw TrainError("missing or non-integer key '\(k)'", at: path) }
            return Int(v)
        }
        guard let mt = j["model_type"]?.stringValue else { throw TrainError("missing key 'model_type'", at: path) }
        guard ["llama", "qwen2", "qwen3"].contains(mt) else {
            throw TrainError("unsupported model_type '\(mt)'", at: path, hint: "llama, qwen2 and qwen3 are supported")
        }
        let heads = try int("num_attention_heads")
        let hidden = try int("hidden_size")
        var theta = 10000.0
        if let rp = j["rope_parameters"], rp.objectValue != nil {
            if let t = rp["rope_theta"]?.doubleValue { theta = t }
            if let ty = rp["rope_type"]?.stringValue, ty != "default" {
                throw TrainError("rope_type '\(ty)' is not supported by the trainer", at: path)
            }
        } else {
            if let t = j["rope_theta"]?.doubleValue { theta = t }
            if let rs = j["rope_scaling"], rs.objectValue != nil {
                let ty = rs["rope_type"]?.stringValue ?? rs["type"]?.stringValue ?? "default"
                if ty != "default" { throw TrainError("rope_scaling type '\(ty)' is not supported by the trainer", at: path) }
            }
        }
        let hd = j["head_dim"]?.intValue.map(Int.init) ?? hidden / heads
        let attnBias = j["attention_bias"]?.boolValue ?? false
        guard let eps = j["rms_norm_eps"]?.doubleValue else { throw TrainError("missing key 'rms_norm_eps'", at: path) }
        let kv = j["num_key_value_heads"]?.intValue.map(Int.init) ?? heads
        guard kv > 0, heads % kv == 0 else { throw TrainError("num_attention_heads must be a multiple of num_key_value_heads", at: path) }
        var cfg = TrainModelConfig(
            modelType: mt, vocab: try int("vocab_size"), hidden: hidden, layers: try int("num_hidden_layers"),
            heads: heads, kvHeads: kv, headDim: hd, intermediate: try int("intermediate_size"),
            eps: Float(eps), ropeTheta: theta, tied: j["tie_word_embeddings"]?.boolValue ?? false,
            qkvBias: mt == "qwen2" || attnBias, oBias: mt != "qwen2" && attnBias, qkNorm: mt == "qwen3")
        if let pad = j["pad_token_id"]?.intValue { cfg.padTokenId = Int(pad) }
        return cfg
    }

    /// The HF parameter names and shapes, in `model.named_parameters()` order.
    public var parameterShapes: [(String, [Int])] {
        var out: [(String, [Int])] = [("model.embed_tokens.weight", [vocab, hidden])]
        let q = heads * headDim, kv = kvHeads * headDim
        for i in 0..<layers {
            let p = "model.layers.\(i)."
            out.append((p + "self_attn.q_proj.weight", [q, hidden]))
            if qkvBias { out.append((p + "self_attn.q_proj.bias", [q])) }
            out.append((p + "self_attn.k_proj.weight", [kv, hidden]))
            if qkvBias { out.append((p + "self_attn.k_proj.bias", [kv])) }
            out.append((p + "self_attn.v_proj.weight", [kv, hidden]))
            if qkvBias { out.append((p + "self_attn.v_proj.bias", [kv])) }
            out.append((p + "self_attn.o_proj.weight", [hidden, q]))
            if oBias { out.append((p + "self_attn.o_proj.bias", [hidden])) }
            if qkNorm {
                out.append((p + "self_attn.q_norm.weight", [headDim]))
                out.append((p + "self_attn.k_norm.weight", [headDim]))
            }
            out.append((p + "mlp.gate_proj.weight", [intermediate, hidden]))
            out.append((p + "mlp.up_proj.weight", [intermediate, hidden]))
            out.append((p + "mlp.down_proj.weight", [hidden, intermediate]))
            out.append((p + "input_layernorm.weight", [hidden]))
            out.append((p + "post_attention_layernorm.weight", [hidden]))
        }
        out.append(("model.norm.weight", [hidden]))
        if !tied { out.append(("lm_head.weight", [vocab, hidden])) }
        return out
    }
}
