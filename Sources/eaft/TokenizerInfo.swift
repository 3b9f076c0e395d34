import ArgumentParser
import Foundation
import Records
import Tokenizer

/// `eaft tokenizer info`: what a tokenizer.json holds.
struct TokenizerInfo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Print a tokenizer's components as JSON.")

    @Argument(help: "A tokenizer.json file, or a folder containing one.")
    var path: String

    func run() throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let tok = try Tokenizer.load(path: path)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        let info: JSONValue = [
            "path": .string(tok.path), "sha256": .string(tok.contentHash), "vocab_size": .int(Int64(tok.vocabSize)),
            "merges": .int(Int64(tok.mergeCount)), "added_tokens": .int(Int64(tok.addedTokens.count)),
            "load_ms": .double((ms * 10).rounded() / 10),
        ]
        print(info.description)
    }
}
