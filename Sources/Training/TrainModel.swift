import Foundation
import Kernels
import Model
import Records

/// A decoder-only transformer (Llama / Qwen2 / Qwen3) for training: the forward pass is the
/// Model module's `CausalLM.forward` into a keep-all `ForwardCache` (every op's input kept);
/// this class adds the backward pass, which accumulates parameter gradients.
/// Maths follow HF transformers 5.23 (`modeling_llama.py`, `modeling_qwen2.py`, `modeling_qwen3.py`).
/// The LM head and loss live in `LossHead` (chunked, so full logits never exist).
public final class TrainModel: @unchecked Sendable {
    public let lm: CausalLM
    public let config: TrainModelConfig
    /// Views `lm.weights.flat` (updated in place by the optimizer) plus a gradient buffer.
    public let params: ParamStore
    var cache: ForwardCache?
    var dx = UnsafeMutablePointer<Float>.allocate(capacity: 1), dh = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var dm = UnsafeMutablePointer<Float>.allocate(capacity: 1), da = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var dqkv = UnsafeMutablePointer<Float>.allocate(capacity: 1), dO = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var dq = UnsafeMutablePointer<Float>.allocate(capacity: 1), dk = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var dv = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var scratchA = UnsafeMutablePointer<Float>.allocate(capacity: 1), scratchB = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var tokenCap = 0, lenCap = 0
    /// Most workers the attention backward's scratch is sized for (jobs = sequence × kv head);
    /// each call uses min(this, `Threads.workers`).
    let attentionWorkers = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))

    /// Wraps a loaded (or randomly initialised) `CausalLM`; `padTokenId` as in config.json.
    public init(lm: CausalLM, padTokenId: Int? = nil) {
        self.lm = lm
        let c = lm.config
        config = TrainModelConfig(modelType: c.architecture.rawValue, vocab: c.vocabSize, hidden: c.hiddenSize, layers: c.numLayers,
                                  heads: c.numHeads, kvHeads: c.numKVHeads, headDim: c.headDim, intermediate: c.intermediateSize,
                                  eps: Float(c.rmsNormEps), ropeTheta: c.rope.theta, tied: c.tieWordEmbeddings, qkvBias: c.qkvBias,
                                  oBias: c.oBias, qkNorm: c.qkNorm, padTokenId: padTokenId)
        params = ParamStore(external: lm.weights.flat, count: lm.weights.count,
                            layout: lm.weights.parameters.map { ($0.name, $0.shape, $0.offset) })
    }
    deinit { for p in [dx, dh, dm, da, dqkv, dO, dq, dk, dv, scratchA, scratchB] { p.deallocate() } }

    /// Loads an HF model folder (config.json + safetensors, f32/bf16/f16, single or sharded).
    public static func load(directory: String) throws -> TrainModel {
        let lm: CausalLM
        do { lm = try CausalLM.load(directory: directory) } catch {
            throw TrainError("cannot load model: \(error)", at: directory)
        }
        var pad: Int? = nil
        let cpath = (directory as NSString).appendingPathComponent("config.json")
        if let data = FileManager.default.contents(atPath: cpath), let j = try? JSONParser.parse(data), let p = j["pad_token_id"]?.intValue {
            pad = Int(p)
        }
        return TrainModel(lm: lm, padTokenId: pad)
    }

    /// The LM-head weight (the embedding when tied). `// (V, C)`
    public var headWeight: UnsafeMutablePointer<Float> { params.value(config.tied ? "model.embed_tokens.weight" : "lm_head.weight") }
    public var headGrad: UnsafeMutablePointer<Float> { params.grad(config.tied ? "model.embed_tokens.weight" : "lm_head.weight") }

    private func reserve(tokens t: Int, maxLen: Int) {
        if t > tokenCap || cache == nil {
            let T = max(t, tokenCap)
            cache = ForwardCache(config: lm.config, capacity: T, keepAll: true)
            let c = config, C = c.hidden, Q = c.heads * c.headDim, KV = c.kvHeads * c.headDim, I = c.intermediate
            func re(_ p: inout UnsafeMutablePointer<Float>, _ n: Int) { p.deallocate(); p = .allocate(capacity: max(n, 1)) }
            re(&dx, T * C); re(&dh, T * C); re(&dm, T * I); re(&da, T * 2 * I); re(&dqkv, T * (Q + 2 * KV))
            re(&dO, T * Q); re(&dq, T * Q); re(&dk, T * KV); re(&dv, T * KV)
            tokenCap = T
        }
        if maxLen > lenCap {
            scratchA.deallocate(); scratchB.deallocate()
            let c = config
            let n = attentionWorkers * Backward.attentionScratch(maxLen: maxLen, headDim: c.headDim, group: c.heads / c.kvHeads)
            scratchA = .allocate(capacity: n); scratchB = .allocate(capacity: n)
            lenCap = maxLen
        }
    }

    /// Forward over a packed batch; returns the final-norm hidden states `(T, C)` (valid until the next call).
    public func forward(_ b: TrainBatch) throws -> UnsafeMutablePointer<Float> {
        reserve(tokens: b.tokenCount, maxLen: b.maxLen)
        do { return try lm.forward(b.modelBatch, cache: cache!) } catch { throw TrainError("forward failed: \(error)") }
    }

    /// Backward from `dHidden` (gradient w.r.t. the final-norm output, `(T, C)`) after `forward(b)`.
    /// Adds into `params.grads` (the LM-head contribution is added by `LossHead`).
    public func backward(_ b: TrainBatch, dHidden: UnsafePointer<Float>) {
        guard let cache else { preconditionFailure("backward before forward") }
        let c = config, t = b.tokenCount
        let C = c.hidden, Q = c.heads * c.headDim, KV = c.kvHeads * c.headDim, I = c.intermediate
        let scale = Float(1) / Float(c.headDim).squareRoot()
        Backward.rmsNorm(x: cache.finalInput, invRms: cache.finalRstd, w: params.value("model.norm.weight"), dy: dHidden, dx: dx,
                         dw: params.grad("model.norm.weight"), rows: t, dim: C)
        lm.withRopeTables(positions: max(b.maxLen, 1)) { cosT, sinT in
        b.positions.withUnsafeBufferPointer { pos in
        b.seqStarts.withUnsafeBufferPointer { starts in
            for l in stride(from: c.layers - 1, through: 0, by: -1) {
                let L = cache.layers[l], p = "model.layers.\(l)."
                // MLP: out = mid + down(silu(gate)·up)
                Backward.linear(dy: dx, x: L.act, w: params.value(p + "mlp.down_proj.weight"), dx: dm, dw: params.grad(p + "mlp.down_proj.weight"), db: nil, tokens: t, inDim: I, outDim: C)
                // gate|up weights (and their gradients) are adjacent: one (2I, C) matrix.
                Backward.swigluRows(a: L.gate, b: L.up, dm: dm, dGateUp: da, rows: t, inter: I)
                Backward.linear(dy: da, x: L.normed2, w: params.value(p + "mlp.gate_proj.weight"), dx: dh, dw: params.grad(p + "mlp.gate_proj.weight"), db: nil, tokens: t, inDim: C, outDim: 2 * I)
                Backward.rmsNorm(x: L.mid, invRms: L.rstd2, w: params.value(p + "post_attention_layernorm.weight"), dy: dh, dx: dx,
                                 dw: params.grad(p + "post_attention_layernorm.weight"), rows: t, dim: C, accumulateDX: true)
                // Attention: mid = input + o_proj(attn)
                Backward.linear(dy: dx, x: L.attnOut, w: params.value(p + "self_attn.o_proj.weight"), dx: dO, dw: params.grad(p + "self_attn.o_proj.weight"),
                                db: c.oBias ? params.grad(p + "self_attn.o_proj.bias") : nil, tokens: t, inDim: Q, outDim: C)
                Backward.attention(q: L.q, k: L.k, v: L.v, lse: L.lse!, dOut: dO, dq: dq, dk: dk, dv: dv,
                                   seqStarts: starts.baseAddress!, seqCount: b.sequenceCount, tokens: t, heads: c.heads, kvHeads: c.kvHeads,
                                   headDim: c.headDim, scale: scale, scratchP: scratchA, scratchDP: scratchB,
                                   workers: min(attentionWorkers, Threads.workers))
                Backward.rope(dq, positions: pos.baseAddress!, cos: cosT, sin: sinT, tokens: t, heads: c.heads, headDim: c.headDim)
                Backward.rope(dk, positions: pos.baseAddress!, cos: cosT, sin: sinT, tokens: t, heads: c.kvHeads, headDim: c.headDim)
                if c.qkNorm {
                    Backward.rmsNorm(x: L.qRaw!, invRms: L.qRstd!, w: params.value(p + "self_attn.q_norm.weight"), dy: dq, dx: dq,
                                     dw: params.grad(p + "self_attn.q_norm.weight"), rows: t * c.heads, dim: c.headDim)
                    Backward.rmsNorm(x: L.kRaw!, invRms: L.kRstd!, w: params.value(p + "self_attn.k_norm.weight"), dy: dk, dx: dk,
                                     dw: params.grad(p + "self_attn.k_norm.weight"), rows: t * c.kvHeads, dim: c.headDim)
                }
                // q|k|v weights (and their gradients) are adjacent: one (Q + 2KV, C) matrix.
                Elementwise.joinColumns(dqkv, rows: t, parts: [(UnsafePointer(dq), Q), (UnsafePointer(dk), KV), (UnsafePointer(dv), KV)])
                if c.qkvBias {
                    Elementwise.addColumnSums(dq, rows: t, dim: Q, into: params.grad(p + "self_attn.q_proj.bias"))
                    Elementwise.addColumnSums(dk, rows: t, dim: KV, into: params.grad(p + "self_attn.k_proj.bias"))
                    Elementwise.addColumnSums(dv, rows: t, dim: KV, into: params.grad(p + "self_attn.v_proj.bias"))
                }
                Backward.linear(dy: dqkv, x: L.normed1, w: params.value(p + "self_attn.q_proj.weight"), dx: dh,
                                dw: params.grad(p + "self_attn.q_proj.weight"), db: nil, tokens: t, inDim: C, outDim: Q + 2 * KV)
                Backward.rmsNorm(x: L.input, invRms: L.rstd1, w: params.value(p + "input_layernorm.weight"), dy: dh, dx: dx,
                                 dw: params.grad(p + "input_layernorm.weight"), rows: t, dim: C, accumulateDX: true)
            }
        }}}
        b.ids.withUnsafeBufferPointer { ids in
            Backward.embedding(dx: dx, ids: ids.baseAddress!, dTable: params.grad("model.embed_tokens.weight"), tokens: t, dim: C,
                               paddingIdx: Int32(c.padTokenId ?? -1))
        }
    }
}
