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
    private var heaps: [String: BottomK<SamplerKey, Void>] = [:]

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
            heaps[source, default: BottomK(capacity: .max)].offer(SamplerKey(p: priority(id: id), id: id), ())
            return
        }
        guard q > 0 else { return }
        heaps[source, default: BottomK(capacity: q)].offer(SamplerKey(p: priority(id: id), id: id), ())
    }

    /// The chosen ids of every source.
    public var selectedIDs: Set<String> {
        var s = Set<String>()
        for h in heaps.values { for e in h.items { s.insert(e.key.id) } }
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

/// Keeps the `capacity` elements with the smallest keys seen (a bounded max-heap: O(capacity)
/// memory, O(log capacity) per offer). Keys must be a total order (ties broken inside the key),
/// so the kept set does not depend on the order of the offers.
/// Reference: https://en.wikipedia.org/wiki/Reservoir_sampling (bottom-k sketches).
public struct BottomK<Key: Comparable, Value> {
    public private(set) var items: [(key: Key, value: Value)] = []
    /// Offers that were not kept or pushed out later.
    public private(set) var evicted = 0
    public let capacity: Int

    public init(capacity: Int) { self.capacity = max(0, capacity) }

    public mutating func offer(_ key: Key, _ value: Value) {
        if items.count < capacity {
            items.append((key, value))
            var c = items.count - 1
            while c > 0 {
                let parent = (c - 1) / 2
                guard items[parent].key < items[c].key else { break }
                items.swapAt(parent, c)
                c = parent
            }
            return
        }
        evicted += 1
        guard let top = items.first, key < top.key else { return }
        items[0] = (key, value)
        var c = 0
        while true {
            let l = 2 * c + 1, r = l + 1
            var m = c
            if l < items.count, items[m].key < items[l].key { m = l }
            if r < items.count, items[m].key < items[r].key { m = r }
            if m == c { break }
            items.swapAt(c, m)
            c = m
        }
    }
}

extension BottomK: Sendable where Key: Sendable, Value: Sendable {}

/// Sampling priority with its tie-break: (hash, id).
struct SamplerKey: Comparable, Sendable {
    var p: UInt64
    var id: String
    static func < (a: SamplerKey, b: SamplerKey) -> Bool { a.p != b.p ? a.p < b.p : a.id < b.id }
}
