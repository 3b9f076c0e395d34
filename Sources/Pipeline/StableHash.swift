/// Stable 64-bit FNV-1a, used for sampling keys (never Swift's seeded `Hasher`); dedup uses Curation.
public enum StableHash {
    public static func fnv1a(_ bytes: some Sequence<UInt8>, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var h = seed
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// SplitMix64 finaliser: spreads FNV's weak low bits.
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public static func string(_ s: String, seed: UInt64 = 0) -> UInt64 { mix(fnv1a(s.utf8, seed: 0xCBF2_9CE4_8422_2325 ^ mix(seed))) }
}
