import Foundation
import Records

/// Writes float32 `.safetensors` files the way Hugging Face does: 8-byte little-endian
/// header length, a JSON header with `__metadata__` first (`{"format": "pt"}` by default)
/// and then every tensor sorted by name with `dtype`, `shape`, `data_offsets`, padded with
/// spaces to a multiple of 8 bytes so the data section is 8-byte aligned, then the data
/// contiguous in header order. Written to `path.tmp-<pid>` and renamed when complete.
/// Reference: https://huggingface.co/docs/safetensors/ (format),
/// https://github.com/huggingface/safetensors/blob/main/safetensors/src/tensor.rs (`prepare`, padding).
public enum SafetensorsWriter {
    /// One float32 tensor to write; `data` must hold `shape.reduce(1, *)` floats.
    public struct Tensor {
        public var name: String
        public var shape: [Int]
        public var data: UnsafeBufferPointer<Float>
        public init(name: String, shape: [Int], data: UnsafeBufferPointer<Float>) {
            self.name = name
            self.shape = shape
            self.data = data
        }
    }

    /// Writes `tensors` (sorted by name in the file) to `path`, as F32 or, with `dtype: .bf16`,
    /// as BF16 rounded to nearest even (NaN stays NaN), like PyTorch's `.to(torch.bfloat16)`.
    public static func write(path: String, tensors: [Tensor], metadata: [String: String] = ["format": "pt"],
                             dtype: SafetensorsDType = .f32) throws {
        let loc = SourceLocation(file: path)
        guard dtype == .f32 || dtype == .bf16 else {
            throw DataIOError("writing \(dtype.rawValue) is not supported", at: loc, hint: "F32 or BF16")
        }
        let esize = dtype.size
        let sorted = tensors.sorted { $0.name < $1.name }
        var header = JSONObject()
        if !metadata.isEmpty {
            var m = JSONObject()
            for k in metadata.keys.sorted() { m[k] = .string(metadata[k] ?? "") }
            header["__metadata__"] = .object(m)
        }
        var offset = 0
        var names = Set<String>()
        for t in sorted {
            guard names.insert(t.name).inserted else {
                throw DataIOError("duplicate tensor name", at: SourceLocation(file: path, field: t.name))
            }
            let n = t.shape.reduce(1, *)
            guard n == t.data.count else {
                throw DataIOError("shape \(t.shape) needs \(n) floats, buffer has \(t.data.count)",
                                  at: SourceLocation(file: path, field: t.name))
            }
            header[t.name] = .object(JSONObject([
                ("dtype", .string(dtype.rawValue)),
                ("shape", .array(t.shape.map { .int(Int64($0)) })),
                ("data_offsets", .array([.int(Int64(offset)), .int(Int64(offset + esize * n))])),
            ]))
            offset += esize * n
        }
        var hbytes: [UInt8] = []
        JSONWriter().write(.object(header), into: &hbytes)
        while hbytes.count % 8 != 0 { hbytes.append(0x20) }
        let tmp = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: nil),
              let fh = FileHandle(forWritingAtPath: tmp)
        else { throw DataIOError("cannot create file", at: SourceLocation(file: tmp)) }
        do {
            var len = UInt64(hbytes.count).littleEndian
            try fh.write(contentsOf: Data(bytes: &len, count: 8))
            try fh.write(contentsOf: Data(hbytes))
            for t in sorted where t.data.count > 0 {
                // Write in 16 MB pieces to bound the temporary Data copies.
                var i = 0
                let step = 1 << 22
                while i < t.data.count {
                    let n = min(step, t.data.count - i)
                    if dtype == .bf16 {
                        try fh.write(contentsOf: bf16Bytes(t.data.baseAddress! + i, n))
                    } else {
                        try fh.write(contentsOf: Data(bytes: t.data.baseAddress! + i, count: 4 * n))
                    }
                    i += n
                }
            }
            try fh.close()
        } catch {
            try? fh.close()
            try? FileManager.default.removeItem(atPath: tmp)
            throw DataIOError("write failed: \(error)", at: loc)
        }
        if FileManager.default.fileExists(atPath: path) { try? FileManager.default.removeItem(atPath: path) }
        do {
            try FileManager.default.moveItem(atPath: tmp, toPath: path)
        } catch {
            throw DataIOError("cannot rename \(tmp) into place: \(error)", at: loc)
        }
    }

    /// `n` floats as little-endian bfloat16 (round to nearest even; NaN kept quiet).
    static func bf16Bytes(_ p: UnsafePointer<Float>, _ n: Int) -> Data {
        var d = Data(count: 2 * n)
        d.withUnsafeMutableBytes { raw in
            for i in 0..<n {
                let b = p[i].bitPattern
                let h: UInt32 = p[i].isNaN ? (b >> 16) | 0x40 : (b &+ 0x7FFF &+ ((b >> 16) & 1)) >> 16
                raw.storeBytes(of: UInt16(truncatingIfNeeded: h).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
        }
        return d
    }
}
