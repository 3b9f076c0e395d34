/// Open-addressing hash map from byte strings to token ids. Keys live in one arena
/// (`bytes` + `offsets`, indexed by id) so the table is a flat `[Int32]` of ids.
struct ByteStringTable: @unchecked Sendable {
    /// Concatenated token bytes, indexed by id through `offsets`.
    private(set) var bytes: [UInt8] = []
    /// `offsets[id] ..< offsets[id + 1]`; ids without a token have an empty range and `present[id] == false`.
    private(set) var offsets: [Int32] = [0]
    private(set) var present: [Bool] = []
    private var slots: [Int32] = []
    private var mask = 0
    private(set) var count = 0
    /// Pointer copies of slots/offsets/bytes for the lookup hot path (no ARC traffic across threads).
    private var frozen: FrozenBytes?
    private var pSlots: UnsafePointer<Int32>?
    private var pOffsets: UnsafePointer<Int32>?
    private var pBytes: UnsafePointer<UInt8>?

    /// Builds the table from (bytes, id) pairs; ids need not be dense. Duplicate byte strings keep the first id.
    init(entries: [(bytes: [UInt8], id: Int32)]) {
        var arena: [UInt8] = []
        var spans: [(id: Int32, start: Int32, end: Int32)] = []
        for e in entries {
            spans.append((e.id, Int32(arena.count), Int32(arena.count + e.bytes.count)))
            arena += e.bytes
        }
        self.init(arena: arena, spans: spans)
    }

    /// Builds the table from byte ranges of `arena`, one per id.
    init(arena: [UInt8], spans: [(id: Int32, start: Int32, end: Int32)]) {
        let maxID = spans.map { Int($0.id) }.max() ?? -1
        var byID = [Int](repeating: -1, count: maxID + 1)
        for (k, sp) in spans.enumerated() where byID[Int(sp.id)] < 0 { byID[Int(sp.id)] = k }
        offsets.reserveCapacity(maxID + 2)
        present.reserveCapacity(maxID + 1)
        bytes.reserveCapacity(arena.count)
        for id in 0...max(maxID, 0) where id <= maxID {
            let k = byID[id]
            if k >= 0 { bytes += arena[Int(spans[k].start)..<Int(spans[k].end)] }
            offsets.append(Int32(bytes.count))
            present.append(k >= 0)
        }
        var cap = 16
        while cap < spans.count * 2 { cap <<= 1 }
        slots = [Int32](repeating: -1, count: cap)
        mask = cap - 1
        for id in 0..<present.count where present[id] {
            if lookupSpan(Int32(id)) == nil { insert(Int32(id)) }
        }
        let f = FrozenBytes(slots: slots, offsets: offsets, bytes: bytes)
        frozen = f
        pSlots = UnsafePointer(f.slots)
        pOffsets = UnsafePointer(f.offsets)
        pBytes = UnsafePointer(f.bytes)
    }

    init() {}

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var h: UInt64 = 0xcbf29ce484222325
        for k in 0..<n { h = (h ^ UInt64(p[k])) &* 0x100000001b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    private mutating func insert(_ id: Int32) {
        let lo = Int(offsets[Int(id)]), hi = Int(offsets[Int(id) + 1])
        let h = bytes.withUnsafeBufferPointer { ByteStringTable.hash($0.baseAddress! + lo, hi - lo) }
        var s = h & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        slots[s] = id
        count += 1
    }

    private func lookupSpan(_ id: Int32) -> Int32? {
        let lo = Int(offsets[Int(id)]), hi = Int(offsets[Int(id) + 1])
        return bytes.withUnsafeBufferPointer { find($0.baseAddress! + lo, hi - lo) }
    }

    /// The id of the byte string at `p ..< p + n`, or nil.
    @inline(__always)
    func find(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        if let sl = pSlots, let off = pOffsets, let by = pBytes {
            var s = ByteStringTable.hash(p, n) & mask
            while true {
                let id = sl[s]
                if id < 0 { return nil }
                let lo = Int(off[Int(id)]), hi = Int(off[Int(id) + 1])
                if hi - lo == n && (n == 0 || memcmpBytes(by + lo, p, n)) { return id }
                s = (s + 1) & mask
            }
        }
        if slots.isEmpty { return nil }
        var s = ByteStringTable.hash(p, n) & mask
        return slots.withUnsafeBufferPointer { sl in
            offsets.withUnsafeBufferPointer { off in
                bytes.withUnsafeBufferPointer { by in
                    while true {
                        let id = sl[s]
                        if id < 0 { return nil }
                        let lo = Int(off[Int(id)]), hi = Int(off[Int(id) + 1])
                        if hi - lo == n && (n == 0 || memcmpBytes(by.baseAddress! + lo, p, n)) { return id }
                        s = (s + 1) & mask
                    }
                }
            }
        }
    }

    func find(_ key: [UInt8]) -> Int32? {
        key.withUnsafeBufferPointer { b in
            if b.isEmpty { var z: UInt8 = 0; return find(&z, 0) }
            return find(b.baseAddress!, b.count)
        }
    }

    /// The bytes of token `id`, or nil if no token has that id.
    func tokenBytes(_ id: Int32) -> ArraySlice<UInt8>? {
        let i = Int(id)
        guard i >= 0, i < present.count, present[i] else { return nil }
        return bytes[Int(offsets[i])..<Int(offsets[i + 1])]
    }

    var maxID: Int { present.count - 1 }
}

/// Owns pointer copies of a `ByteStringTable`'s arrays.
final class FrozenBytes: @unchecked Sendable {
    let slots: UnsafeMutablePointer<Int32>
    let offsets: UnsafeMutablePointer<Int32>
    let bytes: UnsafeMutablePointer<UInt8>
    init(slots s: [Int32], offsets o: [Int32], bytes b: [UInt8]) {
        slots = .allocate(capacity: max(s.count, 1))
        slots.initialize(from: s, count: s.count)
        offsets = .allocate(capacity: max(o.count, 1))
        offsets.initialize(from: o, count: o.count)
        bytes = .allocate(capacity: max(b.count, 1))
        bytes.initialize(from: b, count: b.count)
    }
    deinit {
        slots.deallocate()
        offsets.deallocate()
        bytes.deallocate()
    }
}

@inline(__always)
func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    for k in 0..<n where a[k] != b[k] { return false }
    return true
}

/// Open-addressing map from a packed token pair `(left << 32) | right` to
/// `(rank << 32) | mergedID` — the BPE merge table. Storage is owned by a class and read
/// through raw pointers (copies of the struct share it; it is filled once, then read-only).
struct PairTable: @unchecked Sendable {
    /// Interleaved `[key, value]` slots, so a probe touches one cache line.
    private final class Storage {
        let slots: UnsafeMutablePointer<UInt64>
        init(_ cap: Int) {
            slots = .allocate(capacity: 2 * cap)
            for i in 0..<cap {
                (slots + 2 * i).initialize(to: .max)
                (slots + 2 * i + 1).initialize(to: 0)
            }
        }
        deinit { slots.deallocate() }
    }
    private let storage: Storage
    private let slots: UnsafeMutablePointer<UInt64>
    private let mask: Int
    private(set) var count = 0

    init(capacity: Int) {
        var cap = 16
        while cap < capacity * 2 { cap <<= 1 }
        storage = Storage(cap)
        slots = storage.slots
        mask = cap - 1
    }

    @inline(__always)
    static func slot(_ k: UInt64) -> Int {
        var h = k &* 0x9E3779B97F4A7C15
        h ^= h >> 32
        return Int(truncatingIfNeeded: h)
    }

    /// Inserts or overwrites; a duplicated pair keeps the LAST rank, as HF's
    /// `merges.into_iter().enumerate().collect::<HashMap>()` does. Returns false on a duplicate.
    @discardableResult
    mutating func insert(left: Int32, right: Int32, rank: Int32, merged: Int32) -> Bool {
        let k = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var s = PairTable.slot(k) & mask
        var fresh = true
        while slots[2 * s] != .max {
            if slots[2 * s] == k { fresh = false; break }
            s = (s + 1) & mask
        }
        slots[2 * s] = k
        slots[2 * s + 1] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged))
        if fresh { count += 1 }
        return fresh
    }

    /// (rank, merged id) for the pair, or nil.
    @inline(__always)
    func get(_ left: Int32, _ right: Int32) -> (rank: Int32, merged: Int32)? {
        let k = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var s = PairTable.slot(k) & mask
        while true {
            let kk = slots[2 * s]
            if kk == k {
                let v = slots[2 * s + 1]
                return (Int32(truncatingIfNeeded: v >> 32), Int32(truncatingIfNeeded: v & 0xFFFF_FFFF))
            }
            if kk == .max { return nil }
            s = (s + 1) & mask
        }
    }
}
