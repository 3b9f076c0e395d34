import DataIO
import Foundation
import Kernels
import Records

/// Converts a GGUF model file into a Hugging Face folder that eaft (`CausalLM.load`,
/// `Tokenizer.load`) and transformers read unchanged: config.json, generation_config.json,
/// model.safetensors (F32 or BF16), tokenizer.json, tokenizer_config.json.
///
/// Every tensor is dequantized to float32 (`GGUFDequant`), renamed to its HF name
/// (`GGUFTensorNames`), and for `llama` files the q/k rows are put back in HF order (llama.cpp
/// permutes them for its rotary layout). `rope_freqs.weight` becomes llama3 `rope_parameters`.
/// The folder is written to a temporary sibling and renamed into place, so an interrupted
/// import leaves nothing half-written at `out`.
/// Reference: https://github.com/ggml-org/llama.cpp/blob/master/convert_hf_to_gguf.py (the inverse
/// direction), transformers `modeling_gguf_pytorch_utils.py` (`load_gguf_checkpoint`).
public enum GGUFImporter {
    /// What an import wrote.
    public struct Report: Sendable, Equatable {
        public var architecture: String
        public var tensors: Int
        public var parameters: Int
        /// Tensor count per GGUF type name (e.g. "Q4_1": 210).
        public var sourceTypes: [String: Int]
        public var config: ModelConfig
    }

    /// Imports `gguf` into the folder `out` (which must not exist unless `overwrite`).
    public static func run(gguf: String, out: String, dtype: SafetensorsDType = .f32, overwrite: Bool = false) throws -> Report {
        guard dtype == .f32 || dtype == .bf16 else {
            throw ModelError("output dtype \(dtype.rawValue) is not supported", at: SourceLocation(file: out), hint: "f32 or bf16")
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: out) && !overwrite {
            throw ModelError("output folder already exists", at: SourceLocation(file: out), hint: "remove it or pass --force")
        }
        let file = try GGUFFile(path: gguf)
        let builder = try GGUFConfigBuilder(file)
        let configJSON = try builder.configJSON(dtype: dtype == .bf16 ? "bfloat16" : "float32")
        let configBytes = Array(JSONWriter().string(configJSON).utf8)
        // Resolve through eaft's own loader: the folder must load in eaft.
        let config = try ConfigRegistry.parse(Data(configBytes), path: (out as NSString).appendingPathComponent("config.json"))
        let (tok, tokCfg) = try GGUFTokenizerExport(file: file).build(contextLength: config.maxPositionEmbeddings)

        // Dequantize every tensor into its HF layout.
        let expected = Dictionary(ModelWeights.layout(config), uniquingKeysWith: { a, _ in a })
        var buffers: [(name: String, shape: [Int], data: UnsafeMutableBufferPointer<Float>)] = []
        defer { for b in buffers { b.data.deallocate() } }
        var types: [String: Int] = [:]
        var params = 0
        for t in file.tensors where t.name != "rope_freqs.weight" {
            let loc = SourceLocation(file: gguf, field: t.name)
            guard let hf = GGUFTensorNames.hfName(t.name) else {
                throw ModelError("tensor '\(t.name)' has no Hugging Face counterpart for \(builder.archName)", at: loc,
                                 hint: "only llama / qwen2 / qwen3 dense decoder tensors are imported")
            }
            guard let shape = expected[hf] else {
                throw ModelError("tensor '\(t.name)' (\(hf)) is not part of this configuration", at: loc)
            }
            guard shape == t.shape else {
                throw ModelError("tensor '\(t.name)' has shape \(t.shape) (ne \(t.ne)), the config needs \(shape) for \(hf)", at: loc)
            }
            let buf = UnsafeMutableBufferPointer<Float>.allocate(capacity: t.elementCount)
            buffers.append((hf, shape, buf))
            let permute = builder.arch == .llama && (t.name.hasSuffix(".attn_q.weight") || t.name.hasSuffix(".attn_q.bias")
                || t.name.hasSuffix(".attn_k.weight") || t.name.hasSuffix(".attn_k.bias"))
            if permute {
                let tmp = UnsafeMutableBufferPointer<Float>.allocate(capacity: t.elementCount)
                defer { tmp.deallocate() }
                dequantize(file, t, into: tmp.baseAddress!)
                let heads = t.name.contains(".attn_q.") ? config.numHeads : config.numKVHeads
                GGUFTensorNames.unpermuteRows(tmp.baseAddress!, buf.baseAddress!, rows: shape[0],
                                              cols: t.elementCount / shape[0], heads: heads)
            } else {
                dequantize(file, t, into: buf.baseAddress!)
            }
            file.release(t)
            types[t.type.description, default: 0] += 1
            params += t.elementCount
        }
        let have = Set(buffers.map(\.name))
        for (name, _) in ModelWeights.layout(config) where !have.contains(name) {
            throw ModelError("the GGUF has no tensor for \(name)", at: SourceLocation(file: gguf),
                             hint: "incomplete or unsupported model file")
        }

        // Write into a temporary sibling, then rename.
        let tmpDir = out + ".tmp-\(getpid())"
        try? fm.removeItem(atPath: tmpDir)
        do {
            try fm.createDirectory(atPath: tmpDir, withIntermediateDirectories: true)
            func write(_ name: String, _ v: JSONValue) throws {
                let path = (tmpDir as NSString).appendingPathComponent(name)
                var bytes: [UInt8] = []
                JSONWriter().write(v, into: &bytes)
                bytes.append(0x0A)
                guard fm.createFile(atPath: path, contents: Data(bytes)) else {
                    throw ModelError("cannot write file", at: SourceLocation(file: path))
                }
            }
            try write("config.json", configJSON)
            try write("generation_config.json", builder.generationConfigJSON())
            try write("tokenizer.json", tok)
            try write("tokenizer_config.json", tokCfg)
            try SafetensorsWriter.write(
                path: (tmpDir as NSString).appendingPathComponent("model.safetensors"),
                tensors: buffers.map { .init(name: $0.name, shape: $0.shape, data: UnsafeBufferPointer($0.data)) },
                metadata: ["format": "pt"], dtype: dtype)
            if fm.fileExists(atPath: out) { try fm.removeItem(atPath: out) }
            try fm.moveItem(atPath: tmpDir, toPath: out)
        } catch {
            try? fm.removeItem(atPath: tmpDir)
            if let e = error as? ModelError { throw e }
            if let e = error as? DataIOError { throw e }
            throw ModelError("cannot write the output folder: \(error)", at: SourceLocation(file: out))
        }
        return Report(architecture: builder.archName, tensors: buffers.count, parameters: params,
                      sourceTypes: types, config: config)
    }

    /// Dequantizes `t` into `dst`, split by rows over the worker threads.
    static func dequantize(_ file: GGUFFile, _ t: GGUFTensorInfo, into dst: UnsafeMutablePointer<Float>) {
        let rowLen = max(1, t.ne[0])
        let rows = t.elementCount / rowLen
        let raw = file.bytes(t)
        guard let src = raw.baseAddress, rows > 0 else { return }
        let rowBytes = rowLen / t.type.blockSize * t.type.typeSize
        Threads.forRanges(rows, minPerWorker: max(1, 65536 / rowLen)) { r in
            GGUFDequant.dequantize(t.type, src + r.lowerBound * rowBytes, dst + r.lowerBound * rowLen, count: r.count * rowLen)
        }
    }
}
