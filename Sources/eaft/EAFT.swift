import ArgumentParser
import Kernels

/// The `eaft` command: entropy-gated fine-tuning data preparation and training.
/// Each subcommand lives in its own file; add it to `subcommands` below.
@main
struct EAFT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eaft",
        abstract: "Entropy-Adaptive Fine-Tuning: curate, tokenize, score, audit and train.",
        discussion: """
            eaft prepares entropy-gated fine-tuning shards (every label token scored under the base \
            model: probability, entropy, gate) and trains on them (EAFT, arXiv 2601.02151).
            """,
        version: "0.1.0",
        subcommands: IngestCommands.all + TokenizerCommands.all + VerifyCommands.all + ModelCommands.all
            + PipelineCommands.all + TrainingCommands.all + TemplateCommands.all + [Bench.self, KernelCommand.self, Version.self]
    )

    /// Checks the GEMM kernel first (may re-execute the process once; see `KernelSelection`).
    static func main() {
        KernelInfo.selection = KernelSelection.ensureBest()
        main(nil)
    }
}

/// Prints the version and the linked libraries.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the eaft version.")
    func run() throws {
        print("eaft 0.1.0")
    }
}
