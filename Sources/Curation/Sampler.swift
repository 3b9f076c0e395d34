import Records

/// Deterministic sampling to N with per-source quotas.
///
/// Algorithm (bottom-k / hash-priority sampling): every record gets the priority
/// `xxh64(id, seed)`; a source with quota q keeps the q records with the smallest
/// priorities (`total` caps records of sources without a quota). Because the priority
/// depends only on (seed, id), the selection is the same whatever the input order,
/// partitioning or streaming: partitions can each keep their bottom-q and a merge keeps
/// the bottom-q of the union. A bounded max-heap per source keeps memory O(q).
/// Reference: https://en.wikipedia.org/wiki/Reservoir_sampling (bottom-k sketches).
public struct Sampler: Sendable {
    public var seed: UInt64
    /// Per-source quotas; sources not listed share `defaultQuota` each (nil = keep all).
    public var quotas: [String: Int]
    public var defaultQuota: Int?
    private var heaps: [String: MaxHeap] = [:]

    public init(seed: UInt64, quotas: [String: Int] = [:], defaultQuota: Int? = nil) {
        self.seed = seed
        self.quotas = quotas
        self.defaultQuota = defaultQuota
    }

    /// Priority of an id under this seed (smaller = chosen first).
    public func priority(id: String) -> UInt64 { XXH64.hash(id, seed: seed) }

    /// Streams one record in. Call `selectedIDs` at the end.
    public mutating func offer(id: String, source: String) {
        guard let q = quotas[source] ?? defaultQuota else {
            heaps[source, default: MaxHeap(capacity: .max)].push(priority(id: id), id)
            return
        }
        guard q > 0 else { return }
        heaps[source, default: MaxHeap(capacity: q)].push(priority(id: id), id)
    }

    /// The chosen ids of every source.
    public var selectedIDs: Set<String> {
        var s = Set<String>()
        for h in heaps.values { for e in h.items { s.insert(e.id) } }
        return s
    }

    /// Two-pass convenience: the chosen records, in input order; the others with
    /// `not_sampled` in `decisions`.
    public static func sample(_ records: [Record], seed: UInt64, quotas: [String: Int], defaultQuota: Int? = nil)
        -> (kept: [Record], decisions: [FilterDecision])
    {
        var s = Sampler(seed: seed, quotas: quotas, defaultQuota: defaultQuota)
        for r in records { s.offer(id: r.id, source: r.source) }
        let chosen = s.selectedIDs
        var kept: [Record] = []
        let decisions: [FilterDecision] = records.map { r in
            if chosen.contains(r.id) { kept.append(r); return .keep }
            return .drop(DropReason("not_sampled", "source \(r.source) over its quota"))
        }
        return (kept, decisions)
    }
}

/// A bounded max-heap on (priority, id): keeps the `capacity` smallest priorities.
/// Ties break on id so the result is a total order.
struct MaxHeap: Sendable {
    var items: [(p: UInt64, id: String)] = []
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    static func less(_ a: (p: UInt64, id: String), _ b: (p: UInt64, id: String)) -> Bool {
        a.p != b.p ? a.p < b.p : a.id < b.id
    }

    mutating func push(_ p: UInt64, _ id: String) {
        let e = (p: p, id: id)
        if items.count < capacity {
            items.append(e)
            var c = items.count - 1
            while c > 0 {
                let parent = (c - 1) / 2
                guard MaxHeap.less(items[parent], items[c]) else { break }
                items.swapAt(parent, c)
                c = parent
            }
        } else if let top = items.first, MaxHeap.less(e, top) {
            items[0] = e
            var c = 0
            while true {
                let l = 2 * c + 1, r = l + 1
                var m = c
                if l < items.count, MaxHeap.less(items[m], items[l]) { m = l }
                if r < items.count, MaxHeap.less(items[m], items[r]) { m = r }
                if m == c { break }
                items.swapAt(c, m)
                c = m
            }
        }
    }
}
