import ArgumentParser

/// Subcommands of the Model area (score, model init, bench model). Registered in EAFT.swift.
enum ModelCommands {
    static let all: [ParsableCommand.Type] = []
}
