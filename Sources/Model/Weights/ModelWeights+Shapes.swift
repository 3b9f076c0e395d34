import DataIO
import Foundation

extension ModelWeights {
    /// Compares the dimensions of `config` with the tensor shapes in the checkpoint's
    /// safetensors header, without allocating weights. A disagreement on a dimension is a
    /// `ModelError` naming the config.json key (vocab_size, hidden_size, num_hidden_layers,
    /// num_attention_heads / head_dim, num_key_value_heads, intermediate_size); any other
    /// missing or mis-shaped tensor names the tensor.
    public static func checkShapes(config c: ModelConfig, checkpoint: SafetensorsCheckpoint) throws {
        let cfgPath = (checkpoint.directory as NSString).appendingPathComponent("config.json")
        func key(_ k: String, _ why: String) -> ModelError {
            ModelError(why, at: .init(file: cfgPath, field: k), hint: "config.json does not match the weights in \(checkpoint.directory)")
        }
        // Named dimensions first, so the error names the key that is wrong.
        if let e = checkpoint.info("model.embed_tokens.weight")?.shape, e.count == 2 {
            if e[0] != c.vocabSize { throw key("vocab_size", "is \(c.vocabSize) but model.embed_tokens.weight has shape \(e)") }
            if e[1] != c.hiddenSize { throw key("hidden_size", "is \(c.hiddenSize) but model.embed_tokens.weight has shape \(e)") }
        }
        var layers = 0
        for n in checkpoint.names where n.hasPrefix("model.layers.") {
            let rest = n.dropFirst("model.layers.".count)
            if let l = Int(rest.prefix { $0.isNumber }), l < Int(Int32.max) { layers = max(layers, l + 1) }
        }
        if c.numLayers > layers {
            throw key("num_hidden_layers", "is \(c.numLayers) but the checkpoint has \(layers) layers (model.layers.\(layers).* missing)")
        }
        let p0 = "model.layers.0."
        if let q = checkpoint.info(p0 + "self_attn.q_proj.weight")?.shape, q.count == 2, q[0] != c.qDim {
            throw key("num_attention_heads", "num_attention_heads \(c.numHeads) × head_dim \(c.headDim) = \(c.qDim) but \(p0)self_attn.q_proj.weight has shape \(q)")
        }
        if let k = checkpoint.info(p0 + "self_attn.k_proj.weight")?.shape, k.count == 2, k[0] != c.kvDim {
            throw key("num_key_value_heads", "num_key_value_heads \(c.numKVHeads) × head_dim \(c.headDim) = \(c.kvDim) but \(p0)self_attn.k_proj.weight has shape \(k)")
        }
        if let g = checkpoint.info(p0 + "mlp.gate_proj.weight")?.shape, g.count == 2, g[0] != c.intermediateSize {
            throw key("intermediate_size", "is \(c.intermediateSize) but \(p0)mlp.gate_proj.weight has shape \(g)")
        }
        for (name, shape) in layout(c) {
            guard let info = checkpoint.info(name) else {
                throw ModelError("tensor missing from checkpoint", at: .init(file: checkpoint.directory, field: name),
                                 hint: "does config.json match the weights (tie_word_embeddings, attention_bias, layers)?")
            }
            guard info.shape == shape else {
                throw ModelError("tensor has shape \(info.shape), config implies \(shape)",
                                 at: .init(file: checkpoint.directory, field: name))
            }
        }
    }
}
