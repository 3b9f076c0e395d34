/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of shard blocks and files.
///
/// Table-driven "slicing-by-8" (Intel, Kounavis & Berry 2005); check value of "123456789" is 0xE3069283.
/// Reference: https://datatracker.ietf.org/doc/html/rfc3720#appendix-B.4 (iSCSI CRC32C),
/// https://github.com/madler/brotli/blob/master/crc32c.c for the slicing layout.
public enum CRC32C {
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[i] = c
        }
        for i in 0..<256 {
            var c = t[i]
            for k in 1..<8 {
                c = t[Int(c & 0xFF)] ^ (c >> 8)
                t[k * 256 + i] = c
            }
        }
        return t
    }()

    /// Continues a running CRC (start with 0) over `bytes`.
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = ~crc
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return crc }
        var n = bytes.count
        tables.withUnsafeBufferPointer { tb in
            let t = tb.baseAddress!
            while n >= 8 {
                let lo = UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24
                let hi = UInt32(p[4]) | UInt32(p[5]) << 8 | UInt32(p[6]) << 16 | UInt32(p[7]) << 24
                let x = c ^ lo
                c = t[7 * 256 + Int(x & 0xFF)] ^ t[6 * 256 + Int((x >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((x >> 16) & 0xFF)] ^ t[4 * 256 + Int(x >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                p += 8
                n -= 8
            }
            while n > 0 {
                c = t[Int((c ^ UInt32(p[0])) & 0xFF)] ^ (c >> 8)
                p += 1
                n -= 1
            }
        }
        return ~c
    }

    /// CRC-32C of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 { update(0, bytes) }

    /// CRC-32C of a byte array.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { update(0, $0) } }

    /// Bit-at-a-time twin used by tests.
    public static func naive(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        }
        return ~c
    }

    /// CRC-32C of A‖B from crc(A), crc(B) and len(B), without the bytes (zlib's `crc32_combine`,
    /// GF(2) matrix squaring). Reference: https://github.com/madler/zlib/blob/v1.2.13/crc32.c
    public static func combine(_ crcA: UInt32, _ crcB: UInt32, lengthB: UInt64) -> UInt32 {
        if lengthB == 0 { return crcA }
        func times(_ m: [UInt32], _ v: UInt32) -> UInt32 {
            var v = v, s: UInt32 = 0, i = 0
            while v != 0 { if v & 1 != 0 { s ^= m[i] }; v >>= 1; i += 1 }
            return s
        }
        func square(_ m: [UInt32]) -> [UInt32] { (0..<32).map { times(m, m[$0]) } }
        var odd = [UInt32](repeating: 0, count: 32)
        odd[0] = 0x82F6_3B78
        for i in 1..<32 { odd[i] = 1 << UInt32(i - 1) }
        var even = square(odd)  // 2 zero bits
        odd = square(even)      // 4 zero bits
        var a = crcA, n = lengthB
        repeat {
            even = square(odd)
            if n & 1 != 0 { a = times(even, a) }
            n >>= 1
            if n == 0 { break }
            odd = square(even)
            if n & 1 != 0 { a = times(odd, a) }
            n >>= 1
        } while n != 0
        return a ^ crcB
    }
}
