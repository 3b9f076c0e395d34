import ArgumentParser
import DataIO
import Foundation
import Model
import Records

/// `eaft model ...`: model utilities.
struct ModelGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Model utilities (random-init checkpoints, GGUF import).",
        subcommands: [InitModel.self, ImportModel.self])
}

/// `eaft model init`: a seeded random-init checkpoint in Hugging Face layout.
struct InitModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a random-init Llama/Qwen2/Qwen3 checkpoint (config.json + model.safetensors, f32).",
        discussion: """
            The config is validated like any model config; the output config.json is the input \
            with "architectures", "model_type" and "dtype"/"torch_dtype" = float32 filled in. \
            Weights: N(0, std²) for matrices and embeddings (std = --std, else the config's \
            initializer_range, else 0.02), RMSNorm weights 1, biases 0; deterministic for a seed. \
            The folder loads with transformers' AutoModelForCausalLM.from_pretrained.
            """)

    @Option(help: "An HF-style config.json (LlamaForCausalLM, Qwen2ForCausalLM or Qwen3ForCausalLM).")
    var config: String

    @Option(help: "Output folder (created if needed).")
    var out: String

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Standard deviation of the normal init (default: initializer_range or 0.02).")
    var std: Float?

    func run() throws {
        let t0 = Date()
        guard let data = FileManager.default.contents(atPath: config) else { throw ModelCLIError("cannot read \(config)") }
        let cfg = try ConfigRegistry.parse(data, path: config)
        guard case .object(var obj) = try JSONParser.parse(data) else { throw ModelCLIError("\(config) is not a JSON object") }
        obj["architectures"] = .array([.string(cfg.architecture.className)])
        obj["model_type"] = .string(cfg.architecture.rawValue)
        obj["dtype"] = .string("float32")
        if obj["torch_dtype"] != nil { obj["torch_dtype"] = .string("float32") }
        let sd = std ?? obj["initializer_range"]?.doubleValue.map(Float.init) ?? 0.02
        do { try AtomicFile.makeDirectory(out) } catch let e as CoreError { throw ModelCLIError("\(e)") }
        let w = ModelInit.randomWeights(config: cfg, seed: seed, std: sd)
        try w.save(to: (out as NSString).appendingPathComponent("model.safetensors"))
        var bytes: [UInt8] = []
        JSONWriter().write(.object(obj), into: &bytes)
        bytes.append(0x0A)
        try Data(bytes).write(to: URL(fileURLWithPath: (out as NSString).appendingPathComponent("config.json")))
        let summary: JSONValue = [
            "command": "model init", "out": .string(out), "architecture": .string(cfg.architecture.className),
            "parameters": .int(Int64(w.count)), "seed": .int(Int64(bitPattern: seed)), "std": .double(Double(sd)),
            "seconds": .double(Date().timeIntervalSince(t0)),
        ]
        print(JSONWriter().string(summary))
    }
}
