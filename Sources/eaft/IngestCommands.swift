import ArgumentParser

/// Subcommands of the Ingest area (inspect, bench ingest). Registered in EAFT.swift.
enum IngestCommands {
    static let all: [ParsableCommand.Type] = []
}
