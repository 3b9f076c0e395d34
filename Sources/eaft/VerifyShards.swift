import Core
import ArgumentParser
import DataIO
import Foundation
import Pipeline

struct VerifyShards: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a shard directory: manifest, file sizes and CRC-32C, headers, index, every block.",
        discussion: "Prints a JSON report; exits 1 and names the corrupt file and block on any problem.")

    @Argument(help: "Shard directory (with manifest.json).") var directory: String

    func run() throws {
        let rep = ShardVerifier.verify(directory: directory)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var out = Array(try e.encode(rep))
        out.append(0x0A)
        CLIOutput.emit(out)
        if !rep.ok {
            for p in rep.problems { Log.error("corrupt: " + p) }
            throw ExitCode(1)
        }
    }
}
