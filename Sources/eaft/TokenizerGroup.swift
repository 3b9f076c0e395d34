import ArgumentParser
import Foundation
import Records
import Tokenizer

/// `eaft tokenizer …`: tools around tokenizer.json files.
struct TokenizerGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Train, inspect and benchmark byte-level BPE tokenizers.",
        subcommands: [TokenizerTrain.self, TokenizerChat.self, TokenizerBench.self, TokenizerInfo.self])
}
