import Foundation
import Records

/// The weights of a Hugging Face model folder: either one `model.safetensors`, or shards
/// listed by `model.safetensors.index.json` (`{"metadata": ..., "weight_map": {tensor: file}}`).
/// Every shard is memory-mapped; a tensor named in the weight map but absent from its shard
/// (or a shard missing) is a `DataIOError` naming the file and tensor.
/// Reference: https://huggingface.co/docs/transformers/main/en/big_models (sharded checkpoints).
public final class SafetensorsCheckpoint: @unchecked Sendable {
    public let directory: String
    /// Shard files, in first-use order.
    public let files: [SafetensorsFile]
    private let owner: [String: Int]

    public init(directory: String) throws {
        self.directory = directory
        let fm = FileManager.default
        let single = (directory as NSString).appendingPathComponent("model.safetensors")
        let indexPath = (directory as NSString).appendingPathComponent("model.safetensors.index.json")
        if fm.fileExists(atPath: single) {
            let f = try SafetensorsFile(path: single)
            files = [f]
            var o = [String: Int]()
            for t in f.tensors { o[t.name] = 0 }
            owner = o
            return
        }
        guard fm.fileExists(atPath: indexPath) else {
            throw DataIOError("no model.safetensors or model.safetensors.index.json", at: SourceLocation(file: directory),
                              hint: "expected a Hugging Face model folder")
        }
        guard let data = fm.contents(atPath: indexPath) else {
            throw DataIOError("cannot read index", at: SourceLocation(file: indexPath))
        }
        let json: JSONValue
        do { json = try JSONParser.parse(data) } catch let e as JSONParseError {
            throw DataIOError("bad JSON: \(e.reason)", at: SourceLocation(file: indexPath, byteOffset: Int64(e.offset)))
        }
        guard let map = json["weight_map"]?.objectValue else {
            throw DataIOError("index has no weight_map object", at: SourceLocation(file: indexPath, field: "weight_map"))
        }
        var opened: [String: Int] = [:]
        var fs: [SafetensorsFile] = []
        var o = [String: Int]()
        for (name, v) in map.entries {
            guard let fname = v.stringValue, !fname.hasPrefix("/"), !fname.contains("..") else {
                throw DataIOError("weight_map entry is not a file name", at: SourceLocation(file: indexPath, field: name))
            }
            let idx: Int
            if let i = opened[fname] {
                idx = i
            } else {
                let p = (directory as NSString).appendingPathComponent(fname)
                guard fm.fileExists(atPath: p) else {
                    throw DataIOError("shard \(fname) listed for tensor '\(name)' does not exist", at: SourceLocation(file: indexPath, field: name))
                }
                fs.append(try SafetensorsFile(path: p))
                idx = fs.count - 1
                opened[fname] = idx
            }
            guard fs[idx].info(name) != nil else {
                throw DataIOError("tensor listed in the index is missing from the shard", at: SourceLocation(file: fs[idx].path, field: name))
            }
            o[name] = idx
        }
        files = fs
        owner = o
    }

    /// All tensor names.
    public var names: [String] { owner.keys.sorted() }

    /// The header entry of `name`, or nil.
    public func info(_ name: String) -> SafetensorsTensorInfo? {
        owner[name].flatMap { files[$0].info(name) }
    }

    /// The file holding `name`, or a `DataIOError`.
    public func file(for name: String) throws -> SafetensorsFile {
        guard let i = owner[name] else {
            throw DataIOError("tensor not found in checkpoint", at: SourceLocation(file: directory, field: name))
        }
        return files[i]
    }

    /// Copies `name` as float32 into `dst` (see `SafetensorsFile.copyFloats`) and releases its pages.
    public func copyFloats(_ name: String, into dst: UnsafeMutablePointer<Float>, count: Int) throws {
        let f = try file(for: name)
        try f.copyFloats(name, into: dst, count: count)
        f.release(name)
    }
}
