/// Byte-pair merging of one pre-token, as HF `tokenizers` `Word::merge_all` does: repeatedly
/// merge the adjacent pair with the lowest rank, leftmost first on ties.
/// Reference: https://github.com/huggingface/tokenizers/blob/main/tokenizers/src/models/bpe/word.rs
/// Short words use an array scan (O(n²), tiny n); long words a binary heap over a linked
/// list (O(n log n)). Both give the same result (`naiveMerge` is the test twin).
struct BPEMerger {
    /// Words up to this many bytes use the array scan.
    static let arrayLimit = 64

    // Scratch (grown on demand, never shrunk).
    private var sym: [Int32] = []
    private var rank: [Int32] = []
    private var newID: [Int32] = []
    private var prev: [Int32] = []
    private var next: [Int32] = []
    private var alive: [Bool] = []
    private var heap: [UInt64] = []  // (rank << 32) | pos ; new id checked on pop

    /// Merges the byte ids `ids` (one per input byte, already mapped) and appends the result to `out`.
    mutating func merge(_ ids: UnsafeBufferPointer<Int32>, merges: PairTable, into out: inout [Int32]) {
        let n = ids.count
        if n == 0 { return }
        if n == 1 { out.append(ids[0]); return }
        if n <= BPEMerger.arrayLimit { arrayMerge(ids, merges, &out) } else { heapMerge(ids, merges, &out) }
    }

    private mutating func arrayMerge(_ ids: UnsafeBufferPointer<Int32>, _ merges: PairTable, _ out: inout [Int32]) {
        var m = ids.count
        if sym.count < m { sym = [Int32](repeating: 0, count: m); rank = sym; newID = sym }
        sym.withUnsafeMutableBufferPointer { s in
            rank.withUnsafeMutableBufferPointer { r in
                newID.withUnsafeMutableBufferPointer { nw in
                    for k in 0..<m { s[k] = ids[k] }
                    for k in 0..<(m - 1) {
                        if let g = merges.get(s[k], s[k + 1]) { r[k] = g.rank; nw[k] = g.merged } else { r[k] = .max }
                    }
                    while m > 1 {
                        var best = Int32.max, bk = -1
                        for k in 0..<(m - 1) where r[k] < best { best = r[k]; bk = k }
                        if bk < 0 { break }
                        s[bk] = nw[bk]
                        // remove symbol bk+1 and pair bk
                        var k = bk + 1
                        while k < m - 1 { s[k] = s[k + 1]; k += 1 }
                        k = bk
                        while k < m - 2 { r[k] = r[k + 1]; nw[k] = nw[k + 1]; k += 1 }
                        m -= 1
                        if bk < m - 1 {
                            if let g = merges.get(s[bk], s[bk + 1]) { r[bk] = g.rank; nw[bk] = g.merged } else { r[bk] = .max }
                        }
                        if bk > 0 {
                            if let g = merges.get(s[bk - 1], s[bk]) { r[bk - 1] = g.rank; nw[bk - 1] = g.merged } else { r[bk - 1] = .max }
                        }
                    }
                    for k in 0..<m { out.append(s[k]) }
                }
            }
        }
    }

    private mutating func heapMerge(_ ids: UnsafeBufferPointer<Int32>, _ merges: PairTable, _ out: inout [Int32]) {
        let n = ids.count
        if sym.count < n { sym = [Int32](repeating: 0, count: n); rank = sym; newID = sym }
        if prev.count < n { prev = [Int32](repeating: 0, count: n); next = prev; alive = [Bool](repeating: false, count: n) }
        heap.removeAll(keepingCapacity: true)
        for k in 0..<n {
            sym[k] = ids[k]
            prev[k] = Int32(k - 1)
            next[k] = k + 1 < n ? Int32(k + 1) : -1
            alive[k] = true
        }
        for k in 0..<(n - 1) {
            if let g = merges.get(sym[k], sym[k + 1]) { push(UInt64(UInt32(g.rank)) << 32 | UInt64(k)) }
        }
        while let top = pop() {
            let pos = Int(top & 0xFFFF_FFFF)
            let r = Int32(truncatingIfNeeded: top >> 32)
            guard alive[pos] else { continue }
            let nx = Int(next[pos])
            if nx < 0 { continue }
            // Stale entry: the pair at pos changed since it was pushed.
            guard let g = merges.get(sym[pos], sym[nx]), g.rank == r else { continue }
            sym[pos] = g.merged
            alive[nx] = false
            let nn = next[nx]
            next[pos] = nn
            if nn >= 0 { prev[Int(nn)] = Int32(pos) }
            let pv = Int(prev[pos])
            if pv >= 0, let g2 = merges.get(sym[pv], sym[pos]) { push(UInt64(UInt32(g2.rank)) << 32 | UInt64(pv)) }
            if nn >= 0, let g3 = merges.get(sym[pos], sym[Int(nn)]) { push(UInt64(UInt32(g3.rank)) << 32 | UInt64(pos)) }
        }
        var k = 0
        while k >= 0 { out.append(sym[k]); k = Int(next[k]) }
    }

    private mutating func push(_ v: UInt64) {
        heap.append(v)
        var c = heap.count - 1
        while c > 0 {
            let p = (c - 1) >> 1
            if heap[p] <= heap[c] { break }
            heap.swapAt(p, c)
            c = p
        }
    }

    private mutating func pop() -> UInt64? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return first }
        heap[0] = last
        var c = 0
        let n = heap.count
        while true {
            let l = 2 * c + 1
            if l >= n { break }
            var m = l
            if l + 1 < n && heap[l + 1] < heap[l] { m = l + 1 }
            if heap[c] <= heap[m] { break }
            heap.swapAt(c, m)
            c = m
        }
        return first
    }

    /// Test twin: the plainest possible rank-ordered merge loop.
    static func naiveMerge(_ ids: [Int32], merges: PairTable) -> [Int32] {
        var s = ids
        while s.count > 1 {
            var best = Int32.max, bk = -1
            for k in 0..<(s.count - 1) {
                if let g = merges.get(s[k], s[k + 1]), g.rank < best { best = g.rank; bk = k }
            }
            if bk < 0 { break }
            s[bk] = merges.get(s[bk], s[bk + 1])!.merged
            s.remove(at: bk + 1)
        }
        return s
    }
}
