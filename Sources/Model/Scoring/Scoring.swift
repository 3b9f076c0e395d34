import DataIO
import Foundation
import Kernels
import Records

extension CausalLM {
    /// Statistics of one sequence in the shard convention: T entries for T ids, entry t
    /// describes ids[t] given ids[..<t], entry 0 is 0. Ids outside the vocabulary are a
    /// `ModelError`; `topK` must be ≥ 1 (clamped to the vocab).
    public func scoreTokens(ids: [TokenID], topK: Int = 20) throws -> TokenStats {
        try scoreBatch([ids], topK: topK)[0]
    }

    /// Scores many sequences, packing them into forward passes of at most `tokenBudget`
    /// tokens (a longer sequence runs alone). Results are in input order, T entries each.
    public func scoreBatch(_ seqs: [[TokenID]], topK: Int = 20) throws -> [TokenStats] {
        guard topK >= 1 else {
            throw ModelError("top-K must be at least 1, got \(topK)", at: .init(file: directory ?? "<model>"))
        }
        for (i, s) in seqs.enumerated() { try checkIDs(s, sequence: i) }
        lock.lock()
        defer { lock.unlock() }
        var results = seqs.map { TokenStats(count: $0.count, entropy: true, expected: true) }
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
    func scorePacked(_ seqs: [[TokenID]], topK: Int) -> [TokenStats] {
        let batch = PackedBatch(seqs)
        let cache = scratchCache(tokens: batch.tokenCount)
        let hidden = runForward(batch, cache: cache)
        let h = config.hiddenSize, vocab = config.vocabSize
        // Rows with a label: every token but the last of each sequence; row i's statistics go
        // to entry i + 1 (the label's position) of the packed columns.
        var rows: [Int32] = []
        rows.reserveCapacity(batch.tokenCount)
        for s in 0..<batch.sequenceCount {
            let r = batch.range(s)
            for i in r.lowerBound..<(r.upperBound - 1) { rows.append(Int32(i)) }
        }
        var packed = TokenStats(count: batch.tokenCount, entropy: true, expected: true)
        let chunk = effectiveChunkRows
        let need = chunk * (vocab + h)
        if chunkBufferCount < need {
            chunkBuffer?.deallocate()
            chunkBuffer = .allocate(capacity: need)
            chunkBufferCount = need
        }
        let logits = chunkBuffer!, gathered = logits + chunk * vocab
        var start = 0
        while start < rows.count {
            let m = min(chunk, rows.count - start)
            for j in 0..<m {
                (gathered + j * h).update(from: hidden + Int(rows[start + j]) * h, count: h)
            }
            // logits (m, V) = gathered (m, H) · lm_head (V, H)ᵀ
            Linear.forward(x: gathered, w: weights.lmHead, bias: nil, y: logits, rows: m, inDim: h, outDim: vocab)
            let ts = KernelProfile.enabled ? KernelProfile.now() : 0
            rows[start..<(start + m)].withUnsafeBufferPointer { r in
                Self.rowStatistics(logits: logits, rows: r, vocab: vocab, ids: batch.ids, topK: topK, into: &packed)
            }
            if KernelProfile.enabled { KernelProfile.statsSeconds += KernelProfile.now() - ts }
            start += m
        }
        return (0..<batch.sequenceCount).map { s in packed.slice(batch.range(s)) }
    }

    /// Statistics of one sequence from its full logits (T × V, as `logits(ids:)` returns):
    /// the numbers `scoreTokens` computes from these logits (the same `rowStatistics`).
    public static func tokenStats(logits: [Float], ids: [TokenID], vocab: Int, topK: Int) -> TokenStats {
        precondition(logits.count == ids.count * vocab, "logits must be T × V")
        var out = TokenStats(count: ids.count, entropy: true, expected: true)
        let rows = (0..<Int32(max(0, ids.count - 1))).map { $0 }
        logits.withUnsafeBufferPointer { lg in
            rows.withUnsafeBufferPointer { r in
                // Row i's logits sit at row i of the full matrix; `rowStatistics` reads them
                // from `logits + j·V` for the j-th listed row, here j = i.
                rowStatistics(logits: lg.baseAddress!, rows: r, vocab: vocab, ids: ids, topK: topK, into: &out)
            }
        }
        return out
    }

    /// The EAFT row kernel over a chunk: logits row j (`logits + j·V`) is position `rows[j]`,
    /// whose label is `ids[rows[j] + 1]`; its statistics go to entry `rows[j] + 1` of `out`.
    /// Rows are split over `Threads.workers` (each with its own top-K heap); each entry is
    /// written by exactly one worker, so results do not depend on the thread count.
    static func rowStatistics(logits: UnsafePointer<Float>, rows: UnsafeBufferPointer<Int32>, vocab: Int, ids: [TokenID],
                              topK: Int, into out: inout TokenStats) {
        let m = rows.count
        guard m > 0 else { return }
        let k = max(1, min(topK, vocab))
        let workers = min(Threads.workers, m)
        let heaps = UnsafeMutablePointer<Float>.allocate(capacity: workers * k)
        defer { heaps.deallocate() }
        // The optional columns move out while written (no copy-on-write) and back afterwards.
        var expectedID = out.expectedID!, entropy = out.entropy!, expectedLogprob = out.expectedLogprob!
        out.expectedID = nil; out.entropy = nil; out.expectedLogprob = nil
        ids.withUnsafeBufferPointer { tg in
        out.logprob.withUnsafeMutableBufferPointer { lpB in
        out.gate.withUnsafeMutableBufferPointer { gB in
        out.topKEntropy.withUnsafeMutableBufferPointer { tkB in
        entropy.withUnsafeMutableBufferPointer { entB in
        expectedID.withUnsafeMutableBufferPointer { eidB in
        expectedLogprob.withUnsafeMutableBufferPointer { elpB in
            let lp = lpB.baseAddress!, g = gB.baseAddress!, tk = tkB.baseAddress!, ent = entB.baseAddress!
            let eid = eidB.baseAddress!, elp = elpB.baseAddress!
            Threads.parallel(workers) { wkr in
                let heap = heaps + wkr * k
                for j in Threads.range(wkr, of: workers, count: m) {
                    let e = Int(rows[j]) + 1
                    let r = DistributionStats.row(logits: logits + j * vocab, vocab: vocab, target: Int(tg[e]), k: k, heap: heap)
                    lp[e] = r.logprob
                    g[e] = r.gate
                    tk[e] = r.topKEntropy
                    ent[e] = r.entropy
                    eid[e] = r.argmax
                    elp[e] = r.argmaxLogprob
                }
            }
        } } } } } } }
        out.entropy = entropy; out.expectedID = expectedID; out.expectedLogprob = expectedLogprob
    }
}

extension TokenStats {
    /// Entries `r` of every column (the statistics of one sequence of a packed batch).
    func slice(_ r: Range<Int>) -> TokenStats {
        TokenStats(logprob: Array(logprob[r]), gate: Array(gate[r]), topKEntropy: Array(topKEntropy[r]),
                   entropy: entropy.map { Array($0[r]) }, expectedID: expectedID.map { Array($0[r]) },
                   expectedLogprob: expectedLogprob.map { Array($0[r]) })
    }
}
