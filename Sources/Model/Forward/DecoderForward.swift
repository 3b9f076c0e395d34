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
            capacity: workers * Attention.scratchPerWorker(maxLen: batch.maxLen, headDim: hd, group: c.numHeads / c.numKVHeads))
        defer { attnScratch.deallocate() }
        batch.ids.withUnsafeBufferPointer { idsB in
        batch.positions.withUnsafeBufferPointer { posB in
        batch.cuSeqlens.withUnsafeBufferPointer { cuB in
        batch.prefixLengths.withUnsafeBufferPointer { plB in
        batch.prefixStarts.withUnsafeBufferPointer { psB in
        batch.prefixRows.withUnsafeBufferPointer { prB in
        ropeCos.withUnsafeBufferPointer { cosB in
        ropeSin.withUnsafeBufferPointer { sinB in
            let pos = posB.baseAddress!, cos = cosB.baseAddress!, sin = sinB.baseAddress!
            let prefixes = batch.sharesPrefixes
                ? Attention.SharedPrefixes(lengths: plB.baseAddress!, starts: psB.baseAddress!, rows: prB.baseAddress!) : nil
            Elementwise.gatherRows(table: weights.embed, ids: idsB.baseAddress!, out: cache.layer(0).input, rows: t, dim: h)
            for l in 0..<c.numLayers {
                let w = weights.layers[l]
                let a = cache.layer(l)
                let out = cache.output(ofLayer: l)
                // Attention block. Elementwise passes run over token ranges on the workers.
                let qkvDim = c.qDim + 2 * c.kvDim
                Threads.forRanges(t) { r in
                    let lo = r.lowerBound, n = r.count
                    RMSNorm.forward(x: a.input + lo * h, w: w.inputNorm, y: a.normed1 + lo * h, rstd: a.rstd1 + lo,
                                    rows: n, dim: h, eps: eps)
                }
                // q|k|v in one GEMM (weights adjacent), then split into the contiguous buffers.
                Linear.forward(x: a.normed1, w: w.q, bias: nil, y: cache.qkvRows, rows: t, inDim: h, outDim: qkvDim)
                Threads.forRanges(t) { r in
                    let lo = r.lowerBound, n = r.count
                    let q = a.q + lo * c.qDim, k = a.k + lo * c.kvDim
                    Elementwise.splitColumns(
                        cache.qkvRows + lo * qkvDim, rows: n,
                        parts: [(q, c.qDim, w.qBias), (k, c.kvDim, w.kBias), (a.v + lo * c.kvDim, c.kvDim, w.vBias)])
                    if let qn = w.qNorm, let kn = w.kNorm {
                        if let qRaw = a.qRaw, let kRaw = a.kRaw {
                            (qRaw + lo * c.qDim).update(from: q, count: n * c.qDim)
                            (kRaw + lo * c.kvDim).update(from: k, count: n * c.kvDim)
                        }
                        RMSNorm.forward(x: q, w: qn, y: q, rstd: a.qRstd.map { $0 + lo * c.numHeads }, rows: n * c.numHeads, dim: hd, eps: eps)
                        RMSNorm.forward(x: k, w: kn, y: k, rstd: a.kRstd.map { $0 + lo * c.numKVHeads }, rows: n * c.numKVHeads, dim: hd, eps: eps)
                    }
                    RoPE.forward(x: q, positions: pos + lo, cos: cos, sin: sin, rows: n, heads: c.numHeads, headDim: hd)
                    RoPE.forward(x: k, positions: pos + lo, cos: cos, sin: sin, rows: n, heads: c.numKVHeads, headDim: hd)
                    (a.mid + lo * h).update(from: a.input + lo * h, count: n * h)
                }
                let ta = KernelProfile.enabled ? KernelProfile.now() : 0
                Attention.forward(
                    q: a.q, k: a.k, v: a.v, out: a.attnOut, lse: a.lse, cuSeqlens: cuB.baseAddress!,
                    nSeq: batch.sequenceCount, heads: c.numHeads, kvHeads: c.numKVHeads, headDim: hd,
                    scale: 1 / Float(hd).squareRoot(), scratch: attnScratch, maxLen: batch.maxLen, workers: workers,
                    prefixes: prefixes)
                if KernelProfile.enabled { KernelProfile.attentionSeconds += KernelProfile.now() - ta }
                Linear.forward(x: a.attnOut, w: w.o, bias: w.oBias, y: a.mid, rows: t, inDim: c.qDim, outDim: h, beta: 1)
                // MLP block.
                Threads.forRanges(t) { r in
                    let lo = r.lowerBound, n = r.count
                    RMSNorm.forward(x: a.mid + lo * h, w: w.postNorm, y: a.normed2 + lo * h, rstd: a.rstd2 + lo,
                                    rows: n, dim: h, eps: eps)
                }
                // gate|up in one GEMM (weights adjacent), SwiGLU per row.
                Linear.forward(x: a.normed2, w: w.gate, bias: nil, y: cache.gateUpRows, rows: t, inDim: h, outDim: 2 * inter)
                Threads.forRanges(t) { r in
                    let lo = r.lowerBound, n = r.count
                    if cache.keepAll {
                        Elementwise.splitColumns(cache.gateUpRows + lo * 2 * inter, rows: n,
                                                 parts: [(a.gate + lo * inter, inter, nil), (a.up + lo * inter, inter, nil)])
                    }
                    for i in r {
                        let gu = cache.gateUpRows + i * 2 * inter
                        SwiGLU.forward(gate: gu, up: gu + inter, out: a.act + i * inter, count: inter)
                    }
                    (out + lo * h).update(from: a.mid + lo * h, count: n * h)
                }
                Linear.forward(x: a.act, w: w.down, bias: nil, y: out, rows: t, inDim: inter, outDim: h, beta: 1)
            }
            RMSNorm.forward(x: cache.finalInput, w: weights.finalNorm, y: cache.finalNormed, rstd: cache.finalRstd,
                            rows: t, dim: h, eps: eps)
        } } } } } } } }
        return cache.finalNormed
    }
}
