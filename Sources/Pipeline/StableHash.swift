import Core
/// Stable 64-bit FNV-1a, used for sampling keys (never Swift's seeded `Hasher`); dedup uses Curation.
public enum StableHash {
    public static func fnv1a(_ bytes: some Sequence<UInt8>, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var h = seed
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// SplitMix64 finaliser: spreads FNV's weak low bits.
    public static func mix(_ x: UInt64) -> UInt64 { SplitMix64.mix(x) }

    public static func string(_ s: String, seed: UInt64 = 0) -> UInt64 { mix(fnv1a(s.utf8, seed: 0xCBF2_9CE4_8422_2325 ^ mix(seed))) }
}
