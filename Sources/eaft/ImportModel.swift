import ArgumentParser
import DataIO
import Foundation
import Model
import Records

/// `eaft model import`: a GGUF file → a Hugging Face model folder.
struct ImportModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a GGUF model (llama, qwen2, qwen3) into a Hugging Face folder eaft and transformers load.",
        discussion: """
            Reads GGUF v2/v3 (memory-mapped), dequantizes F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, \
            Q8_0 and Q2_K…Q6_K to float32, undoes llama.cpp's q/k row permutation for llama files, \
            and writes config.json, generation_config.json, model.safetensors (f32, or bf16 with \
            --dtype bf16), tokenizer.json and tokenizer_config.json (chat template and special \
            tokens from the GGUF). The tokenizer honours tokenizer.ggml.pre as llama.cpp does. \
            The folder is written under a temporary name and renamed when complete. Prints one \
            JSON summary line. See schemas/model.md ("GGUF import").
            """)

    @Argument(help: "The .gguf file.")
    var file: String

    @Option(help: "Output folder (must not exist unless --force).")
    var out: String

    @Option(help: "Weight dtype of model.safetensors: f32 or bf16.")
    var dtype: String = "f32"

    @Flag(help: "Replace an existing output folder.")
    var force = false

    func run() throws {
        let t0 = Date()
        let dt: SafetensorsDType
        switch dtype.lowercased() {
        case "f32", "float32": dt = .f32
        case "bf16", "bfloat16": dt = .bf16
        default: throw ValidationError("--dtype must be f32 or bf16, got \(dtype)")
        }
        let r = try GGUFImporter.run(gguf: file, out: out, dtype: dt, overwrite: force)
        let summary: JSONValue = [
            "command": "model import", "gguf": .string(file), "out": .string(out),
            "architecture": .string(r.config.architecture.className), "tensors": .int(Int64(r.tensors)),
            "parameters": .int(Int64(r.parameters)), "dtype": .string(dt.rawValue),
            "source_types": .object(JSONObject(r.sourceTypes.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })),
            "seconds": .double((Date().timeIntervalSince(t0) * 1000).rounded() / 1000),
        ]
        print(JSONWriter().string(summary))
    }
}
