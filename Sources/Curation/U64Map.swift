/// Open-addressing hash map from already-random 64-bit keys (xxHash / mix64 outputs) to
/// 64-bit values: linear probing, power-of-two capacity, load ≤ 0.5. Avoids the SipHash
/// cost of `Dictionary<UInt64, _>` on the decontamination hot path. Key 0 is remapped.
struct U64Map: Sendable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var cap = 16
        while cap < capacity * 2 { cap <<= 1 }
        keys = [UInt64](repeating: 0, count: cap)
        values = [UInt64](repeating: 0, count: cap)
        mask = cap - 1
    }

    @inline(__always) private static func fix(_ k: UInt64) -> UInt64 { k == 0 ? 0x9E37_79B9_7F4A_7C15 : k }

    /// The value for `key`, if present.
    @inline(__always) func get(_ key: UInt64) -> UInt64? {
        let k = U64Map.fix(key)
        var i = Int(truncatingIfNeeded: k) & mask
        while true {
            let s = keys[i]
            if s == k { return values[i] }
            if s == 0 { return nil }
            i = (i + 1) & mask
        }
    }

    /// Inserts `key → value` unless `key` is present (the first value wins).
    mutating func insertIfAbsent(_ key: UInt64, _ value: UInt64) {
        if (count + 1) * 2 > keys.count { grow() }
        let k = U64Map.fix(key)
        var i = Int(truncatingIfNeeded: k) & mask
        while true {
            let s = keys[i]
            if s == k { return }
            if s == 0 {
                keys[i] = k
                values[i] = value
                count += 1
                return
            }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let oldK = keys, oldV = values
        keys = [UInt64](repeating: 0, count: oldK.count * 2)
        values = [UInt64](repeating: 0, count: oldK.count * 2)
        mask = keys.count - 1
        count = 0
        for (k, v) in zip(oldK, oldV) where k != 0 {
            var i = Int(truncatingIfNeeded: k) & mask
            while keys[i] != 0 { i = (i + 1) & mask }
            keys[i] = k
            values[i] = v
            count += 1
        }
    }
}
