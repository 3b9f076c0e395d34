import ArgumentParser
import Kernels

/// The `eaft` command: entropy-gated fine-tuning data preparation and training.
/// Each subcommand lives in its own file, named after it; add it to `subcommands` below. A
/// command parses its arguments and calls the library that does the work.
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
        subcommands: [
            Inspect.self, Tokenize.self, TokenizerGroup.self, Check.self, Score.self, ModelGroup.self,
            RunPipeline.self, AuditShards.self, VerifyShards.self, MergeShards.self,
            TrainCommand.self, EvalCommand.self, PlotCommand.self, TemplateGroup.self, Bench.self, KernelCommand.self, Version.self,
        ]
    )

    /// Checks the GEMM kernel first (may re-execute the process once; see `KernelSelection`).
    static func main() {
        KernelInfo.selection = KernelSelection.ensureBest()
        main(nil)
    }
}
