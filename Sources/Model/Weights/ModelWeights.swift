import DataIO
import Foundation
import Records

/// One named parameter: a slice of `ModelWeights.flat` with its HF name and shape.
public struct Parameter: Sendable {
    /// HF tensor name, e.g. `model.layers.0.self_attn.q_proj.weight`.
    public let name: String
    public let shape: [Int]
    /// Offset in floats into `ModelWeights.flat`.
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
}

/// Pointers to one decoder layer's parameters (HF [out, in] layout). Optional entries exist
/// only when the architecture has them.
/// In `ModelWeights` storage q, k, v are adjacent (so `q` is also the fused
/// (nh·hd + 2·nkv·hd, H) matrix) and so are gate and up (`gate` is the fused (2·I, H) matrix).
public struct LayerWeights: @unchecked Sendable {
    public var inputNorm: UnsafeMutablePointer<Float>       // (H)
    public var q: UnsafeMutablePointer<Float>               // (nh·hd, H)
    public var k: UnsafeMutablePointer<Float>               // (nkv·hd, H)
    public var v: UnsafeMutablePointer<Float>               // (nkv·hd, H)
    public var o: UnsafeMutablePointer<Float>               // (H, nh·hd)
    public var qBias: UnsafeMutablePointer<Float>?          // (nh·hd)
    public var kBias: UnsafeMutablePointer<Float>?          // (nkv·hd)
    public var vBias: UnsafeMutablePointer<Float>?          // (nkv·hd)
    public var oBias: UnsafeMutablePointer<Float>?          // (H)
    public var qNorm: UnsafeMutablePointer<Float>?          // (hd), Qwen3
    public var kNorm: UnsafeMutablePointer<Float>?          // (hd), Qwen3
    public var postNorm: UnsafeMutablePointer<Float>        // (H)
    public var gate: UnsafeMutablePointer<Float>            // (I, H)
    public var up: UnsafeMutablePointer<Float>              // (I, H)
    public var down: UnsafeMutablePointer<Float>            // (H, I)
}

/// All parameters of a model in ONE contiguous float32 buffer (`flat`, `count` floats), in
/// the order of `parameters` (HF names). A flat buffer lets the trainer run AdamW and
/// gradient maths over every parameter in one loop. Tied models have a single
/// `model.embed_tokens.weight` and `lmHead` points at it.
public final class ModelWeights: @unchecked Sendable {
    public let config: ModelConfig
    public let parameters: [Parameter]
    public let flat: UnsafeMutablePointer<Float>
    public let count: Int
    public let embed: UnsafeMutablePointer<Float>   // (V, H)
    public let lmHead: UnsafeMutablePointer<Float>  // (V, H) (== embed when tied)
    public let finalNorm: UnsafeMutablePointer<Float>  // (H)
    public let layers: [LayerWeights]
    private let index: [String: Int]

    /// The HF parameter names and shapes of `config`, in storage order.
    public static func layout(_ c: ModelConfig) -> [(String, [Int])] {
        let h = c.hiddenSize, i = c.intermediateSize
        var out: [(String, [Int])] = [("model.embed_tokens.weight", [c.vocabSize, h])]
        for l in 0..<c.numLayers {
            let p = "model.layers.\(l)."
            out.append((p + "input_layernorm.weight", [h]))
            // q, k, v weights adjacent: together one (qDim + 2·kvDim, H) matrix for a fused GEMM.
            out.append((p + "self_attn.q_proj.weight", [c.qDim, h]))
            out.append((p + "self_attn.k_proj.weight", [c.kvDim, h]))
            out.append((p + "self_attn.v_proj.weight", [c.kvDim, h]))
            if c.qkvBias {
                out.append((p + "self_attn.q_proj.bias", [c.qDim]))
                out.append((p + "self_attn.k_proj.bias", [c.kvDim]))
                out.append((p + "self_attn.v_proj.bias", [c.kvDim]))
            }
            out.append((p + "self_attn.o_proj.weight", [h, c.qDim]))
            if c.oBias { out.append((p + "self_attn.o_proj.bias", [h])) }
            if c.qkNorm {
                out.append((p + "self_attn.q_norm.weight", [c.headDim]))
                out.append((p + "self_attn.k_norm.weight", [c.headDim]))
            }
            out.append((p + "post_attention_layernorm.weight", [h]))
            // gate and up adjacent: one (2·I, H) matrix for a fused GEMM.
            out.append((p + "mlp.gate_proj.weight", [i, h]))
            out.append((p + "mlp.up_proj.weight", [i, h]))
            out.append((p + "mlp.down_proj.weight", [h, i]))
        }
        out.append(("model.norm.weight", [h]))
        if !c.tieWordEmbeddings { out.append(("lm_head.weight", [c.vocabSize, h])) }
        return out
    }

    /// Allocates zeroed parameters for `config`.
    public init(config: ModelConfig) {
        self.config = config
        var params: [Parameter] = []
        var off = 0
        for (n, s) in Self.layout(config) {
            params.append(Parameter(name: n, shape: s, offset: off))
            off += s.reduce(1, *)
        }
        parameters = params
        count = off
        flat = .allocate(capacity: max(1, off))
        flat.initialize(repeating: 0, count: max(1, off))
        var idx = [String: Int]()
        for (i, p) in params.enumerated() { idx[p.name] = i }
        index = idx
        let f = flat
        func ptr(_ n: String) -> UnsafeMutablePointer<Float> { f + params[idx[n]!].offset }
        func opt(_ n: String) -> UnsafeMutablePointer<Float>? { idx[n].map { f + params[$0].offset } }
        embed = ptr("model.embed_tokens.weight")
        lmHead = config.tieWordEmbeddings ? embed : ptr("lm_head.weight")
        finalNorm = ptr("model.norm.weight")
        layers = (0..<config.numLayers).map { l in
            let p = "model.layers.\(l)."
            return LayerWeights(
                inputNorm: ptr(p + "input_layernorm.weight"),
                q: ptr(p + "self_attn.q_proj.weight"), k: ptr(p + "self_attn.k_proj.weight"),
                v: ptr(p + "self_attn.v_proj.weight"), o: ptr(p + "self_attn.o_proj.weight"),
                qBias: opt(p + "self_attn.q_proj.bias"), kBias: opt(p + "self_attn.k_proj.bias"),
                vBias: opt(p + "self_attn.v_proj.bias"), oBias: opt(p + "self_attn.o_proj.bias"),
                qNorm: opt(p + "self_attn.q_norm.weight"), kNorm: opt(p + "self_attn.k_norm.weight"),
                postNorm: ptr(p + "post_attention_layernorm.weight"),
                gate: ptr(p + "mlp.gate_proj.weight"), up: ptr(p + "mlp.up_proj.weight"),
                down: ptr(p + "mlp.down_proj.weight"))
        }
    }

    deinit { flat.deallocate() }

    /// The parameter named `name` (HF name), or nil.
    public func parameter(_ name: String) -> Parameter? { index[name].map { parameters[$0] } }

    /// Pointer to the parameter named `name`, or nil.
    public func pointer(_ name: String) -> UnsafeMutablePointer<Float>? { parameter(name).map { flat + $0.offset } }

    /// Loads every parameter from a safetensors checkpoint (F32, BF16 or F16; widened to
    /// float32 once here, and each tensor's mapped pages are released after copying).
    /// Missing tensors and shape mismatches are errors naming the file and tensor. Extra
    /// tensors are ignored (e.g. `lm_head.weight` in a tied checkpoint, rotary buffers).
    /// Every shape is compared with the checkpoint's header before anything is allocated, so a
    /// config.json with absurd sizes is refused (naming the key) instead of allocating.
    public static func load(config: ModelConfig, checkpoint: SafetensorsCheckpoint) throws -> ModelWeights {
        try checkShapes(config: config, checkpoint: checkpoint)
        let w = ModelWeights(config: config)
        for p in w.parameters {
            do {
                try checkpoint.copyFloats(p.name, into: w.flat + p.offset, count: p.count)
            } catch let e as DataIOError {
                throw ModelError(e.reason, at: e.location, hint: e.hint)
            }
        }
        return w
    }

    /// Writes the parameters as one float32 `model.safetensors` (HF layout, `{"format": "pt"}`).
    public func save(to path: String) throws {
        let tensors = parameters.map {
            SafetensorsWriter.Tensor(name: $0.name, shape: $0.shape,
                                     data: UnsafeBufferPointer(start: flat + $0.offset, count: $0.count))
        }
        do { try SafetensorsWriter.write(path: path, tensors: tensors) } catch let e as DataIOError {
            throw ModelError(e.reason, at: e.location, hint: e.hint)
        }
    }
}
