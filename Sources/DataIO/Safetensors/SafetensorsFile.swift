import Foundation
import Records

#if canImport(Glibc)
    import Glibc
#endif

/// Element types of the safetensors format.
public enum SafetensorsDType: String, Sendable, Equatable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f64, .i64, .u64: return 8
        case .f32, .i32, .u32: return 4
        case .f16, .bf16, .i16, .u16: return 2
        case .i8, .u8, .bool: return 1
        }
    }
}

/// One tensor entry of a safetensors header.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public var name: String
    public var dtype: SafetensorsDType
    public var shape: [Int]
    /// Byte range inside the data section (after the header).
    public var begin: Int
    public var end: Int
    public var count: Int { shape.reduce(1, *) }
}

/// A memory-mapped `.safetensors` file: u64 little-endian header length N, N bytes of JSON
/// header (`{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`),
/// then the data section. The header is validated completely when the file is opened:
/// unknown dtypes, sizes that do not match the shape, ranges outside the file and
/// overlapping tensors are `DataIOError`s naming the file and the tensor.
/// Reference: https://huggingface.co/docs/safetensors/ (format), https://github.com/huggingface/safetensors
///
/// Float access widens BF16 / F16 / F64 to float32 on copy (`copyFloats`); F32 is copied as is.
/// After a tensor has been copied, `release(_:)` lets the kernel drop its pages, so loading a
/// checkpoint peaks near one copy of the weights rather than two.
public final class SafetensorsFile: @unchecked Sendable {
    public let path: String
    /// Tensors in header order.
    public let tensors: [SafetensorsTensorInfo]
    /// `__metadata__` string map (empty when absent).
    public let metadata: [String: String]
    private let index: [String: Int]
    private let base: UnsafeMutableRawPointer?
    private let mappedSize: Int
    private let dataStart: Int

    /// Maximum header size accepted (the reference implementation uses 100 MB).
    public static let maxHeaderBytes = 100_000_000

    public init(path: String) throws {
        self.path = path
        let loc = SourceLocation(file: path)
        let (p, size) = try PosixFile.mapReadOnly(path, what: "safetensors file", minimumBytes: 8) { size in
            DataIOError("file too short for a safetensors header (\(size) bytes)", at: loc,
                        hint: "a safetensors file starts with an 8-byte header length")
        }
        base = p
        mappedSize = size
        do {
            // Range-check the u64 before converting it: a value ≥ 2^63 does not fit an Int.
            let n64 = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
            guard n64 >= 2, n64 <= UInt64(Self.maxHeaderBytes), n64 <= UInt64(size - 8) else {
                throw DataIOError("header length \(n64) out of range for a file of \(size) bytes", at: loc,
                                  hint: "not a safetensors file, or truncated")
            }
            let n = Int(n64)
            dataStart = 8 + n
            let json: JSONValue
            do {
                json = try JSONParser.parse(UnsafeRawBufferPointer(start: p + 8, count: n))
            } catch let e as JSONParseError {
                throw DataIOError("bad safetensors header JSON: \(e.reason)", at: SourceLocation(file: path, byteOffset: Int64(8 + e.offset)))
            }
            (tensors, metadata) = try Self.parseHeader(json, dataSize: size - dataStart, path: path)
        } catch {
            munmap(p, size)
            throw error
        }
        var idx = [String: Int]()
        for (i, t) in tensors.enumerated() { idx[t.name] = i }
        index = idx
    }

    deinit {
        if let base { munmap(base, mappedSize) }
    }

    static func parseHeader(_ json: JSONValue, dataSize: Int, path: String) throws
        -> ([SafetensorsTensorInfo], [String: String])
    {
        guard case .object(let obj) = json else {
            throw DataIOError("safetensors header is not a JSON object", at: SourceLocation(file: path))
        }
        var out: [SafetensorsTensorInfo] = []
        var meta: [String: String] = [:]
        var seen = Set<String>()
        for (name, v) in obj.entries {
            let loc = SourceLocation(file: path, field: name)
            guard seen.insert(name).inserted else { throw DataIOError("duplicate tensor name", at: loc) }
            if name == "__metadata__" {
                guard case .object(let m) = v else { throw DataIOError("__metadata__ is not an object", at: loc) }
                for (k, mv) in m.entries {
                    guard let s = mv.stringValue else {
                        throw DataIOError("__metadata__ value for '\(k)' is not a string", at: loc)
                    }
                    meta[k] = s
                }
                continue
            }
            guard let ds = v["dtype"]?.stringValue else { throw DataIOError("tensor has no dtype", at: loc) }
            guard let dtype = SafetensorsDType(rawValue: ds) else {
                throw DataIOError("unsupported dtype \(ds)", at: loc,
                                  hint: "supported: " + SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard let sh = v["shape"]?.arrayValue else { throw DataIOError("tensor has no shape", at: loc) }
            var shape: [Int] = []
            var count = 1
            for d in sh {
                guard let x = d.intValue, x >= 0, x < (1 << 40) else {
                    throw DataIOError("bad shape entry \(d)", at: loc)
                }
                shape.append(Int(x))
                let (c, o) = count.multipliedReportingOverflow(by: Int(x))
                guard !o, c < (1 << 48) else { throw DataIOError("shape too large", at: loc) }
                count = c
            }
            guard let offs = v["data_offsets"]?.arrayValue, offs.count == 2,
                  let b = offs[0].intValue, let e = offs[1].intValue
            else { throw DataIOError("tensor has no valid data_offsets [begin, end]", at: loc) }
            guard b >= 0, e >= b, e <= Int64(dataSize) else {
                throw DataIOError("data_offsets [\(b), \(e)] out of range (data section is \(dataSize) bytes)", at: loc,
                                  hint: "truncated or corrupt file")
            }
            guard Int(e - b) == count * dtype.size else {
                throw DataIOError("data_offsets cover \(e - b) bytes but shape \(shape) of \(ds) needs \(count * dtype.size)",
                                  at: loc)
            }
            out.append(SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, begin: Int(b), end: Int(e)))
        }
        // The tensors must tile the data section exactly (as the reference implementation
        // checks): no overlap, no gap, nothing after the last one. A header length that is off
        // by a byte shifts every tensor and is caught here.
        let sorted = out.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expected = 0
        for t in sorted {
            if t.begin < expected {
                throw DataIOError("tensor overlaps the previous tensor (data_offsets begin \(t.begin) < \(expected))",
                                  at: SourceLocation(file: path, field: t.name))
            }
            if t.begin > expected {
                throw DataIOError("gap of \(t.begin - expected) bytes before this tensor (data_offsets begin \(t.begin), expected \(expected))",
                                  at: SourceLocation(file: path, field: t.name),
                                  hint: "tensor offsets must tile the data section; the header length may be wrong")
            }
            expected = t.end
        }
        if expected != dataSize {
            throw DataIOError("tensors cover \(expected) bytes but the data section has \(dataSize)", at: SourceLocation(file: path),
                              hint: "tensor offsets must tile the data section; the header length may be wrong or the file truncated/extended")
        }
        return (out, meta)
    }

    /// The entry for `name`, or nil.
    public func info(_ name: String) -> SafetensorsTensorInfo? {
        index[name].map { tensors[$0] }
    }

    /// The entry for `name`, or a `DataIOError` naming the file and tensor.
    public func require(_ name: String) throws -> SafetensorsTensorInfo {
        guard let t = info(name) else {
            throw DataIOError("tensor not found", at: SourceLocation(file: path, field: name))
        }
        return t
    }

    /// The raw bytes of a tensor (valid while this object lives).
    public func bytes(_ name: String) throws -> UnsafeRawBufferPointer {
        let t = try require(name)
        return UnsafeRawBufferPointer(start: base.map { UnsafeRawPointer($0) + dataStart + t.begin }, count: t.end - t.begin)
    }

    /// Copies a floating-point tensor into `dst` as float32 (BF16/F16/F64 widened or narrowed).
    /// `count` must equal the tensor's element count.
    public func copyFloats(_ name: String, into dst: UnsafeMutablePointer<Float>, count: Int) throws {
        let t = try require(name)
        let loc = SourceLocation(file: path, field: name)
        guard t.count == count else {
            throw DataIOError("tensor has \(t.count) elements (shape \(t.shape)), expected \(count)", at: loc)
        }
        let raw = try bytes(name)
        guard let src = raw.baseAddress else { return }
        switch t.dtype {
        case .f32:
            UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
        case .bf16, .f16:
            // Unaligned-safe: read pairs of bytes.
            let u8 = src.assumingMemoryBound(to: UInt8.self)
            let isBF = t.dtype == .bf16
            for i in 0..<count {
                let h = UInt16(u8[2 * i]) | UInt16(u8[2 * i + 1]) << 8
                dst[i] = isBF ? Float(bitPattern: UInt32(h) << 16) : Self.half(h)
            }
        case .f64:
            for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
        default:
            throw DataIOError("tensor dtype \(t.dtype.rawValue) is not a floating-point type", at: loc)
        }
    }

    /// A floating-point tensor as a float32 array.
    public func floats(_ name: String) throws -> [Float] {
        let t = try require(name)
        var out = [Float](repeating: 0, count: t.count)
        try out.withUnsafeMutableBufferPointer { b in
            if let p = b.baseAddress { try copyFloats(name, into: p, count: t.count) }
        }
        return out
    }

    /// A floating-point tensor as a float64 array (F64 exact; others widened).
    public func doubles(_ name: String) throws -> [Double] {
        let t = try require(name)
        if t.dtype == .f64 {
            let raw = try bytes(name)
            return (0..<t.count).map { raw.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self) }
        }
        return try floats(name).map(Double.init)
    }

    /// An integer or bool tensor as Int64.
    public func integers(_ name: String) throws -> [Int64] {
        let t = try require(name)
        let raw = try bytes(name)
        let n = t.count
        switch t.dtype {
        case .i64: return (0..<n).map { raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self) }
        case .u64: return (0..<n).map { Int64(bitPattern: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)) }
        case .i32: return (0..<n).map { Int64(raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        case .u32: return (0..<n).map { Int64(raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
        case .i16: return (0..<n).map { Int64(raw.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self)) }
        case .u16: return (0..<n).map { Int64(raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        case .i8: return (0..<n).map { Int64(Int8(bitPattern: raw[$0])) }
        case .u8, .bool: return (0..<n).map { Int64(raw[$0]) }
        default:
            throw DataIOError("tensor dtype \(t.dtype.rawValue) is not an integer type", at: SourceLocation(file: path, field: name))
        }
    }

    /// Tells the kernel the pages of `name` are no longer needed (they are re-read from the file
    /// if accessed again). Used after copying weights out, to keep peak memory near one copy.
    public func release(_ name: String) {
        guard let t = info(name), let base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lo = (dataStart + t.begin + page - 1) / page * page
        let hi = (dataStart + t.end) / page * page
        if hi > lo { _ = madvise(base + lo, hi - lo, Int32(MADV_DONTNEED)) }
    }

    static func half(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = Int((h >> 10) & 0x1F)
        let man = UInt32(h & 0x3FF)
        if exp == 0 {
            if man == 0 { return Float(bitPattern: sign) }
            let v = Float(man) * 0x1p-24
            return sign != 0 ? -v : v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (man << 13)) }
        return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (man << 13))
    }
}
