import ArgumentParser

/// Subcommands of the Pipeline area (run, audit, verify, merge, bench pipeline). Registered in EAFT.swift.
enum PipelineCommands {
    static let all: [ParsableCommand.Type] = []
}
