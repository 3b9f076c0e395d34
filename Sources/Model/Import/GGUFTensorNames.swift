/// llama.cpp tensor names → Hugging Face names, and the inverse of the Q/K row permutation
/// llama.cpp's converter applies to `llama` files.
/// Reference: https://github.com/ggml-org/llama.cpp/blob/master/gguf-py/gguf/tensor_mapping.py
/// (`TensorNameMap`), https://github.com/ggml-org/llama.cpp/blob/master/convert_hf_to_gguf.py
/// (`LlamaModel.permute`), transformers `modeling_gguf_pytorch_utils.py`
/// (`LlamaTensorProcessor._reverse_permute_weights`).
enum GGUFTensorNames {
    /// Per-block names: GGUF suffix → HF suffix under `model.layers.N.`.
    static let block: [String: String] = [
        "attn_norm.weight": "input_layernorm.weight",
        "attn_q.weight": "self_attn.q_proj.weight", "attn_q.bias": "self_attn.q_proj.bias",
        "attn_k.weight": "self_attn.k_proj.weight", "attn_k.bias": "self_attn.k_proj.bias",
        "attn_v.weight": "self_attn.v_proj.weight", "attn_v.bias": "self_attn.v_proj.bias",
        "attn_output.weight": "self_attn.o_proj.weight", "attn_output.bias": "self_attn.o_proj.bias",
        "attn_q_norm.weight": "self_attn.q_norm.weight", "attn_k_norm.weight": "self_attn.k_norm.weight",
        "ffn_norm.weight": "post_attention_layernorm.weight",
        "ffn_gate.weight": "mlp.gate_proj.weight", "ffn_up.weight": "mlp.up_proj.weight",
        "ffn_down.weight": "mlp.down_proj.weight",
    ]

    static let global: [String: String] = [
        "token_embd.weight": "model.embed_tokens.weight",
        "output_norm.weight": "model.norm.weight",
        "output.weight": "lm_head.weight",
    ]

    /// The HF name of a GGUF tensor, or nil when it has none (e.g. `rope_freqs.weight`).
    static func hfName(_ name: String) -> String? {
        if let g = global[name] { return g }
        let parts = name.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "blk", let layer = Int(parts[1]), layer >= 0,
              let suffix = block[String(parts[2])] else { return nil }
        return "model.layers.\(layer).\(suffix)"
    }

    /// Undoes llama.cpp's permutation of the rows of a q or k projection (`rows` × `cols`,
    /// row-major, `rows` = heads·d): HF row h·d + s·d/2 + i = GGUF row h·d + 2i + s
    /// (s ∈ {0, 1}, i < d/2). Works for weights (cols = in_features) and biases (cols = 1).
    /// Shape: src[rows, cols] → dst[rows, cols]; src and dst must not overlap.
    static func unpermuteRows(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                              rows: Int, cols: Int, heads: Int) {
        let d = rows / heads, half = d / 2
        for h in 0..<heads {
            for s in 0..<2 {
                for i in 0..<half {
                    let to = h * d + s * half + i, from = h * d + 2 * i + s
                    (dst + to * cols).update(from: src + from * cols, count: cols)
                }
            }
        }
    }
}
