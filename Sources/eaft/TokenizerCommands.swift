import ArgumentParser

/// Subcommands of the Tokenizer area (tokenize, tokenizer train, bench tokenizer). Registered in EAFT.swift.
enum TokenizerCommands {
    static let all: [ParsableCommand.Type] = []
}
