import Foundation
import Kernels

extension CausalLM {
    /// Statistics for positions 1…T−1 of one sequence (entry t describes ids[t+1]).
    /// Ids outside the vocabulary are a `ModelError`; `topK` must be ≥ 1 (clamped to the vocab).
    public func scoreTokens(ids: [Int32], topK: Int = 20) throws -> TokenStats {
        try scoreBatch([ids], topK: topK)[0]
    }

    /// Scores many sequences, packing them into forward passes of at most `tokenBudget`
    /// tokens (a longer sequence runs alone). Results are in input order.
    public func scoreBatch(_ seqs: [[Int32]], topK: Int = 20) throws -> [TokenStats] {
        guard topK >= 1 else {
            throw ModelError("top-K must be at least 1, got \(topK)", at: .init(file: directory ?? "<model>"))
        }
        for (i, s) in seqs.enumerated() { try checkIDs(s, sequence: i) }
        lock.lock()
        defer { lock.unlock() }
        var results = [TokenStats](repeating: TokenStats(), count: seqs.count)
        var group: [Int] = []
        var groupTokens = 0
        func flush() {
            guard !group.isEmpty else { return }
            let stats = scorePacked(group.map { seqs[$0] }, topK: topK)
            for (j, i) in group.enumerated() { results[i] = stats[j] }
            group.removeAll(keepingCapacity: true)
            groupTokens = 0
        }
        for (i, s) in seqs.enumerated() where s.count >= 2 {
            if groupTokens + s.count > tokenBudget { flush() }
            group.append(i)
            groupTokens += s.count
        }
        flush()
        return results
    }

    /// Positions per LM-head chunk: about 8 M logits (32 MB), between 16 and 1024 rows
    /// (larger GEMMs run faster on small vocabularies).
    var effectiveChunkRows: Int {
        if let r = chunkRows { return max(1, r) }
        return max(16, min(1024, (8 << 20) / max(1, config.vocabSize)))
    }

    /// One forward pass over `seqs` packed together, then the LM head and statistics in
    /// chunks of rows that have a next token. Lock held, ids checked.
    func scorePacked(_ seqs: [[Int32]], topK: Int) -> [TokenStats] {
        let batch = PackedBatch(seqs)
        let cache = scratchCache(tokens: batch.tokenCount)
        let hidden = runForward(batch, cache: cache)
        let h = config.hiddenSize, vocab = config.vocabSize
        // Rows with a target: every token but the last of each sequence.
        var rows: [Int32] = []
        var targets: [Int32] = []
        rows.reserveCapacity(batch.tokenCount)
        for s in 0..<batch.sequenceCount {
            let r = batch.range(s)
            for i in r.lowerBound..<(r.upperBound - 1) {
                rows.append(Int32(i))
                targets.append(batch.ids[i + 1])
            }
        }
        let n = rows.count
        var lp = [Float](repeating: 0, count: n), ent = lp, tke = lp, elp = lp
        var eid = [Int32](repeating: 0, count: n)
        let chunk = effectiveChunkRows
        let need = chunk * (vocab + h)
        if chunkBufferCount < need {
            chunkBuffer?.deallocate()
            chunkBuffer = .allocate(capacity: need)
            chunkBufferCount = need
        }
        let logits = chunkBuffer!, gathered = logits + chunk * vocab
        let workers = Threads.workers
        let k = min(topK, vocab)
        let heaps = UnsafeMutablePointer<Float>.allocate(capacity: workers * k)
        defer { heaps.deallocate() }
        lp.withUnsafeMutableBufferPointer { lpB in
        ent.withUnsafeMutableBufferPointer { entB in
        tke.withUnsafeMutableBufferPointer { tkeB in
        elp.withUnsafeMutableBufferPointer { elpB in
        eid.withUnsafeMutableBufferPointer { eidB in
            let lpP = lpB.baseAddress!, entP = entB.baseAddress!, tkeP = tkeB.baseAddress!
            let elpP = elpB.baseAddress!, eidP = eidB.baseAddress!
            var start = 0
            while start < n {
                let m = min(chunk, n - start)
                for j in 0..<m {
                    (gathered + j * h).update(from: hidden + Int(rows[start + j]) * h, count: h)
                }
                // logits (m, V) = gathered (m, H) · lm_head (V, H)ᵀ
                Linear.forward(x: gathered, w: weights.lmHead, bias: nil, y: logits, rows: m, inDim: h, outDim: vocab)
                let base = start
                let ts = KernelProfile.enabled ? KernelProfile.now() : 0
                defer { if KernelProfile.enabled { KernelProfile.statsSeconds += KernelProfile.now() - ts } }
                targets.withUnsafeBufferPointer { tg in
                    Threads.parallel(min(workers, m)) { wkr in
                        let heap = heaps + wkr * k
                        for j in Threads.range(wkr, of: min(workers, m), count: m) {
                            let r = DistributionStats.row(
                                logits: logits + j * vocab, vocab: vocab, target: Int(tg[base + j]), k: k, heap: heap)
                            lpP[base + j] = r.logprob
                            entP[base + j] = r.entropy
                            tkeP[base + j] = r.topkEntropy
                            eidP[base + j] = r.argmax
                            elpP[base + j] = r.argmaxLogprob
                        }
                    }
                }
                start += m
            }
        } } } } }
        let lnK = Float(Foundation.log(Double(k)))
        var out: [TokenStats] = []
        var off = 0
        for s in 0..<batch.sequenceCount {
            let len = max(0, batch.range(s).count - 1)
            let r = off..<(off + len)
            let tk = Array(tke[r])
            out.append(TokenStats(logprob: Array(lp[r]), entropy: Array(ent[r]), topkEntropy: tk,
                                  gate: k > 1 ? tk.map { $0 / lnK } : tk.map { _ in 0 },
                                  expectedID: Array(eid[r]), expectedLogprob: Array(elp[r])))
            off += len
        }
        return out
    }
}
