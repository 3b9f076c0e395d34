import Foundation

/// Per-thread scratch for encoding: decoded scalars, their classes and byte offsets,
/// the byte-id buffer and the BPE merger. Reused across calls so the hot path does not allocate.
final class EncodeWorkspace {
    @exclusivity(unchecked) var sc: [UInt32] = []
    @exclusivity(unchecked) var cl: [UInt8] = []
    @exclusivity(unchecked) var off: [Int32] = []
    @exclusivity(unchecked) var byteIDs: [Int32] = []
    @exclusivity(unchecked) var merger = BPEMerger()
    @exclusivity(unchecked) var segments: [(Int, Int, Int)] = []
    @exclusivity(unchecked) var segments2: [(Int, Int, Int)] = []
    let cache: WordCache

    init(cacheSlots: Int = 1 << 14) { cache = WordCache(slots: cacheSlots) }

    /// Decodes valid UTF-8 `p` into scalars, classes and offsets (count + 1 offsets).
    func decode(_ p: UnsafeBufferPointer<UInt8>) -> Int {
        let n = p.count
        if sc.count < n { sc = [UInt32](repeating: 0, count: n); cl = [UInt8](repeating: 0, count: n) }
        if off.count < n + 1 { off = [Int32](repeating: 0, count: n + 1) }
        var m = 0
        sc.withUnsafeMutableBufferPointer { sc in
            cl.withUnsafeMutableBufferPointer { cl in
                off.withUnsafeMutableBufferPointer { off in
                    do {
                        let bmp = CharClass.bmpPointer
                        var i = 0
                        while i < n {
                            let c = p[i]
                            var v: UInt32
                            let len: Int
                            if c < 0x80 { v = UInt32(c); len = 1 }
                            else if c < 0xE0 { v = UInt32(c & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F); len = 2 }
                            else if c < 0xF0 {
                                v = UInt32(c & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F); len = 3
                            } else {
                                v = UInt32(c & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6
                                    | UInt32(p[i + 3] & 0x3F); len = 4
                            }
                            sc[m] = v
                            cl[m] = v < 0x10000 ? bmp[Int(v)] : CharClass.of(v)
                            off[m] = Int32(i)
                            m += 1
                            i += len
                        }
                        off[m] = Int32(n)
                    }
                }
            }
        }
        return m
    }
}

/// A direct-mapped cache of BPE results for short pre-tokens (≤ 24 bytes, ≤ 12 ids):
/// most words repeat, and a hit skips all merging. Per workspace, so no locking.
final class WordCache {
    static let keyCap = 24
    static let valCap = 12
    private let mask: Int
    @exclusivity(unchecked) private var keys: [UInt8]
    @exclusivity(unchecked) private var keyLen: [UInt8]
    @exclusivity(unchecked) private var vals: [Int32]
    @exclusivity(unchecked) private var valLen: [UInt8]

    init(slots: Int) {
        mask = slots - 1
        keys = [UInt8](repeating: 0, count: slots * WordCache.keyCap)
        keyLen = [UInt8](repeating: 0xFF, count: slots)
        vals = [Int32](repeating: 0, count: slots * WordCache.valCap)
        valLen = [UInt8](repeating: 0, count: slots)
    }

    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ n: Int, hash: Int, into out: inout [Int32]) -> Bool {
        let s = hash & mask
        guard Int(keyLen[s]) == n else { return false }
        let base = s * WordCache.keyCap
        let same = keys.withUnsafeBufferPointer { k in memcmpBytes(k.baseAddress! + base, p, n) }
        guard same else { return false }
        let vb = s * WordCache.valCap
        for k in 0..<Int(valLen[s]) { out.append(vals[vb + k]) }
        return true
    }

    @inline(__always)
    func store(_ p: UnsafePointer<UInt8>, _ n: Int, hash: Int, ids: ArraySlice<Int32>) {
        guard ids.count <= WordCache.valCap else { return }
        let s = hash & mask
        let base = s * WordCache.keyCap
        keys.withUnsafeMutableBufferPointer { k in for j in 0..<n { k[base + j] = p[j] } }
        keyLen[s] = UInt8(n)
        let vb = s * WordCache.valCap
        var j = 0
        for v in ids { vals[vb + j] = v; j += 1 }
        valLen[s] = UInt8(ids.count)
    }
}
