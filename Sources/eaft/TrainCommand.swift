import Core
import ArgumentParser
import DataIO
import Foundation
import Model
import Tokenizer
import Training

/// `eaft train --config train.yaml [--resume DIR|auto] [--<key> <value> ...]`
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a model with SFT / EAFT (static, dynamic or hybrid gate) / DFT on tokenized data.",
        discussion: """
            The YAML config is described in schemas/train.md. Every config key is also a flag and flags \
            override the file: --lr 1e-3 --steps 3 --schedule constant --warmup 0 --shuffle false \
            (dashes or underscores: --batch-tokens = --batch_tokens). Keys: \(TrainConfig.keys.joined(separator: ", ")).
            Writes <output_dir>/checkpoint-<step>/ (HF layout + optimizer + trainer state), metrics JSON lines \
            (one per optimizer step: step, loss before the update, lr, grad_norm, ...), report.json and report.svg; \
            prints the report summary as JSON on stdout.
            """)

    @Option(name: .long, help: "Train config YAML (schemas/train.md).")
    var config: String?

    @Option(name: .long, help: "Resume from a checkpoint folder, or 'auto' for the latest under output_dir.")
    var resume: String?

    @Flag(help: "Print the GEMM kernel in use (OpenBLAS core, CPU) once on stderr.") var verbose = false

    @Argument(parsing: .allUnrecognized, help: "Config overrides: --<key> <value>.")
    var overrides: [String] = []

    func run() throws {
        if verbose { KernelInfo.printOnce() }
        let cfg = try TrainConfigLoader.load(file: config, overrides: overrides)
        let summary = try TrainRun.run(config: cfg, resume: resume) { CLIOutput.log($0) }
        print(String(decoding: try JSONEncoder.sorted.encode(summary), as: UTF8.self))
    }
}
