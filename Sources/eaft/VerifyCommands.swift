import ArgumentParser
import Foundation

/// Subcommands of the Verify area (check, bench verify). Registered in EAFT.swift.
enum VerifyCommands {
    static let all: [ParsableCommand.Type] = [Check.self, Bench.self]
}


/// `eaft bench …`: speed measurements. Other areas may add their own subcommands here.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput of eaft components.",
        subcommands: [BenchVerify.self])
}
