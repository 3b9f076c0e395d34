import Core
import ArgumentParser
import Foundation
import Records
import Tokenizer

/// `eaft tokenizer train`: learn a byte-level BPE (NFC + Qwen2 split + ByteLevel) from text.
struct TokenizerTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Learn a byte-level BPE tokenizer and write an HF tokenizer.json.",
        discussion: """
            Inputs ending in .jsonl are JSON lines (the --field string of each line is one document); any other \
            file is plain text (each line, with its newline, is one document). Special tokens get ids 0…k−1, \
            then the 256 bytes, then merges. Deterministic: ties between equally frequent pairs go to the \
            smallest (left id, right id).
            """)

    @Option(help: "Training files (.txt or .jsonl); repeat for several.")
    var input: [String]

    @Option(help: "Field holding the text in .jsonl inputs (dotted paths allowed).")
    var field: String = "text"

    @Option(help: "Target vocabulary size including bytes and special tokens.")
    var vocabSize: Int

    @Option(parsing: .upToNextOption, help: "Special tokens (e.g. <|endoftext|> <|im_start|> <|im_end|>).")
    var specialTokens: [String] = []

    @Option(help: "Pairs seen fewer times are not merged.")
    var minFrequency: Int = 2

    @Option(help: "Where to write tokenizer.json.")
    var out: String

    func run() throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        var trainer = try BPETrainer(config: .init(vocabSize: vocabSize, specialTokens: specialTokens, minFrequency: minFrequency))
        var counts = BPETrainer.FeedCounts()
        for path in input {
            guard let h = FileHandle(forReadingAtPath: path) else { throw ValidationError("cannot open \(path)") }
            let reader = LineReader(fileDescriptor: h.fileDescriptor, name: path)
            defer { withExtendedLifetime(h) {} }  // the reader reads its descriptor
            try trainer.feedLines(next: reader.next, path: path, field: field, into: &counts) {
                Log.warning($0)
            }
        }
        let t1 = DispatchTime.now().uptimeNanoseconds
        let (json, merges) = trainer.train()
        try Data(json.utf8).write(to: URL(fileURLWithPath: out))
        let t2 = DispatchTime.now().uptimeNanoseconds
        let stats: JSONValue = [
            "out": .string(out), "documents": .int(Int64(counts.documents)), "bytes": .int(Int64(counts.bytes)), "errors": .int(Int64(counts.errors)),
            "words": .int(Int64(trainer.wordCount)), "merges": .int(Int64(merges)),
            "vocab_size": .int(Int64(256 + specialTokens.count + merges)),
            "count_s": .double(Double(t1 - t0) / 1e9), "merge_s": .double(Double(t2 - t1) / 1e9),
        ]
        print(stats.description)
    }
}
