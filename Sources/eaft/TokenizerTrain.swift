import ArgumentParser
import Foundation
import Tokenizer

/// `eaft tokenizer train` (filled in by the BPE trainer).
struct TokenizerTrain: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Learn a byte-level BPE tokenizer.")
    func run() throws { throw ValidationError("not implemented yet") }
}
