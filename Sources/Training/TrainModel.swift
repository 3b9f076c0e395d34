import Foundation
import Kernels

/// A decoder-only transformer (Llama / Qwen2 / Qwen3) with a training forward that keeps the
/// activations its backward needs, and a backward that accumulates parameter gradients.
/// Maths follow HF transformers 5.23 (`modeling_llama.py`, `modeling_qwen2.py`, `modeling_qwen3.py`).
/// The LM head and loss live in `LossHead` (chunked, so full logits never exist).
public final class TrainModel: @unchecked Sendable {
    public let config: TrainModelConfig
    public let params: ParamStore
    var ws = Workspace()
    var cosTable: [Float] = []
    var sinTable: [Float] = []
    var ropeLen = 0

    public init(config: TrainModelConfig) {
        self.config = config
        self.params = ParamStore(shapes: config.parameterShapes)
    }

    /// Loads `config.json` + `model.safetensors` from an HF model folder.
    public static func load(directory: String) throws -> TrainModel {
        let cpath = (directory as NSString).appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: cpath) else { throw TrainError("cannot read config.json", at: cpath) }
        let model = TrainModel(config: try TrainModelConfig.parse(data, path: cpath))
        let wpath = (directory as NSString).appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: wpath) else {
            throw TrainError("model.safetensors not found", at: directory, hint: "sharded checkpoints are not supported by the trainer yet")
        }
        try model.params.load(from: try TensorFile(path: wpath))
        return model
    }

    /// The LM-head weight (the embedding when tied). `// (V, C)`
    public var headWeight: UnsafeMutablePointer<Float> { params.value(config.tied ? "model.embed_tokens.weight" : "lm_head.weight") }
    public var headGrad: UnsafeMutablePointer<Float> { params.grad(config.tied ? "model.embed_tokens.weight" : "lm_head.weight") }

    func ensureRope(_ n: Int) {
        if n <= ropeLen { return }
        let half = config.headDim / 2
        let len = max(n, 256)
        cosTable = [Float](repeating: 0, count: len * half)
        sinTable = [Float](repeating: 0, count: len * half)
        for i in 0..<half {
            // transformers: inv_freq = 1 / theta^(arange(0, d, 2)/d) in float32; angle = pos·inv_freq in float32.
            let invFreq = Float(1) / powf(Float(config.ropeTheta), Float(2 * i) / Float(config.headDim))
            for p in 0..<len {
                let a = Float(p) * invFreq
                cosTable[p * half + i] = cosf(a)
                sinTable[p * half + i] = sinf(a)
            }
        }
        ropeLen = len
    }

    /// Forward over a packed batch; returns the final-norm hidden states `(T, C)` (valid until the next call).
    @discardableResult
    public func forward(_ b: PackedBatch) -> UnsafeMutablePointer<Float> {
        let c = config, t = b.tokenCount
        ws.reserve(config: c, tokens: t, maxLen: b.maxLen)
        ensureRope(b.maxLen)
        let C = c.hidden, Q = c.heads * c.headDim, KV = c.kvHeads * c.headDim, I = c.intermediate
        let scale = Float(1) / Float(c.headDim).squareRoot()
        b.ids.withUnsafeBufferPointer { ids in
        b.positions.withUnsafeBufferPointer { pos in
        b.seqStarts.withUnsafeBufferPointer { starts in
        cosTable.withUnsafeBufferPointer { cosT in
        sinTable.withUnsafeBufferPointer { sinT in
            TrainKernels.embed(ids: ids.baseAddress!, table: params.value("model.embed_tokens.weight"), out: ws.layers[0].xIn, tokens: t, dim: C)
            for l in 0..<c.layers {
                let L = ws.layers[l], p = "model.layers.\(l)."
                TrainKernels.rmsNorm(x: L.xIn, w: params.value(p + "input_layernorm.weight"), eps: c.eps, y: L.h1, invRms: L.r1, rows: t, dim: C)
                TrainKernels.linear(x: L.h1, w: params.value(p + "self_attn.q_proj.weight"), b: c.qkvBias ? params.value(p + "self_attn.q_proj.bias") : nil, y: L.qRaw, tokens: t, inDim: C, outDim: Q)
                TrainKernels.linear(x: L.h1, w: params.value(p + "self_attn.k_proj.weight"), b: c.qkvBias ? params.value(p + "self_attn.k_proj.bias") : nil, y: L.kRaw, tokens: t, inDim: C, outDim: KV)
                TrainKernels.linear(x: L.h1, w: params.value(p + "self_attn.v_proj.weight"), b: c.qkvBias ? params.value(p + "self_attn.v_proj.bias") : nil, y: L.v, tokens: t, inDim: C, outDim: KV)
                if c.qkNorm {
                    TrainKernels.rmsNorm(x: L.qRaw, w: params.value(p + "self_attn.q_norm.weight"), eps: c.eps, y: L.q, invRms: L.rq, rows: t * c.heads, dim: c.headDim)
                    TrainKernels.rmsNorm(x: L.kRaw, w: params.value(p + "self_attn.k_norm.weight"), eps: c.eps, y: L.k, invRms: L.rk, rows: t * c.kvHeads, dim: c.headDim)
                } else {
                    L.q.update(from: L.qRaw, count: t * Q)
                    L.k.update(from: L.kRaw, count: t * KV)
                }
                TrainKernels.rope(L.q, positions: pos.baseAddress!, cos: cosT.baseAddress!, sin: sinT.baseAddress!, tokens: t, heads: c.heads, headDim: c.headDim)
                TrainKernels.rope(L.k, positions: pos.baseAddress!, cos: cosT.baseAddress!, sin: sinT.baseAddress!, tokens: t, heads: c.kvHeads, headDim: c.headDim)
                TrainKernels.attention(q: L.q, k: L.k, v: L.v, out: L.o, lse: L.lse, seqStarts: starts.baseAddress!, seqCount: b.sequenceCount,
                                       tokens: t, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim, scale: scale, scratch: ws.scratchA)
                // xMid = xIn + o·Woᵀ
                L.xMid.update(from: L.xIn, count: t * C)
                TrainKernels.linear(x: L.o, w: params.value(p + "self_attn.o_proj.weight"), b: nil, y: L.xMid, tokens: t, inDim: Q, outDim: C, accumulate: true)
                if c.oBias { let ob = params.value(p + "self_attn.o_proj.bias"); for r in 0..<t { for j in 0..<C { L.xMid[r * C + j] += ob[j] } } }
                TrainKernels.rmsNorm(x: L.xMid, w: params.value(p + "post_attention_layernorm.weight"), eps: c.eps, y: L.h2, invRms: L.r2, rows: t, dim: C)
                TrainKernels.linear(x: L.h2, w: params.value(p + "mlp.gate_proj.weight"), b: nil, y: L.a, tokens: t, inDim: C, outDim: I)
                TrainKernels.linear(x: L.h2, w: params.value(p + "mlp.up_proj.weight"), b: nil, y: L.b, tokens: t, inDim: C, outDim: I)
                TrainKernels.swiglu(a: L.a, b: L.b, m: L.m, count: t * I)
                let next = ws.layers[l + 1].xIn
                next.update(from: L.xMid, count: t * C)
                TrainKernels.linear(x: L.m, w: params.value(p + "mlp.down_proj.weight"), b: nil, y: next, tokens: t, inDim: I, outDim: C, accumulate: true)
            }
            TrainKernels.rmsNorm(x: ws.layers[c.layers].xIn, w: params.value("model.norm.weight"), eps: c.eps, y: ws.hFinal, invRms: ws.rFinal, rows: t, dim: C)
        }}}}}
        return ws.hFinal
    }

    /// Backward from `dHidden` (gradient w.r.t. the final-norm output, `(T, C)`) after `forward(b)`.
    /// Adds into `params.grads` (the LM-head contribution is added by `LossHead`).
    public func backward(_ b: PackedBatch, dHidden: UnsafePointer<Float>) {
        let c = config, t = b.tokenCount
        let C = c.hidden, Q = c.heads * c.headDim, KV = c.kvHeads * c.headDim, I = c.intermediate
        let scale = Float(1) / Float(c.headDim).squareRoot()
        let dx = ws.dx, dh = ws.dh
        Backward.rmsNorm(x: ws.layers[c.layers].xIn, invRms: ws.rFinal, w: params.value("model.norm.weight"), dy: dHidden, dx: dx,
                         dw: params.grad("model.norm.weight"), rows: t, dim: C)
        b.positions.withUnsafeBufferPointer { pos in
        b.seqStarts.withUnsafeBufferPointer { starts in
        cosTable.withUnsafeBufferPointer { cosT in
        sinTable.withUnsafeBufferPointer { sinT in
            for l in stride(from: c.layers - 1, through: 0, by: -1) {
                let L = ws.layers[l], p = "model.layers.\(l)."
                // MLP: next = xMid + down(silu(a)·b)
                Backward.linear(dy: dx, x: L.m, w: params.value(p + "mlp.down_proj.weight"), dx: ws.dm, dw: params.grad(p + "mlp.down_proj.weight"), db: nil, tokens: t, inDim: I, outDim: C)
                Backward.swiglu(a: L.a, b: L.b, dm: ws.dm, da: ws.da, db: ws.db, count: t * I)
                Backward.linear(dy: ws.da, x: L.h2, w: params.value(p + "mlp.gate_proj.weight"), dx: dh, dw: params.grad(p + "mlp.gate_proj.weight"), db: nil, tokens: t, inDim: C, outDim: I)
                Backward.linear(dy: ws.db, x: L.h2, w: params.value(p + "mlp.up_proj.weight"), dx: dh, dw: params.grad(p + "mlp.up_proj.weight"), db: nil, tokens: t, inDim: C, outDim: I, accumulateDX: true)
                Backward.rmsNorm(x: L.xMid, invRms: L.r2, w: params.value(p + "post_attention_layernorm.weight"), dy: dh, dx: dx,
                                 dw: params.grad(p + "post_attention_layernorm.weight"), rows: t, dim: C, accumulateDX: true)
                // Attention: xMid = xIn + o_proj(attn)
                if c.oBias { let g = params.grad(p + "self_attn.o_proj.bias"); for r in 0..<t { for j in 0..<C { g[j] += dx[r * C + j] } } }
                Backward.linear(dy: dx, x: L.o, w: params.value(p + "self_attn.o_proj.weight"), dx: ws.dO, dw: params.grad(p + "self_attn.o_proj.weight"), db: nil, tokens: t, inDim: Q, outDim: C)
                Backward.attention(q: L.q, k: L.k, v: L.v, lse: L.lse, dOut: ws.dO, dq: ws.dq, dk: ws.dk, dv: ws.dv,
                                   seqStarts: starts.baseAddress!, seqCount: b.sequenceCount, tokens: t, heads: c.heads, kvHeads: c.kvHeads,
                                   headDim: c.headDim, scale: scale, scratchP: ws.scratchA, scratchDP: ws.scratchB)
                Backward.rope(ws.dq, positions: pos.baseAddress!, cos: cosT.baseAddress!, sin: sinT.baseAddress!, tokens: t, heads: c.heads, headDim: c.headDim)
                Backward.rope(ws.dk, positions: pos.baseAddress!, cos: cosT.baseAddress!, sin: sinT.baseAddress!, tokens: t, heads: c.kvHeads, headDim: c.headDim)
                if c.qkNorm {
                    Backward.rmsNorm(x: L.qRaw, invRms: L.rq, w: params.value(p + "self_attn.q_norm.weight"), dy: ws.dq, dx: ws.dq,
                                     dw: params.grad(p + "self_attn.q_norm.weight"), rows: t * c.heads, dim: c.headDim)
                    Backward.rmsNorm(x: L.kRaw, invRms: L.rk, w: params.value(p + "self_attn.k_norm.weight"), dy: ws.dk, dx: ws.dk,
                                     dw: params.grad(p + "self_attn.k_norm.weight"), rows: t * c.kvHeads, dim: c.headDim)
                }
                let bias = c.qkvBias
                Backward.linear(dy: ws.dq, x: L.h1, w: params.value(p + "self_attn.q_proj.weight"), dx: dh, dw: params.grad(p + "self_attn.q_proj.weight"),
                                db: bias ? params.grad(p + "self_attn.q_proj.bias") : nil, tokens: t, inDim: C, outDim: Q)
                Backward.linear(dy: ws.dk, x: L.h1, w: params.value(p + "self_attn.k_proj.weight"), dx: dh, dw: params.grad(p + "self_attn.k_proj.weight"),
                                db: bias ? params.grad(p + "self_attn.k_proj.bias") : nil, tokens: t, inDim: C, outDim: KV, accumulateDX: true)
                Backward.linear(dy: ws.dv, x: L.h1, w: params.value(p + "self_attn.v_proj.weight"), dx: dh, dw: params.grad(p + "self_attn.v_proj.weight"),
                                db: bias ? params.grad(p + "self_attn.v_proj.bias") : nil, tokens: t, inDim: C, outDim: KV, accumulateDX: true)
                Backward.rmsNorm(x: L.xIn, invRms: L.r1, w: params.value(p + "input_layernorm.weight"), dy: dh, dx: dx,
                                 dw: params.grad(p + "input_layernorm.weight"), rows: t, dim: C, accumulateDX: true)
            }
        }}}}
        b.ids.withUnsafeBufferPointer { ids in
            Backward.embedding(dx: dx, ids: ids.baseAddress!, dTable: params.grad("model.embed_tokens.weight"), tokens: t, dim: C,
                               paddingIdx: Int32(c.padTokenId ?? -1))
        }
    }
}
