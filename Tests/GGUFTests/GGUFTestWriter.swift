import DataIO
import Foundation

/// A minimal GGUF v3 writer for tests (F32 and F16 tensors; any metadata value), laid out as
/// llama.cpp writes: header, key/values, tensor infos, padding to the alignment, data.
/// Reference: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
struct GGUFTestWriter {
    var kv: [(String, GGUFValue)] = []
    var tensors: [(name: String, ne: [Int], type: GGMLType, data: [UInt8])] = []
    var alignment = 32

    mutating func add(_ key: String, _ v: GGUFValue) { kv.append((key, v)) }

    /// A float32 tensor with numpy `shape` (written with ne = shape reversed).
    mutating func addF32(_ name: String, shape: [Int], _ values: [Float]) {
        var d: [UInt8] = []
        d.reserveCapacity(4 * values.count)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
        tensors.append((name, shape.reversed(), .f32, d))
    }

    /// A tensor stored as F16 or Q8_0 (blocks of 32 along each row, d = absmax/127 as fp16,
    /// q = round(x/d), as ggml's `quantize_row_q8_0_ref`); returns the float32 values the stored
    /// bytes represent (what a correct dequantizer must give back).
    @discardableResult
    mutating func add(_ name: String, shape: [Int], _ values: [Float], as type: GGMLType) -> [Float] {
        switch type {
        case .f16:
            var d: [UInt8] = []
            for v in values { withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { d.append(contentsOf: $0) } }
            tensors.append((name, shape.reversed(), .f16, d))
            return values.map { Float(Float16($0)) }
        case .q8_0:
            let (d, r) = Self.q8_0(values)
            tensors.append((name, shape.reversed(), .q8_0, d))
            return r
        default:
            addF32(name, shape: shape, values)
            return values
        }
    }

    /// Q8_0 bytes and represented values of `v` (count a multiple of 32).
    static func q8_0(_ v: [Float]) -> ([UInt8], [Float]) {
        var out: [UInt8] = [], rep: [Float] = []
        for b in stride(from: 0, to: v.count, by: 32) {
            let blk = v[b..<(b + 32)]
            let amax = blk.map { abs($0) }.max() ?? 0
            let d = amax / 127, d16 = Float16(d)
            let id: Float = d != 0 ? 1 / d : 0
            withUnsafeBytes(of: d16.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            for x in blk {
                let q = Int8(max(-127, min(127, (x * id).rounded())))
                out.append(UInt8(bitPattern: q))
                rep.append(Float(q) * Float(d16))
            }
        }
        return (out, rep)
    }

    static func u32(_ v: UInt32, _ out: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    static func u64(_ v: UInt64, _ out: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    static func str(_ s: String, _ out: inout [UInt8]) { u64(UInt64(s.utf8.count), &out); out.append(contentsOf: s.utf8) }

    static func value(_ v: GGUFValue, _ out: inout [UInt8]) {
        switch v {
        case .uint8(let x): out.append(x)
        case .int8(let x): out.append(UInt8(bitPattern: x))
        case .uint16(let x): withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
        case .int16(let x): withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
        case .uint32(let x): u32(x, &out)
        case .int32(let x): u32(UInt32(bitPattern: x), &out)
        case .uint64(let x): u64(x, &out)
        case .int64(let x): u64(UInt64(bitPattern: x), &out)
        case .float32(let x): u32(x.bitPattern, &out)
        case .float64(let x): u64(x.bitPattern, &out)
        case .bool(let b): out.append(b ? 1 : 0)
        case .string(let s): str(s, &out)
        case .array(let t, let items):
            u32(t.rawValue, &out)
            u64(UInt64(items.count), &out)
            for i in items { value(i, &out) }
        }
    }

    func bytes() -> [UInt8] {
        var out: [UInt8] = Array("GGUF".utf8)
        Self.u32(3, &out)
        Self.u64(UInt64(tensors.count), &out)
        Self.u64(UInt64(kv.count), &out)
        for (k, v) in kv {
            Self.str(k, &out)
            Self.u32(v.type.rawValue, &out)
            Self.value(v, &out)
        }
        var offset = 0
        var offsets: [Int] = []
        for t in tensors {
            offsets.append(offset)
            offset = (offset + t.data.count + alignment - 1) / alignment * alignment
        }
        for (t, off) in zip(tensors, offsets) {
            Self.str(t.name, &out)
            Self.u32(UInt32(t.ne.count), &out)
            for n in t.ne { Self.u64(UInt64(n), &out) }
            Self.u32(t.type.rawValue, &out)
            Self.u64(UInt64(off), &out)
        }
        while out.count % alignment != 0 { out.append(0) }
        let base = out.count
        for (t, off) in zip(tensors, offsets) {
            while out.count < base + off { out.append(0) }
            out.append(contentsOf: t.data)
        }
        return out
    }
}
