/// The GPT-2 byte ↔ unicode mapping used by byte-level BPE: every byte gets a printable
/// character (printable Latin-1 map to themselves, the rest to U+0100…U+0143).
/// Reference: https://github.com/openai/gpt-2/blob/master/src/encoder.py (bytes_to_unicode).
enum ByteLevel {
    /// byte → unicode scalar value.
    static let byteToChar: [UInt32] = {
        var bs: [Int] = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        var cs = bs
        var n = 0
        for b in 0..<256 where !bs.contains(b) {
            bs.append(b)
            cs.append(256 + n)
            n += 1
        }
        var table = [UInt32](repeating: 0, count: 256)
        for (b, c) in zip(bs, cs) { table[b] = UInt32(c) }
        return table
    }()

    /// unicode scalar value (< 0x144) → byte, or -1.
    static let charToByte: [Int16] = {
        var t = [Int16](repeating: -1, count: 0x144)
        for b in 0..<256 { t[Int(byteToChar[b])] = Int16(b) }
        return t
    }()

    /// Maps a byte-level token string (UTF-8) to raw bytes; nil if a character is outside the map.
    static func decode(_ utf8: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        for s in String(decoding: utf8, as: UTF8.self).unicodeScalars {
            let v = Int(s.value)
            guard v < charToByte.count, charToByte[v] >= 0 else { return nil }
            out.append(UInt8(charToByte[v]))
        }
        return out
    }

    /// Maps raw bytes to the byte-level token string.
    static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(byteToChar[Int(b)])!) }
        return String(s)
    }
}
