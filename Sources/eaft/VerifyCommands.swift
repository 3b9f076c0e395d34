import ArgumentParser
import Foundation

/// Subcommands of the Verify area (check, bench verify). Registered in EAFT.swift.
enum VerifyCommands {
    static let all: [ParsableCommand.Type] = [Check.self]
}


