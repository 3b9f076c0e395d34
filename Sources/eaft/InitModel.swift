import ArgumentParser
import DataIO
import Foundation
import Model
import Records

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
        let w = try RandomCheckpoint.write(configJSON: data, path: config, out: out, seed: seed, std: std)
        let summary: JSONValue = [
            "command": "model init", "out": .string(out), "architecture": .string(w.architecture),
            "parameters": .int(Int64(w.parameters)), "seed": .int(Int64(bitPattern: seed)), "std": .double(Double(w.std)),
            "seconds": .double(Date().timeIntervalSince(t0)),
        ]
        print(JSONWriter().string(summary))
    }
}
