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
