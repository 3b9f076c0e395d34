import ArgumentParser

/// Subcommands of the Ingest area (inspect). Registered in EAFT.swift.
enum IngestCommands {
    static let all: [ParsableCommand.Type] = [Inspect.self]
}
