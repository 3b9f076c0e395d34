import ArgumentParser
import DataIO
import Foundation

/// `eaft bench …`: throughput measurements of eaft's components, one subcommand per area.
/// Figures and the commands that made them are recorded in BENCHMARKS.md.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput of eaft components (see BENCHMARKS.md).",
        subcommands: [BenchParquet.self, BenchVerify.self, BenchModel.self, TrainBenchCommand.self, BenchAudit.self])
}
