import Foundation

/// Text normalisation for dedup and decontamination: Unicode NFC, lowercase, and words =
/// runs of letters/digits (punctuation and whitespace separate words; each CJK / kana /
/// Hangul character is its own word since those scripts do not use spaces).
/// This is the `norm` of SOURCES.md's holdout rule extended with punctuation-insensitive words,
/// so "A, b." and "a b" give the same n-grams.
public enum TextNormalizer {
    /// NFC + lowercase + whitespace collapsed to single spaces, trimmed.
    public static func normalize(_ s: String) -> String {
        let t = s.precomposedStringWithCanonicalMapping.lowercased()
        var out = ""
        out.reserveCapacity(t.utf8.count)
        var pendingSpace = false
        for ch in t.unicodeScalars {
            if ch.properties.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.unicodeScalars.append(" "); pendingSpace = false }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// 64-bit hashes of the words of `s`, in order (normalised as described above).
    public static func wordHashes(_ s: String) -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(s.utf8.count / 5)
        var word: [UInt8] = []
        word.reserveCapacity(32)
        func flush() {
            if !word.isEmpty { out.append(XXH64.hash(word)); word.removeAll(keepingCapacity: true) }
        }
        // Fast path: ASCII bytes; non-ASCII scalars go through Unicode properties.
        let needsNFC = s.utf8.contains(where: { $0 >= 0x80 })
        let text = needsNFC ? s.precomposedStringWithCanonicalMapping : s
        for sc in text.unicodeScalars {
            let v = sc.value
            if v < 0x80 {
                var b = UInt8(v)
                if b >= 65 && b <= 90 { b += 32 }
                if (b >= 97 && b <= 122) || (b >= 48 && b <= 57) { word.append(b) } else { flush() }
                continue
            }
            let p = sc.properties
            if p.isAlphabetic || p.numericType != nil {
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
        return out
    }

    /// Hashes of all word n-grams (n consecutive word hashes combined); `[]` if fewer words.
    public static func ngramHashes(_ words: [UInt64], n: Int) -> [UInt64] {
        guard n > 0, words.count >= n else { return [] }
        var out = [UInt64](repeating: 0, count: words.count - n + 1)
        words.withUnsafeBufferPointer { w in
            for i in 0..<out.count {
                var h: UInt64 = 0x243F_6A88_85A3_08D3 &+ UInt64(n)
                for k in 0..<n { h = mix64(h ^ w[i + k]) }
                out[i] = h
            }
        }
        return out
    }
}
