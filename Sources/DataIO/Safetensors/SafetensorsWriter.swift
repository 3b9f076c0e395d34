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

    /// Writes `tensors` (sorted by name in the file) to `path`.
    public static func write(path: String, tensors: [Tensor], metadata: [String: String] = ["format": "pt"]) throws {
        let loc = SourceLocation(file: path)
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
                ("dtype", .string("F32")),
                ("shape", .array(t.shape.map { .int(Int64($0)) })),
                ("data_offsets", .array([.int(Int64(offset)), .int(Int64(offset + 4 * n))])),
            ]))
            offset += 4 * n
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
                    try fh.write(contentsOf: Data(bytes: t.data.baseAddress! + i, count: 4 * n))
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
}
