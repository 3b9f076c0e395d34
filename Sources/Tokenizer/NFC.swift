import Foundation

/// Unicode NFC normalization (https://unicode.org/reports/tr15/) through Foundation's
/// `precomposedStringWithCanonicalMapping` (checked against Python's `unicodedata.normalize`
/// by the parity tests, which include NFD/NFKD variants and Hangul).
enum NFC {
    /// False when the bytes hold no scalar ≥ U+0300: such text is already NFC (every
    /// decomposable or composing character is at or above U+0300).
    @inline(__always)
    static func mayChange(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in p where b >= 0xCC { return true }  // lead bytes of U+0300 and above
        return false
    }

    static func normalize(_ p: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: p, as: UTF8.self).precomposedStringWithCanonicalMapping
    }
}
