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

    /// One forward pass over `seqs` packed together (sharing prefixes when `sharePrefixes`),
    /// then the LM head and statistics in chunks of rows that have a next token. Lock held, ids
    /// checked. An entry inside a shared prefix is the parent's entry (same tokens up to and
    /// including the label); the entry just after the prefix is computed from the parent's
    /// hidden row with this sequence's own label.
    func scorePacked(_ seqs: [[TokenID]], topK: Int) -> [TokenStats] {
        let batch = PackedBatch(seqs, sharingPrefixes: sharePrefixes)
        let cache = scratchCache(tokens: batch.tokenCount)
        let hidden = runForward(batch, cache: cache)
        computedTokens += batch.tokenCount
        let h = config.hiddenSize, vocab = config.vocabSize
        // Output entries in logical layout: sequence s at starts[s] ..< starts[s] + count.
        var starts: [Int] = [], total = 0
        starts.reserveCapacity(seqs.count)
        for q in seqs { starts.append(total); total += q.count }
        // One job per computed entry: the hidden row it reads, its label and its output entry.
        var rows: [Int32] = [], targets: [TokenID] = [], entries: [Int32] = []
        rows.reserveCapacity(batch.tokenCount + seqs.count)
        targets.reserveCapacity(rows.capacity)
        entries.reserveCapacity(rows.capacity)
        for (s, q) in seqs.enumerated() where q.count >= 2 {
            for e in max(1, Int(batch.prefixLengths[s]))..<q.count {
                rows.append(Int32(batch.row(sequence: s, position: e - 1)))
                targets.append(q[e])
                entries.append(Int32(starts[s] + e))
            }
        }
        var packed = TokenStats(count: total, entropy: true, expected: true)
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
            entries[start..<(start + m)].withUnsafeBufferPointer { e in
                targets[start..<(start + m)].withUnsafeBufferPointer { t in
                    Self.rowStatistics(logits: logits, entries: e, targets: t, vocab: vocab, topK: topK, into: &packed)
                }
            }
            if KernelProfile.enabled { KernelProfile.statsSeconds += KernelProfile.now() - ts }
            start += m
        }
        // Entries inside a shared prefix: the parent's (parents come first, so already final).
        for s in seqs.indices where batch.parents[s] >= 0 {
            let p = Int(batch.parents[s])
            packed.copyEntries(from: starts[p] + 1, to: starts[s] + 1, count: Int(batch.prefixLengths[s]) - 1)
        }
        return seqs.indices.map { s in packed.slice(starts[s]..<(starts[s] + seqs[s].count)) }
    }

    /// Statistics of one sequence from its full logits (T × V, as `logits(ids:)` returns):
    /// the numbers `scoreTokens` computes from these logits (the same `rowStatistics`).
    public static func tokenStats(logits: [Float], ids: [TokenID], vocab: Int, topK: Int) -> TokenStats {
        precondition(logits.count == ids.count * vocab, "logits must be T × V")
        var out = TokenStats(count: ids.count, entropy: true, expected: true)
        guard ids.count >= 2 else { return out }
        let entries = (1..<Int32(ids.count)).map { $0 }
        logits.withUnsafeBufferPointer { lg in
            entries.withUnsafeBufferPointer { e in
                ids[1...].withUnsafeBufferPointer { t in
                    // Row i of the full matrix predicts entry i + 1.
                    rowStatistics(logits: lg.baseAddress!, entries: e, targets: t, vocab: vocab, topK: topK, into: &out)
                }
            }
        }
        return out
    }

    /// The EAFT row kernel over a chunk: logits row j (`logits + j·V`) has label `targets[j]`;
    /// its statistics go to entry `entries[j]` of `out`. Rows are split over `Threads.workers`
    /// (each with its own top-K heap); each entry is written by exactly one worker, so results
    /// do not depend on the thread count.
    static func rowStatistics(logits: UnsafePointer<Float>, entries: UnsafeBufferPointer<Int32>,
                              targets: UnsafeBufferPointer<TokenID>, vocab: Int, topK: Int, into out: inout TokenStats) {
        let m = entries.count
        guard m > 0 else { return }
        let k = max(1, min(topK, vocab))
        let workers = min(Threads.workers, m)
        let heaps = UnsafeMutablePointer<Float>.allocate(capacity: workers * k)
        defer { heaps.deallocate() }
        // The optional columns move out while written (no copy-on-write) and back afterwards.
        var expectedID = out.expectedID!, entropy = out.entropy!, expectedLogprob = out.expectedLogprob!
        out.expectedID = nil; out.entropy = nil; out.expectedLogprob = nil
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
                    let e = Int(entries[j])
                    let r = DistributionStats.row(logits: logits + j * vocab, vocab: vocab, target: Int(targets[j]), k: k, heap: heap)
                    lp[e] = r.logprob
                    g[e] = r.gate
                    tk[e] = r.topKEntropy
                    ent[e] = r.entropy
                    eid[e] = r.argmax
                    elp[e] = r.argmaxLogprob
                }
            }
        } } } } } }
        out.entropy = entropy; out.expectedID = expectedID; out.expectedLogprob = expectedLogprob
    }
}

extension TokenStats {
    /// Copies `count` entries of every column from `from...` to `to...` (ranges must not overlap).
    mutating func copyEntries(from: Int, to: Int, count: Int) {
        guard count > 0 else { return }
        func move<T>(_ a: inout [T]) {
            for i in 0..<count { a[to + i] = a[from + i] }
        }
        move(&logprob); move(&gate); move(&topKEntropy)
        if entropy != nil { move(&entropy!) }
        if expectedID != nil { move(&expectedID!) }
        if expectedLogprob != nil { move(&expectedLogprob!) }
    }

    /// Entries `r` of every column (the statistics of one sequence of a packed batch).
    func slice(_ r: Range<Int>) -> TokenStats {
        TokenStats(logprob: Array(logprob[r]), gate: Array(gate[r]), topKEntropy: Array(topKEntropy[r]),
                   entropy: entropy.map { Array($0[r]) }, expectedID: expectedID.map { Array($0[r]) },
                   expectedLogprob: expectedLogprob.map { Array($0[r]) })
    }
}
