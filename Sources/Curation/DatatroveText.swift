import Foundation

/// datatrove's `simplify_text` with its default `TextNormConfig` — the text its MinHash
/// dedup shingles (https://github.com/huggingface/datatrove/blob/main/src/datatrove/utils/text.py):
/// lowercase; every number (`\p{Nd}+([.,،٫⎖⎗⎘]\p{Nd}+)?`) → `0`; datatrove's punctuation set
/// → space; whitespace runs → one space; NFD with nonspacing marks (diacritics) removed.
/// Words are the space-separated tokens (datatrove then runs its English spaCy tokenizer,
/// which also splits some contractions, e.g. "dont" → "do nt"; that step is not reproduced).
/// Checked against datatrove's own function on the planted near-copies
/// (`NearDupBenchmarkTests`, fixture from scripts/neardup_datatrove_compare.py).
public enum DatatroveText {
    /// The simplified text.
    public static func simplify(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        let sc = Array(s.lowercased().unicodeScalars)
        var i = 0, pendingSpace = false, ascii = true
        @inline(__always) func emit(_ u: Unicode.Scalar) {
            if pendingSpace && !out.isEmpty { out.append(" ") }
            pendingSpace = false
            out.append(u)
        }
        while i < sc.count {
            let u = sc[i]
            if isDigit(u) {
                var j = i + 1
                while j < sc.count && isDigit(sc[j]) { j += 1 }
                if j + 1 < sc.count && isDecimalSeparator(sc[j]) && isDigit(sc[j + 1]) {
                    j += 2
                    while j < sc.count && isDigit(sc[j]) { j += 1 }
                }
                emit("0")
                i = j
                continue
            }
            if isPunctuation(u) || isSpace(u) { pendingSpace = true } else {
                if u.value >= 0x80 { ascii = false }
                emit(u)
            }
            i += 1
        }
        let simplified = String(out)
        if ascii { return simplified }
        var stripped = String.UnicodeScalarView()
        for u in simplified.decomposedStringWithCanonicalMapping.unicodeScalars where u.properties.generalCategory != .nonspacingMark {
            stripped.append(u)
        }
        return String(stripped).trimmingCharacters(in: .whitespaces)
    }

    /// xxHash64 of each word of `simplify(s)`, in order.
    public static func wordHashes(_ s: String) -> [UInt64] {
        var text = simplify(s)
        return text.withUTF8 { buf -> [UInt64] in
            let b = UnsafeRawBufferPointer(buf)
            var out: [UInt64] = []
            out.reserveCapacity(b.count / 5)
            var start = 0
            for (k, c) in b.enumerated() where c == 32 {
                if k > start { out.append(XXH64.hash(UnsafeRawBufferPointer(rebasing: b[start..<k]))) }
                start = k + 1
            }
            if b.count > start { out.append(XXH64.hash(UnsafeRawBufferPointer(rebasing: b[start...]))) }
            return out
        }
    }

    @inline(__always) static func isDigit(_ u: Unicode.Scalar) -> Bool {
        if u.value < 0x80 { return u.value >= 48 && u.value <= 57 }
        return u.properties.generalCategory == .decimalNumber
    }

    @inline(__always) static func isDecimalSeparator(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x2E, 0x2C, 0x60C, 0x66B, 0x2396, 0x2397, 0x2398: return true
        default: return false
        }
    }

    /// Python's `\s` (str.isspace): Unicode White_Space plus the ASCII separators 0x1C–0x1F.
    @inline(__always) static func isSpace(_ u: Unicode.Scalar) -> Bool {
        if u.value < 0x80 { return u.value == 32 || (u.value >= 9 && u.value <= 13) || (u.value >= 0x1C && u.value <= 0x1F) }
        return u.properties.isWhitespace
    }

    /// datatrove's PUNCTUATION ∪ TERMINAL_PUNCTUATION: in ASCII every character that is not a
    /// letter, digit or whitespace (and the C0 controls), plus the listed non-ASCII scalars.
    @inline(__always) static func isPunctuation(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x80 {
            let c = UInt8(v)
            return !((c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 32 || c == 9 || c == 10)
        }
        return nonASCIIPunctuation.contains(v)
    }

    /// The non-ASCII members of datatrove's punctuation sets (generated from
    /// `datatrove.utils.text.PUNCTUATION_SET`, datatrove 0.10.1).
    static let nonASCIIPunctuation: Set<UInt32> = [
        0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B,
        0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97,
        0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xAB, 0xB4, 0xBB, 0x589,
        0x61D, 0x61E, 0x61F, 0x6D4, 0x700, 0x701, 0x702, 0x7F9, 0x837, 0x839, 0x83D, 0x83E,
        0x964, 0x965, 0x104A, 0x104B, 0x1362, 0x1367, 0x1368, 0x166E, 0x1735, 0x1736, 0x17D4, 0x17D5,
        0x17D6, 0x17D9, 0x17DA, 0x1803, 0x1809, 0x1944, 0x1945, 0x1AA8, 0x1AA9, 0x1AAA, 0x1AAB, 0x1B5A,
        0x1B5B, 0x1B5E, 0x1B5F, 0x1B7D, 0x1B7E, 0x1C3B, 0x1C3C, 0x1C7E, 0x1C7F, 0x2013, 0x2014, 0x2019,
        0x201C, 0x201D, 0x201E, 0x2026, 0x203C, 0x203D, 0x2047, 0x2048, 0x2049, 0x2236, 0x2501, 0x25BA,
        0x2E2E, 0x2E3C, 0x2E53, 0x2E54, 0x3001, 0x3002, 0x3008, 0x3009, 0x300A, 0x300B, 0x300C, 0x300D,
        0x3010, 0x3011, 0xA4FF, 0xA60E, 0xA60F, 0xA6F3, 0xA6F7, 0xA876, 0xA877, 0xA8CE, 0xA8CF, 0xA92F,
        0xA9C8, 0xA9C9, 0xAA5D, 0xAA5E, 0xAA5F, 0xAAF0, 0xAAF1, 0xABEB, 0xFE52, 0xFE56, 0xFE57, 0xFF01,
        0xFF05, 0xFF08, 0xFF09, 0xFF0C, 0xFF0E, 0xFF11, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF5E, 0xFF61, 0x10A56,
        0x10A57, 0x10F55, 0x10F56, 0x10F57, 0x10F58, 0x10F59, 0x10F86, 0x10F87, 0x10F88, 0x10F89, 0x11047, 0x11048,
        0x110BE, 0x110BF, 0x110C0, 0x110C1, 0x11141, 0x11142, 0x11143, 0x111C5, 0x111C6, 0x111CD, 0x111DE, 0x111DF,
        0x11238, 0x11239, 0x1123B, 0x1123C, 0x112A9, 0x1144B, 0x1144C, 0x115C2, 0x115C3, 0x115C9, 0x115CA, 0x115CB,
        0x115CC, 0x115CD, 0x115CE, 0x115CF, 0x115D0, 0x115D1, 0x115D2, 0x115D3, 0x115D4, 0x115D5, 0x115D6, 0x115D7,
        0x11641, 0x11642, 0x1173C, 0x1173D, 0x1173E, 0x11944, 0x11946, 0x11A42, 0x11A43, 0x11A9B, 0x11A9C, 0x11C41,
        0x11C42, 0x11EF7, 0x11EF8, 0x11F43, 0x11F44, 0x16A6E, 0x16A6F, 0x16AF5, 0x16B37, 0x16B38, 0x16B44, 0x16E98,
        0x1BC9F, 0x1DA88,
    ]
}
