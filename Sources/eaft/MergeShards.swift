import ArgumentParser
import DataIO
import Foundation
import Pipeline

struct MergeShards: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the outputs of `eaft run --partition i/N` into one shard directory.",
        discussion: """
            Give all N partition directories (any order). The result is byte-identical to an unpartitioned \
            run of the same spec (same shards, same manifest.json).
            """)

    @Argument(help: "Partition output directories.") var directories: [String]
    @Option(name: .long, help: "Output directory.") var out: String

    func run() throws {
        guard !directories.isEmpty else { throw CLIOutput.fail("give the partition directories to merge") }
        do {
            let m = try Assembler.assemble(workDirs: directories, out: out)
            CLIOutput.emit(try m.encoded())
        } catch let e as PipelineError {
            throw CLIOutput.fail(e.description)
        } catch let e as DataIOError {
            throw CLIOutput.fail(e.description)
        }
    }
}
