import Foundation

/// Text normalisation for dedup and decontamination: Unicode NFC, lowercase, and words =
/// runs of letters/digits (punctuation and whitespace separate words; each CJK / kana /
/// Hangul character is its own word since those scripts do not use spaces).
/// This is the `norm` of SOURCES.md's holdout rule extended with punctuation-insensitive words,
/// so "A, b." and "a b" give the same n-grams.
public enum TextNormalizer {
    /// NFC + lowercase + whitespace collapsed to single spaces, trimmed.
    public static func normalize(_ s: String) -> String {
        var s = s
        if let ascii = s.withUTF8({ asciiNormalized(UnsafeRawBufferPointer($0)) }) {
            return String(decoding: ascii, as: UTF8.self)
        }
        return unicodeNormalized(s)
    }

    /// UTF-8 bytes of `normalize(s)` (no intermediate String on the ASCII path).
    public static func normalizedBytes(_ s: String) -> [UInt8] {
        var s = s
        if let ascii = s.withUTF8({ asciiNormalized(UnsafeRawBufferPointer($0)) }) { return ascii }
        return unicodeNormalizedBytes(s)
    }

    /// Fast path of `normalize` for pure-ASCII text (nil if any byte ≥ 0x80).
    static func asciiNormalized(_ u: UnsafeRawBufferPointer) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        var pendingSpace = false
        for var b in u {
            if b >= 0x80 { return nil }
            // Python/Foundation whitespace in ASCII: \t \n \v \f \r, space, and 0x1C–0x1F
            if b == 32 || (b >= 9 && b <= 13) || (b >= 0x1C && b <= 0x1F) {
                pendingSpace = !out.isEmpty
                continue
            }
            if b >= 65 && b <= 90 { b += 32 }
            if pendingSpace { out.append(32); pendingSpace = false }
            out.append(b)
        }
        return out
    }

    /// NFC of `s`, skipping Foundation's (slow on Linux) normaliser when no scalar can change
    /// under NFC. Conservative quick check: combining marks (ccc ≠ 0) and every block that has
    /// NFC_Quick_Check = No/Maybe characters (Indic and other vowel-sign compositions, Hangul
    /// jamo, Greek extended, singletons such as U+212B, CJK compatibility ideographs) go to
    /// Foundation. https://unicode.org/reports/tr15/#Detecting_Normalization_Forms
    static func nfc(_ s: String) -> String {
        for sc in s.unicodeScalars where sc.value >= 0x300 {
            let v = sc.value
            if sc.properties.canonicalCombiningClass != .notReordered { return s.precomposedStringWithCanonicalMapping }
            switch v {
            case 0x0300...0x03FF, 0x0900...0x0DFF, 0x1000...0x11FF, 0x1B00...0x1B7F, 0x1F00...0x1FFF, 0x2000...0x2FFF,
                 0x3099...0x309A, 0xA960...0xA97F, 0xD7B0...0xD7FF, 0xF900...0xFAFF, 0x11000...0x1D1FF, 0x2F800...0x2FA1F:
                return s.precomposedStringWithCanonicalMapping
            default: continue
            }
        }
        return s
    }

    static func unicodeNormalized(_ s: String) -> String {
        String(decoding: unicodeNormalizedBytes(s), as: UTF8.self)
    }

    /// UTF-8 of NFC + lowercase + collapsed whitespace, built scalar by scalar.
    static func unicodeNormalizedBytes(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var pendingSpace = false
        for sc in nfc(s).unicodeScalars {
            let v = sc.value
            if v < 0x80 {
                var b = UInt8(v)
                if b == 32 || (b >= 9 && b <= 13) || (b >= 0x1C && b <= 0x1F) { pendingSpace = !out.isEmpty; continue }
                if pendingSpace { out.append(32); pendingSpace = false }
                if b >= 65 && b <= 90 { b += 32 }
                out.append(b)
                continue
            }
            let p = sc.properties
            if p.isWhitespace { pendingSpace = !out.isEmpty; continue }
            if pendingSpace { out.append(32); pendingSpace = false }
            if p.changesWhenLowercased {
                out.append(contentsOf: p.lowercaseMapping.utf8)
            } else {
                if let e = UTF8.encode(sc) { out.append(contentsOf: e) }
            }
        }
        return out
    }

    /// 64-bit hashes of the words of `s`, in order (normalised as described above).
    public static func wordHashes(_ s: String) -> [UInt64] { words(s).hashes }

    /// Word hashes plus, per word, whether it has a letter (false for pure numbers).
    public static func words(_ s: String) -> (hashes: [UInt64], alphabetic: [Bool]) {
        var str = s
        if let fast = str.withUTF8({ asciiWords(UnsafeRawBufferPointer($0)) }) { return fast }
        return unicodeWords(s)
    }

    /// ASCII fast path of `words`: hashes lowercase words straight from a small stack buffer.
    static func asciiWords(_ u: UnsafeRawBufferPointer) -> (hashes: [UInt64], alphabetic: [Bool])? {
        var out: [UInt64] = []
        var alpha: [Bool] = []
        out.reserveCapacity(u.count / 5)
        alpha.reserveCapacity(u.count / 5)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buf -> (hashes: [UInt64], alphabetic: [Bool])? in
            var len = 0, hasLetter = false, long: [UInt8] = []
            func flush() {
                if len > 0 {
                    let h = len <= 64 ? XXH64.hash(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buf)[0..<len]))
                                      : XXH64.hash(long)
                    out.append(h)
                    alpha.append(hasLetter)
                }
                len = 0
                hasLetter = false
                long.removeAll(keepingCapacity: true)
            }
            for var b in u {
                if b >= 0x80 { return nil }
                if b >= 65 && b <= 90 { b += 32 }
                let isLetter = b >= 97 && b <= 122
                if isLetter || (b >= 48 && b <= 57) {
                    if isLetter { hasLetter = true }
                    if len < 64 { buf[len] = b } else {
                        if len == 64 { long = Array(UnsafeRawBufferPointer(buf)) }
                        long.append(b)
                    }
                    len += 1
                } else {
                    flush()
                }
            }
            flush()
            return (out, alpha)
        }
    }

    static func unicodeWords(_ s: String) -> (hashes: [UInt64], alphabetic: [Bool]) {
        var out: [UInt64] = []
        var alpha: [Bool] = []
        var hasLetter = false
        out.reserveCapacity(s.utf8.count / 5)
        var word: [UInt8] = []
        word.reserveCapacity(32)
        func flush() {
            if !word.isEmpty {
                out.append(XXH64.hash(word))
                alpha.append(hasLetter)
                word.removeAll(keepingCapacity: true)
            }
            hasLetter = false
        }
        // Fast path: ASCII bytes; non-ASCII scalars go through Unicode properties.
        let text = nfc(s)
        for sc in text.unicodeScalars {
            let v = sc.value
            if v < 0x80 {
                var b = UInt8(v)
                if b >= 65 && b <= 90 { b += 32 }
                if b >= 97 && b <= 122 { word.append(b); hasLetter = true } else if b >= 48 && b <= 57 { word.append(b) } else { flush() }
                continue
            }
            let p = sc.properties
            if p.isAlphabetic || p.numericType != nil {
                if p.isAlphabetic { hasLetter = true }
                if (0x2E80...0x9FFF).contains(v) || (0xAC00...0xD7AF).contains(v) || (0xF900...0xFAFF).contains(v) {
                    flush()
                    word.append(contentsOf: String(sc).utf8)
                    flush()
                } else {
                    for l in String(sc).lowercased().utf8 { word.append(l) }
                }
            } else if p.generalCategory == .nonspacingMark {
                for l in String(sc).utf8 { word.append(l) }
            } else {
                flush()
            }
        }
        flush()
        return (out, alpha)
    }

    /// Hashes of all word n-grams; `[]` if fewer words. A polynomial rolling hash over the
    /// (random, xxHash64) word hashes, h = Σ w[i+j]·B^(n−1−j) mod 2^64, finalised with a mix,
    /// so each n-gram costs O(1) whatever n is (Rabin–Karp,
    /// https://en.wikipedia.org/wiki/Rolling_hash#Polynomial_rolling_hash).
    public static func ngramHashes(_ words: [UInt64], n: Int) -> [UInt64] {
        guard n > 0, words.count >= n else { return [] }
        let base: UInt64 = 0x9E37_79B9_7F4A_7C15 | 1
        var top: UInt64 = 1  // B^(n-1)
        for _ in 1..<max(n, 1) { top = top &* base }
        var out = [UInt64](repeating: 0, count: words.count - n + 1)
        let salt = UInt64(n) &* 0x2545_F491_4F6C_DD1D
        words.withUnsafeBufferPointer { w in
            out.withUnsafeMutableBufferPointer { o in
                var h: UInt64 = 0
                for j in 0..<n { h = h &* base &+ w[j] }
                o[0] = mix64(h ^ salt)
                var i = 1
                while i < o.count {
                    h = (h &- w[i - 1] &* top) &* base &+ w[i + n - 1]
                    o[i] = mix64(h ^ salt)
                    i += 1
                }
            }
        }
        return out
    }
}
