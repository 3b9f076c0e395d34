import Foundation
import Kernels

extension CausalLM {
    /// The decoder stack over a packed batch (ids already checked, lock held): embeddings,
    /// per layer [RMSNorm → q/k/v (+bias) → (Qwen3 q/k norm) → RoPE → causal GQA attention →
    /// o_proj + residual → RMSNorm → SwiGLU MLP + residual], final RMSNorm.
    /// Reference: https://github.com/huggingface/transformers/blob/main/src/transformers/models/llama/modeling_llama.py ,
    /// .../qwen2/modeling_qwen2.py, .../qwen3/modeling_qwen3.py
    /// Returns `cache.finalNormed` (T, H).
    func runForward(_ batch: PackedBatch, cache: ForwardCache) -> UnsafeMutablePointer<Float> {
        let c = config
        let t = batch.tokenCount
        let h = c.hiddenSize, inter = c.intermediateSize, hd = c.headDim
        let eps = Float(c.rmsNormEps)
        ensureRope(positions: batch.maxLen)
        let workers = Threads.workers
        let attnScratch = UnsafeMutablePointer<Float>.allocate(
            capacity: workers * Attention.scratchPerWorker(maxLen: batch.maxLen))
        defer { attnScratch.deallocate() }
        batch.ids.withUnsafeBufferPointer { idsB in
        batch.positions.withUnsafeBufferPointer { posB in
        batch.cuSeqlens.withUnsafeBufferPointer { cuB in
        ropeCos.withUnsafeBufferPointer { cosB in
        ropeSin.withUnsafeBufferPointer { sinB in
            let pos = posB.baseAddress!, cos = cosB.baseAddress!, sin = sinB.baseAddress!
            Elementwise.gatherRows(table: weights.embed, ids: idsB.baseAddress!, out: cache.layer(0).input, rows: t, dim: h)
            for l in 0..<c.numLayers {
                let w = weights.layers[l]
                let a = cache.layer(l)
                let out = cache.output(ofLayer: l)
                // Attention block.
                RMSNorm.forward(x: a.input, w: w.inputNorm, y: a.normed1, rstd: a.rstd1, rows: t, dim: h, eps: eps)
                // q|k|v in one GEMM (weights adjacent), then split into the contiguous buffers.
                let qkvDim = c.qDim + 2 * c.kvDim
                Linear.forward(x: a.normed1, w: w.q, bias: nil, y: cache.qkvRows, rows: t, inDim: h, outDim: qkvDim)
                Elementwise.splitColumns(
                    cache.qkvRows, rows: t, parts: [(a.q, c.qDim, w.qBias), (a.k, c.kvDim, w.kBias), (a.v, c.kvDim, w.vBias)])
                if let qn = w.qNorm, let kn = w.kNorm {
                    if let qRaw = a.qRaw, let kRaw = a.kRaw {
                        qRaw.update(from: a.q, count: t * c.qDim)
                        kRaw.update(from: a.k, count: t * c.kvDim)
                    }
                    RMSNorm.forward(x: a.q, w: qn, y: a.q, rstd: a.qRstd, rows: t * c.numHeads, dim: hd, eps: eps)
                    RMSNorm.forward(x: a.k, w: kn, y: a.k, rstd: a.kRstd, rows: t * c.numKVHeads, dim: hd, eps: eps)
                }
                RoPE.forward(x: a.q, positions: pos, cos: cos, sin: sin, rows: t, heads: c.numHeads, headDim: hd)
                RoPE.forward(x: a.k, positions: pos, cos: cos, sin: sin, rows: t, heads: c.numKVHeads, headDim: hd)
                let ta = KernelProfile.enabled ? KernelProfile.now() : 0
                Attention.forward(
                    q: a.q, k: a.k, v: a.v, out: a.attnOut, lse: a.lse, cuSeqlens: cuB.baseAddress!,
                    nSeq: batch.sequenceCount, heads: c.numHeads, kvHeads: c.numKVHeads, headDim: hd,
                    scale: 1 / Float(hd).squareRoot(), scratch: attnScratch, maxLen: batch.maxLen, workers: workers)
                if KernelProfile.enabled { KernelProfile.attentionSeconds += KernelProfile.now() - ta }
                a.mid.update(from: a.input, count: t * h)
                Linear.forward(x: a.attnOut, w: w.o, bias: w.oBias, y: a.mid, rows: t, inDim: c.qDim, outDim: h, beta: 1)
                // MLP block.
                RMSNorm.forward(x: a.mid, w: w.postNorm, y: a.normed2, rstd: a.rstd2, rows: t, dim: h, eps: eps)
                // gate|up in one GEMM (weights adjacent), SwiGLU per row.
                Linear.forward(x: a.normed2, w: w.gate, bias: nil, y: cache.gateUpRows, rows: t, inDim: h, outDim: 2 * inter)
                if cache.keepAll {
                    Elementwise.splitColumns(cache.gateUpRows, rows: t, parts: [(a.gate, inter, nil), (a.up, inter, nil)])
                }
                for r in 0..<t {
                    let gu = cache.gateUpRows + r * 2 * inter
                    SwiGLU.forward(gate: gu, up: gu + inter, out: a.act + r * inter, count: inter)
                }
                out.update(from: a.mid, count: t * h)
                Linear.forward(x: a.act, w: w.down, bias: nil, y: out, rows: t, inDim: inter, outDim: h, beta: 1)
            }
            RMSNorm.forward(x: cache.finalInput, w: weights.finalNorm, y: cache.finalNormed, rstd: cache.finalRstd,
                            rows: t, dim: h, eps: eps)
        } } } } }
        return cache.finalNormed
    }
}
