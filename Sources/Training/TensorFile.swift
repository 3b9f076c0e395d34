import Foundation
import Records

/// A minimal safetensors reader/writer for the trainer (checkpoints, optimizer state, goldens).
/// Format: https://github.com/huggingface/safetensors#format — u64 LE header length, a JSON
/// header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then data.
/// Reads F32, BF16, F16 (converted to Float), I64 and U8/BOOL (as Int64). Writes F32 only.
public struct TensorFile: Sendable {
    public struct Entry: Sendable {
        public var dtype: String
        public var shape: [Int]
        public var begin: Int
        public var end: Int
    }
    public let path: String
    public let entries: [String: Entry]
    /// Tensor names in header order.
    public let names: [String]
    public let metadata: [String: String]
    private let data: Data
    private let dataStart: Int

    /// Memory-maps and parses `path`.
    public init(path: String) throws {
        self.path = path
        guard let d = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw TrainError("cannot read safetensors file", at: path)
        }
        guard d.count >= 8 else { throw TrainError("file too short for a safetensors header", at: path) }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(d[d.startIndex + i]) << (8 * UInt64(i)) }
        guard n <= UInt64(d.count - 8) else { throw TrainError("header length \(n) exceeds file size", at: path) }
        let header = d.subdata(in: (d.startIndex + 8)..<(d.startIndex + 8 + Int(n)))
        let json: JSONValue
        do { json = try JSONParser.parse(header) } catch {
            throw TrainError("invalid safetensors header JSON: \(error)", at: path)
        }
        guard case .object(let obj) = json else { throw TrainError("safetensors header is not an object", at: path) }
        var entries: [String: Entry] = [:]
        var names: [String] = []
        var meta: [String: String] = [:]
        let dataLen = d.count - 8 - Int(n)
        for (key, value) in obj.entries {
            if key == "__metadata__" {
                if case .object(let m) = value {
                    for (mk, mv) in m.entries { if case .string(let s) = mv { meta[mk] = s } }
                }
                continue
            }
            guard case .object(let t) = value, case .string(let dtype)? = t["dtype"],
                  case .array(let shapeV)? = t["shape"], case .array(let offs)? = t["data_offsets"], offs.count == 2,
                  case .int(let b) = offs[0], case .int(let e) = offs[1] else {
                throw TrainError("malformed header entry for tensor '\(key)'", at: path)
            }
            var shape: [Int] = []
            for s in shapeV { guard case .int(let v) = s, v >= 0 else { throw TrainError("bad shape for '\(key)'", at: path) }; shape.append(Int(v)) }
            guard b >= 0, e >= b, Int(e) <= dataLen else { throw TrainError("data offsets of '\(key)' out of range", at: path) }
            entries[key] = Entry(dtype: dtype, shape: shape, begin: Int(b), end: Int(e))
            names.append(key)
        }
        self.entries = entries; self.names = names; self.metadata = meta
        self.data = d; self.dataStart = 8 + Int(n)
    }

    /// The tensor's values converted to Float (F32, BF16, F16, I64, U8, BOOL).
    public func floats(_ name: String) throws -> [Float] {
        guard let e = entries[name] else { throw TrainError("tensor '\(name)' not found", at: path) }
        let count = e.shape.reduce(1, *)
        let bytes = e.end - e.begin
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Float] in
            let base = raw.baseAddress! + dataStart + e.begin
            switch e.dtype {
            case "F32":
                guard bytes == count * 4 else { throw TrainError("size mismatch for '\(name)'", at: path) }
                return (0..<count).map { base.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
            case "BF16":
                guard bytes == count * 2 else { throw TrainError("size mismatch for '\(name)'", at: path) }
                return (0..<count).map { Float(bitPattern: UInt32(base.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) << 16) }
            case "F16":
                guard bytes == count * 2 else { throw TrainError("size mismatch for '\(name)'", at: path) }
                return (0..<count).map { Float(Float16(bitPattern: base.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) }
            case "I64":
                guard bytes == count * 8 else { throw TrainError("size mismatch for '\(name)'", at: path) }
                return (0..<count).map { Float(base.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
            case "U8", "BOOL":
                guard bytes == count else { throw TrainError("size mismatch for '\(name)'", at: path) }
                return (0..<count).map { Float(base.load(fromByteOffset: $0, as: UInt8.self)) }
            default:
                throw TrainError("unsupported dtype \(e.dtype) for '\(name)'", at: path, hint: "F32, BF16, F16, I64, U8 are supported")
            }
        }
    }

    /// Integer tensor (I64/U8/BOOL/F32) as Int.
    public func ints(_ name: String) throws -> [Int] {
        guard let e = entries[name] else { throw TrainError("tensor '\(name)' not found", at: path) }
        if e.dtype == "I64" {
            let count = e.shape.reduce(1, *)
            return data.withUnsafeBytes { raw in
                (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: dataStart + e.begin + $0 * 8, as: Int64.self)) }
            }
        }
        return try floats(name).map { Int($0) }
    }

    /// Writes F32 tensors (in the given order) atomically (temporary file + rename).
    public static func write(path: String, tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)],
                             metadata: [String: String] = ["format": "pt"]) throws {
        var header = JSONObject()
        var meta = JSONObject()
        for (k, v) in metadata.sorted(by: { $0.key < $1.key }) { meta[k] = .string(v) }
        header["__metadata__"] = .object(meta)
        var offset = 0
        for t in tensors {
            precondition(t.shape.reduce(1, *) == t.values.count, "shape/count mismatch for \(t.name)")
            var e = JSONObject()
            e["dtype"] = .string("F32")
            e["shape"] = .array(t.shape.map { .int(Int64($0)) })
            e["data_offsets"] = .array([.int(Int64(offset)), .int(Int64(offset + t.values.count * 4))])
            header[t.name] = .object(e)
            offset += t.values.count * 4
        }
        var hbytes = Array(JSONWriter().string(.object(header)).utf8)
        while hbytes.count % 8 != 0 { hbytes.append(0x20) }
        var out = Data(capacity: 8 + hbytes.count + offset)
        var n = UInt64(hbytes.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: hbytes)
        for t in tensors { out.append(UnsafeBufferPointer(start: UnsafeRawPointer(t.values.baseAddress!).assumingMemoryBound(to: UInt8.self), count: t.values.count * 4)) }
        let tmp = path + ".tmp"
        do {
            try out.write(to: URL(fileURLWithPath: tmp))
            _ = try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.moveItem(atPath: tmp, toPath: path)
        } catch {
            throw TrainError("cannot write safetensors: \(error)", at: path)
        }
    }
}
