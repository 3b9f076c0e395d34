/// Unicode NFC normalization (UAX #15, https://unicode.org/reports/tr15/): canonical
/// decomposition, canonical ordering, canonical composition, with Hangul done algorithmically
/// and the data generated from Python's `unicodedata` by scripts/tokenizer_nfc_table.py.
/// A quick check (UAX #15 §9) skips text that is already NFC: no character with ccc ≠ 0 or
/// NFC_Quick_Check ≠ Yes. (Foundation's `precomposedStringWithCanonicalMapping` is not used: on
/// Linux it composes U+1100 U+1176 and fails to compose LV + U+11C2, unlike Python and HF.)
enum NFC {
    /// 1 for BMP code points that may change under NFC.
    static let unsafeBMP: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x10000)
        p.initialize(repeating: 0, count: 0x10000)
        for (a, b) in nfcUnsafeRanges where a < 0x10000 {
            for v in a...min(b, 0xFFFF) { p[Int(v)] = 1 }
        }
        return UnsafePointer(p)
    }()

    static let astralRanges: [(UInt32, UInt32)] = nfcUnsafeRanges.filter { $0.1 >= 0x10000 }

    @inline(__always)
    static func isUnsafe(_ v: UInt32) -> Bool {
        if v < 0x10000 { return unsafeBMP[Int(v)] != 0 }
        var lo = 0, hi = astralRanges.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if astralRanges[mid].1 < v { lo = mid + 1 } else { hi = mid }
        }
        return lo < astralRanges.count && astralRanges[lo].0 <= v
    }

    /// False when `p` (valid UTF-8) is certainly NFC already.
    @inline(__always)
    static func mayChange(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = p.count
        var i = 0
        while i < n {
            let c = p[i]
            if c < 0x80 { i += 1; continue }
            if c < 0xCC { i += 2; continue }  // U+0080…U+02FF: all NFC-stable starters
            var v: UInt32
            let len: Int
            if c < 0xE0 { v = UInt32(c & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F); len = 2 }
            else if c < 0xF0 { v = UInt32(c & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F); len = 3 }
            else {
                v = UInt32(c & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F)
                len = 4
            }
            if isUnsafe(v) { return true }
            i += len
        }
        return false
    }

    // MARK: - Data

    static let combiningClass: [UInt32: UInt8] = {
        var d: [UInt32: UInt8] = [:]
        for (a, b, k) in nfcCombiningClassRanges { for v in a...b { d[v] = k } }
        return d
    }()

    static let decompositions: [UInt32: [UInt32]] = {
        var d: [UInt32: [UInt32]] = [:]
        var i = 0
        let t = nfcDecompositions
        while i < t.count {
            let cp = t[i]
            var j = i + 1
            while t[j] != 0 { j += 1 }
            d[cp] = Array(t[(i + 1)..<j])
            i = j + 1
        }
        return d
    }()

    static let compositions: [UInt64: UInt32] = {
        var d: [UInt64: UInt32] = [:]
        for (a, b, c) in nfcCompositions { d[UInt64(a) << 32 | UInt64(b)] = c }
        return d
    }()

    static let sBase: UInt32 = 0xAC00, lBase: UInt32 = 0x1100, vBase: UInt32 = 0x1161, tBase: UInt32 = 0x11A7
    static let lCount: UInt32 = 19, vCount: UInt32 = 21, tCount: UInt32 = 28
    static let nCount = vCount * tCount, sCount = lCount * nCount

    @inline(__always)
    static func ccc(_ v: UInt32) -> UInt8 {
        if v < 0x300 { return 0 }
        return combiningClass[v] ?? 0
    }

    static func compose(_ a: UInt32, _ b: UInt32) -> UInt32? {
        // Hangul L + V → LV, LV + T → LVT.
        if a >= lBase && a < lBase + lCount && b >= vBase && b < vBase + vCount {
            return sBase + ((a - lBase) * vCount + (b - vBase)) * tCount
        }
        if a >= sBase && a < sBase + sCount && (a - sBase) % tCount == 0 && b > tBase && b < tBase + tCount {
            return a + (b - tBase)
        }
        return compositions[UInt64(a) << 32 | UInt64(b)]
    }

    /// NFC of valid UTF-8 `p`.
    static func normalize(_ p: UnsafeBufferPointer<UInt8>) -> String {
        // 1. Full canonical decomposition.
        var d: [UInt32] = []
        d.reserveCapacity(p.count)
        for s in String(decoding: p, as: UTF8.self).unicodeScalars {
            let v = s.value
            if v >= sBase && v < sBase + sCount {
                let si = v - sBase
                d.append(lBase + si / nCount)
                d.append(vBase + (si % nCount) / tCount)
                if si % tCount != 0 { d.append(tBase + si % tCount) }
            } else if v >= 0xC0, let m = decompositions[v] {
                d += m
            } else {
                d.append(v)
            }
        }
        // 2. Canonical ordering: stable sort of each run of non-starters by ccc.
        var i = 0
        while i < d.count {
            if ccc(d[i]) == 0 { i += 1; continue }
            var j = i
            while j < d.count && ccc(d[j]) != 0 { j += 1 }
            if j - i > 1 {
                // insertion sort (stable)
                for k in (i + 1)..<j {
                    let x = d[k], cx = ccc(x)
                    var m = k - 1
                    while m >= i && ccc(d[m]) > cx { d[m + 1] = d[m]; m -= 1 }
                    d[m + 1] = x
                }
            }
            i = j
        }
        // 3. Canonical composition (UAX #15 sample algorithm).
        var out: [UInt32] = []
        out.reserveCapacity(d.count)
        if let first = d.first {
            out.append(first)
            var starter = 0
            var lastClass = Int(ccc(first))
            if lastClass != 0 { lastClass = 256 }
            for k in 1..<max(d.count, 1) where k < d.count {
                let ch = d[k]
                let cc = Int(ccc(ch))
                if (lastClass < cc || lastClass == 0), let c = compose(out[starter], ch) {
                    out[starter] = c
                    continue
                }
                if cc == 0 { starter = out.count }
                lastClass = cc
                out.append(ch)
            }
        }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: out.compactMap(Unicode.Scalar.init))
        return String(s)
    }
}
