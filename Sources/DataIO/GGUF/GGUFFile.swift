import Foundation
import Records

#if canImport(Glibc)
    import Glibc
#endif

/// One tensor entry of a GGUF file.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// llama.cpp's tensor name (`token_embd.weight`, `blk.0.attn_q.weight`, …).
    public var name: String
    /// Dimensions in ggml order: `ne[0]` is the fastest-varying (the row length).
    public var ne: [Int]
    /// The block format of the data.
    public var type: GGMLType
    /// Offset of the data relative to the start of the data section.
    public var offset: Int
    /// Bytes of the data (`elements / blockSize * typeSize`).
    public var byteCount: Int
    public var elementCount: Int
    /// Row-major (numpy / PyTorch) shape: `ne` reversed.
    public var shape: [Int] { ne.reversed() }
}

/// A memory-mapped GGUF file (v2 or v3, little-endian): header, key/value metadata and
/// tensor infos are decoded and validated completely when the file is opened; tensor data
/// stays in the mapping and is dequantized on request (`GGUFDequant`).
///
/// Layout: magic `GGUF`, u32 version, u64 tensor count, u64 key/value count, the key/values
/// (u64-length string key, u32 type, value), the tensor infos (name, u32 n_dims, n_dims × u64
/// `ne`, u32 ggml type, u64 offset), padding to `general.alignment` (default 32), data.
/// Every length, count and offset is checked against the file size before use; a tensor whose
/// data lies outside the file, is misaligned, overlaps another, or whose shape does not fit its
/// block type is a `DataIOError` naming the file, the byte offset or tensor, and a hint.
/// Big-endian files (version reads as 0x0N000000) are rejected with a clear error.
/// Reference: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md,
/// https://github.com/ggml-org/ggml/blob/master/src/gguf.cpp (`gguf_init_from_file_impl`).
public final class GGUFFile: @unchecked Sendable {
    /// The file this was read from (used in error locations).
    public let path: String
    /// Header version (2 or 3).
    public let version: UInt32
    /// Key/value pairs in file order.
    public let metadata: [(key: String, value: GGUFValue)]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    /// `general.alignment` (default 32): tensor offsets and the data section are multiples of it.
    public let alignment: Int
    /// Absolute byte offset of the data section.
    public let dataOffset: Int
    /// Size of the file in bytes.
    public let fileSize: Int
    private let keyIndex: [String: Int]
    private let tensorIndex: [String: Int]
    private let base: UnsafeMutableRawPointer?

    /// ggml's limit on tensor dimensions.
    public static let maxDims = 4

    /// Maps and validates the file at `path`; throws a located `DataIOError` on any problem.
    public init(path: String) throws {
        self.path = path
        let (p, size) = try PosixFile.mapReadOnly(path, what: "GGUF file", minimumBytes: 24) { size in
            DataIOError("file too short for a GGUF header (\(size) bytes)", at: SourceLocation(file: path),
                        hint: "a GGUF file starts with magic, version, tensor count and key/value count (24 bytes)")
        }
        base = p
        fileSize = size
        do {
            let h = try Self.parse(base: UnsafeRawPointer(p), size: size, path: path)
            (version, metadata, tensors, alignment, dataOffset) = h
        } catch {
            munmap(p, size)
            throw error
        }
        var ki = [String: Int](), ti = [String: Int]()
        for (i, kv) in metadata.enumerated() { ki[kv.key] = i }
        for (i, t) in tensors.enumerated() { ti[t.name] = i }
        keyIndex = ki
        tensorIndex = ti
    }

    deinit {
        if let base { munmap(base, fileSize) }
    }

    typealias Header = (UInt32, [(key: String, value: GGUFValue)], [GGUFTensorInfo], Int, Int)

    static func parse(base: UnsafeRawPointer, size: Int, path: String) throws -> Header {
        var c = GGUFCursor(base: base, size: size, path: path)
        let magic = try c.u32("magic")
        guard magic == 0x4655_4747 else {  // "GGUF" little-endian
            throw c.error("not a GGUF file (magic \(String(magic, radix: 16)))", at: 0, hint: "a GGUF file starts with the bytes 'GGUF'")
        }
        let version = try c.u32("version")
        if version & 0xFFFF == 0, (version >> 24) == 2 || (version >> 24) == 3 {
            throw c.error("big-endian GGUF file (version reads as 0x\(String(version, radix: 16, uppercase: true)))", at: 4,
                          hint: "only little-endian GGUF files are supported; re-export the model little-endian")
        }
        guard version == 2 || version == 3 else {
            throw c.error("unsupported GGUF version \(version)", at: 4, hint: "versions 2 and 3 are supported")
        }
        // Each tensor info takes at least 8 (name) + 4 + 4 + 8 bytes; each key/value at least 8 + 4 + 1.
        let nTensors = try c.count("tensor count", limit: c.remaining / 24)
        let nKV = try c.count("key/value count", limit: c.remaining / 13)
        var kvs: [(key: String, value: GGUFValue)] = []
        kvs.reserveCapacity(nKV)
        var seen = Set<String>()
        for i in 0..<nKV {
            let at = c.pos
            c.field = "key/value \(i)"
            let key = try c.string("key")
            c.field = key
            guard seen.insert(key).inserted else { throw c.error("duplicate metadata key", at: at) }
            let t = try c.valueType("value type")
            kvs.append((key, try c.value(t)))
        }
        var alignment = 32
        if let a = kvs.first(where: { $0.key == "general.alignment" }) {
            guard case .uint32(let v) = a.value, v > 0, v & (v - 1) == 0, v <= 1 << 20 else {
                throw DataIOError("general.alignment must be a UINT32 power of two, got \(a.value)",
                                  at: SourceLocation(file: path, field: "general.alignment"))
            }
            alignment = Int(v)
        }
        var infos: [GGUFTensorInfo] = []
        infos.reserveCapacity(nTensors)
        var names = Set<String>()
        for i in 0..<nTensors {
            let at = c.pos
            c.field = "tensor info \(i)"
            let name = try c.string("tensor name")
            c.field = name
            guard names.insert(name).inserted else { throw c.error("duplicate tensor name", at: at) }
            let nd = try c.u32("n_dims")
            guard nd >= 1, nd <= UInt32(maxDims) else {
                throw c.error("tensor has \(nd) dimensions", hint: "ggml tensors have 1 to \(maxDims)")
            }
            var ne: [Int] = []
            var count = 1
            for _ in 0..<Int(nd) {
                let d = try c.count("ne", limit: 1 << 48)
                ne.append(d)
                let (m, o) = count.multipliedReportingOverflow(by: d)
                guard !o, m <= 1 << 48 else { throw c.error("tensor shape \(ne) is too large") }
                count = m
            }
            let tAt = c.pos
            let tid = try c.u32("ggml type")
            guard let type = GGMLType(rawValue: tid) else {
                throw c.error("tensor type \(GGMLType.name(of: tid)) (id \(tid)) is not supported", at: tAt,
                              hint: "supported: " + GGMLType.allCases.map(\.description).joined(separator: ", "))
            }
            guard ne[0] % type.blockSize == 0 else {
                throw c.error("row length ne[0] = \(ne[0]) is not a multiple of the \(type) block size \(type.blockSize)")
            }
            let oAt = c.pos
            let off = try c.count("tensor offset", limit: 1 << 56)
            guard off % alignment == 0 else {
                throw c.error("tensor offset \(off) is not a multiple of the alignment \(alignment)", at: oAt)
            }
            infos.append(GGUFTensorInfo(name: name, ne: ne, type: type, offset: off,
                                        byteCount: count / type.blockSize * type.typeSize, elementCount: count))
        }
        c.field = nil
        let dataOffset = (c.pos + alignment - 1) / alignment * alignment
        let dataSize = size - min(size, dataOffset)
        for t in infos {
            let (end, o) = t.offset.addingReportingOverflow(t.byteCount)
            guard !o, end <= dataSize else {
                throw DataIOError(
                    "tensor data [\(t.offset), \(t.offset &+ t.byteCount)) of \(t.type) shape ne \(t.ne) lies past the end of the data section (\(dataSize) bytes from offset \(dataOffset))",
                    at: SourceLocation(file: path, byteOffset: Int64(dataOffset) + Int64(t.offset), field: t.name),
                    hint: "truncated file, or a tensor offset / shape that does not match its data")
            }
        }
        let sorted = infos.sorted { $0.offset < $1.offset }
        for i in sorted.indices.dropFirst() where sorted[i].offset < sorted[i - 1].offset + sorted[i - 1].byteCount {
            throw DataIOError("tensor data overlaps '\(sorted[i - 1].name)'",
                              at: SourceLocation(file: path, byteOffset: Int64(dataOffset + sorted[i].offset), field: sorted[i].name),
                              hint: "a tensor offset or shape is inconsistent with the others")
        }
        return (version, kvs, infos, alignment, dataOffset)
    }

    /// The metadata value for `key`, or nil.
    public subscript(key: String) -> GGUFValue? { keyIndex[key].map { metadata[$0].value } }

    /// The tensor info for `name`, or nil.
    public func info(_ name: String) -> GGUFTensorInfo? { tensorIndex[name].map { tensors[$0] } }

    /// The tensor info for `name`, or a `DataIOError` naming the file and tensor.
    public func require(_ name: String) throws -> GGUFTensorInfo {
        guard let t = info(name) else { throw DataIOError("tensor not found", at: SourceLocation(file: path, field: name)) }
        return t
    }

    /// The raw (quantized) bytes of a tensor; valid while this object lives.
    public func bytes(_ t: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base.map { UnsafeRawPointer($0) + dataOffset + t.offset }, count: t.byteCount)
    }

    /// Dequantizes tensor `t` to float32 into `dst` (`t.elementCount` floats), in ggml order
    /// (row-major over the numpy `shape`).
    public func dequantize(_ t: GGUFTensorInfo, into dst: UnsafeMutablePointer<Float>) {
        let raw = bytes(t)
        guard let src = raw.baseAddress, t.elementCount > 0 else { return }
        GGUFDequant.dequantize(t.type, src, dst, count: t.elementCount)
    }

    /// A tensor as a float32 array (row-major over `shape`).
    public func floats(_ name: String) throws -> [Float] {
        let t = try require(name)
        return [Float](unsafeUninitializedCapacity: t.elementCount) { b, n in
            if let p = b.baseAddress { dequantize(t, into: p) }
            n = t.elementCount
        }
    }

    /// Tells the kernel the pages of `t` are no longer needed (re-read from the file if touched).
    public func release(_ t: GGUFTensorInfo) {
        guard let base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lo = (dataOffset + t.offset + page - 1) / page * page
        let hi = (dataOffset + t.offset + t.byteCount) / page * page
        if hi > lo { _ = madvise(base + lo, hi - lo, Int32(MADV_DONTNEED)) }
    }
}
