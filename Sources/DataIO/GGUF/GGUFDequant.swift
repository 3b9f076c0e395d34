/// Dequantisation kernels for ggml block formats: raw block bytes in, float32 out.
/// Pointers in/out, sizes explicit, no allocation, no throwing; `count` must be a multiple of
/// the type's block size (the reader checks `ne[0]` against it). `src` may be unaligned.
///
/// Each kernel follows ggml's C reference (`dequantize_row_*` in ggml-quants.c) in float32
/// with the same operation order and no FMA contraction (Swift does not contract), so the
/// results are bit-identical to gguf-py's `gguf.quants.dequantize` (checked against the
/// fixtures in shared/reference/gguf/dequant).
/// Reference: https://github.com/ggml-org/ggml/blob/master/src/ggml-quants.c,
/// https://github.com/ggml-org/ggml/blob/master/src/ggml-common.h (block layouts).
public enum GGUFDequant {
    /// Dequantizes `count` elements of `type` from `src` into `dst`.
    /// Shape: src = count / blockSize blocks of typeSize bytes → dst[count].
    public static func dequantize(_ type: GGMLType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        let nb = count / type.blockSize
        switch type {
        case .f32: UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: 4 * count)
        case .f16: for i in 0..<count { dst[i] = SafetensorsFile.half(u16(src, 2 * i)) }
        case .bf16: for i in 0..<count { dst[i] = Float(bitPattern: UInt32(u16(src, 2 * i)) << 16) }
        case .q4_0: for b in 0..<nb { q4_0(src + 18 * b, dst + 32 * b) }
        case .q4_1: for b in 0..<nb { q4_1(src + 20 * b, dst + 32 * b) }
        case .q5_0: for b in 0..<nb { q5(src + 22 * b, dst + 32 * b, hasMin: false) }
        case .q5_1: for b in 0..<nb { q5(src + 24 * b, dst + 32 * b, hasMin: true) }
        case .q8_0: for b in 0..<nb { q8_0(src + 34 * b, dst + 32 * b) }
        case .q2_K: for b in 0..<nb { q2_K(src + 84 * b, dst + 256 * b) }
        case .q3_K: for b in 0..<nb { q3_K(src + 110 * b, dst + 256 * b) }
        case .q4_K: for b in 0..<nb { q45_K(src + 144 * b, dst + 256 * b, five: false) }
        case .q5_K: for b in 0..<nb { q45_K(src + 176 * b, dst + 256 * b, five: true) }
        case .q6_K: for b in 0..<nb { q6_K(src + 210 * b, dst + 256 * b) }
        }
    }

    @inline(__always) static func u16(_ p: UnsafeRawPointer, _ off: Int) -> UInt16 {
        UInt16(littleEndian: p.loadUnaligned(fromByteOffset: off, as: UInt16.self))
    }

    @inline(__always) static func fp16(_ p: UnsafeRawPointer, _ off: Int) -> Float { SafetensorsFile.half(u16(p, off)) }

    @inline(__always) static func byte(_ p: UnsafeRawPointer, _ off: Int) -> Int { Int(p.load(fromByteOffset: off, as: UInt8.self)) }

    /// block_q4_0 {d: fp16, qs[16]}: y = (q − 8)·d; low nibbles first, then high.
    @inline(__always) static func q4_0(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = fp16(b, 0)
        for j in 0..<16 {
            let q = byte(b, 2 + j)
            y[j] = Float((q & 0xF) - 8) * d
            y[j + 16] = Float((q >> 4) - 8) * d
        }
    }

    /// block_q4_1 {d, m: fp16, qs[16]}: y = q·d + m.
    @inline(__always) static func q4_1(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = fp16(b, 0), m = fp16(b, 2)
        for j in 0..<16 {
            let q = byte(b, 4 + j)
            y[j] = Float(q & 0xF) * d + m
            y[j + 16] = Float(q >> 4) * d + m
        }
    }

    /// block_q5_0 {d, qh: u32, qs[16]}: y = (q − 16)·d; block_q5_1 {d, m, qh, qs}: y = q·d + m.
    /// Bit j of qh is the 5th bit of element j, bit j+16 that of element j+16.
    @inline(__always) static func q5(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, hasMin: Bool) {
        let d = fp16(b, 0)
        let m: Float = hasMin ? fp16(b, 2) : 0
        let o = hasMin ? 4 : 2
        let qh = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: o, as: UInt32.self))
        for j in 0..<16 {
            let q = byte(b, o + 4 + j)
            let h0 = Int((qh >> UInt32(j)) << 4 & 0x10)
            let h1 = Int((qh >> UInt32(j + 12)) & 0x10)
            if hasMin {
                y[j] = Float((q & 0xF) | h0) * d + m
                y[j + 16] = Float((q >> 4) | h1) * d + m
            } else {
                y[j] = Float(((q & 0xF) | h0) - 16) * d
                y[j + 16] = Float(((q >> 4) | h1) - 16) * d
            }
        }
    }

    /// block_q8_0 {d, qs: int8[32]}: y = q·d.
    @inline(__always) static func q8_0(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = fp16(b, 0)
        for j in 0..<32 { y[j] = Float(b.load(fromByteOffset: 2 + j, as: Int8.self)) * d }
    }

    /// block_q2_K {scales[16], qs[64], d, dmin: fp16}: 16 groups of 16; scale byte = min<<4 | sc;
    /// y = (d·sc)·q − dmin·min.
    @inline(__always) static func q2_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = fp16(b, 80), mn = fp16(b, 82)
        var out = 0, s = 0
        for n in stride(from: 0, to: 256, by: 128) {
            let q = 16 + n / 4
            for shift in stride(from: 0, through: 6, by: 2) {
                for half in 0..<2 {
                    let sc = byte(b, s)
                    s += 1
                    let dl = d * Float(sc & 0xF), ml = mn * Float(sc >> 4)
                    for l in 0..<16 {
                        y[out] = dl * Float((byte(b, q + 16 * half + l) >> shift) & 3) - ml
                        out += 1
                    }
                }
            }
        }
    }

    /// block_q3_K {hmask[32], qs[64], scales[12] (16 × 6 bits), d}: y = (d·(sc − 32))·(q − (hbit ? 0 : 4)).
    @inline(__always) static func q3_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = fp16(b, 108)
        @inline(__always) func w(_ i: Int) -> UInt32 { UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 96 + 4 * i, as: UInt32.self)) }
        let k1: UInt32 = 0x0303_0303, k2: UInt32 = 0x0F0F_0F0F
        let x0 = w(0), x1 = w(1), tmp = w(2)
        // The 16 6-bit scales, unpacked as ggml does into four words of four int8 each.
        let a0 = (x0 & k2) | (((tmp >> 0) & k1) << 4)
        let a1 = (x1 & k2) | (((tmp >> 2) & k1) << 4)
        let a2 = ((x0 >> 4) & k2) | (((tmp >> 4) & k1) << 4)
        let a3 = ((x1 >> 4) & k2) | (((tmp >> 6) & k1) << 4)
        @inline(__always) func scale(_ i: Int) -> Int {
            let word = i < 4 ? a0 : i < 8 ? a1 : i < 12 ? a2 : a3
            return Int(Int8(truncatingIfNeeded: word >> UInt32(8 * (i % 4))))
        }
        var out = 0, s = 0, m = 1
        for n in stride(from: 0, to: 256, by: 128) {
            let q = 32 + n / 4
            for shift in stride(from: 0, through: 6, by: 2) {
                for half in 0..<2 {
                    let dl = d * Float(scale(s) - 32)
                    s += 1
                    for l in 0..<16 {
                        let lo = (byte(b, q + 16 * half + l) >> shift) & 3
                        let hb = byte(b, 16 * half + l) & m != 0 ? 0 : 4
                        y[out] = dl * Float(lo - hb)
                        out += 1
                    }
                }
                m <<= 1
            }
        }
    }

    /// ggml's `get_scale_min_k4`: 6-bit scale and min `j` (0..<8) from the 12 packed bytes at `s`.
    @inline(__always) static func scaleMin(_ b: UnsafeRawPointer, _ s: Int, _ j: Int) -> (Int, Int) {
        if j < 4 { return (byte(b, s + j) & 63, byte(b, s + j + 4) & 63) }
        let sc = (byte(b, s + j + 4) & 0xF) | ((byte(b, s + j - 4) >> 6) << 4)
        let mn = (byte(b, s + j + 4) >> 4) | ((byte(b, s + j) >> 6) << 4)
        return (sc, mn)
    }

    /// block_q4_K {d, dmin, scales[12], qs[128]} and block_q5_K {d, dmin, scales[12], qh[32], qs[128]}:
    /// 8 groups of 32; y = (d·sc)·q − (dmin·min), q 4-bit (+16 from qh for Q5_K).
    @inline(__always) static func q45_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>, five: Bool) {
        let d = fp16(b, 0), mn = fp16(b, 2)
        let qs = five ? 48 : 16
        var out = 0, u1 = 1, u2 = 2
        for j in stride(from: 0, to: 256, by: 64) {
            let (sc1, m1) = scaleMin(b, 4, j / 32)
            let (sc2, m2) = scaleMin(b, 4, j / 32 + 1)
            let d1 = d * Float(sc1), mm1 = mn * Float(m1)
            let d2 = d * Float(sc2), mm2 = mn * Float(m2)
            let q = qs + j / 2
            for l in 0..<32 {
                var v = byte(b, q + l) & 0xF
                if five && byte(b, 16 + l) & u1 != 0 { v += 16 }
                y[out + l] = d1 * Float(v) - mm1
            }
            for l in 0..<32 {
                var v = byte(b, q + l) >> 4
                if five && byte(b, 16 + l) & u2 != 0 { v += 16 }
                y[out + 32 + l] = d2 * Float(v) - mm2
            }
            out += 64
            u1 <<= 2
            u2 <<= 2
        }
    }

    /// block_q6_K {ql[128], qh[64], scales: int8[16], d}: y = (d·sc)·(q − 32), q 6-bit.
    @inline(__always) static func q6_K(_ b: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = fp16(b, 208)
        for n in 0..<2 {
            let ql = 64 * n, qh = 128 + 32 * n, sc = 192 + 8 * n, base = 128 * n
            @inline(__always) func s(_ i: Int) -> Float { Float(b.load(fromByteOffset: sc + i, as: Int8.self)) }
            for l in 0..<32 {
                let i = l / 16
                let h = byte(b, qh + l)
                let q1 = ((byte(b, ql + l) & 0xF) | ((h & 3) << 4)) - 32
                let q2 = ((byte(b, ql + l + 32) & 0xF) | (((h >> 2) & 3) << 4)) - 32
                let q3 = ((byte(b, ql + l) >> 4) | (((h >> 4) & 3) << 4)) - 32
                let q4 = ((byte(b, ql + l + 32) >> 4) | (((h >> 6) & 3) << 4)) - 32
                y[base + l] = d * s(i) * Float(q1)
                y[base + l + 32] = d * s(i + 2) * Float(q2)
                y[base + l + 64] = d * s(i + 4) * Float(q3)
                y[base + l + 96] = d * s(i + 6) * Float(q4)
            }
        }
    }
}
