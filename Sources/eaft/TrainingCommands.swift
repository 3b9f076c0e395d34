import ArgumentParser

/// Subcommands of the Training area (train, eval, bench train). Registered in EAFT.swift.
enum TrainingCommands {
    static let all: [ParsableCommand.Type] = []
}
