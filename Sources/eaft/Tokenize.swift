import Core
import ArgumentParser
import Foundation
import Records
import Tokenizer

/// `eaft tokenize`: JSON lines in, one JSON array of ids per line out.
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode the text field of JSON lines with a tokenizer.json.",
        discussion: """
            Reads JSON lines (from --input or stdin) and writes, in order, one JSON array of token ids \
            per line, exactly as Hugging Face tokenizers' encode(text, add_special_tokens=False): added \
            and special token strings written in the text are matched. A line that is not valid JSON or \
            lacks the field is reported on stderr (with its line number) and written as `null`.
            """)

    @Option(help: "A tokenizer.json file, or a folder containing one.")
    var tokenizer: String

    @Option(help: "JSON-lines input file (default: stdin).")
    var input: String?

    @Option(help: "Field holding the text (a dotted path such as meta.text is allowed).")
    var field: String = "text"

    @Flag(help: "Apply the post-processor (e.g. Llama-3 BOS), like add_special_tokens=True.")
    var addSpecialTokens = false

    @Option(help: "Encoding threads.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        let tok = try Tokenizer.load(path: tokenizer)
        let handle: FileHandle
        if let input {
            guard let h = FileHandle(forReadingAtPath: input) else {
                throw ValidationError("cannot open \(input)")
            }
            handle = h
        } else {
            handle = FileHandle.standardInput
        }
        let reader = LineReader(fileDescriptor: handle.fileDescriptor, name: input ?? "<stdin>")
        defer { withExtendedLifetime(handle) {} }  // the reader reads its descriptor
        let job = TokenizeJSONL(tokenizer: tok, field: field, addSpecialTokens: addSpecialTokens, threads: threads)
        let summary = try job.run(next: reader.next, inputName: input ?? "<stdin>", write: { FileHandle.standardOutput.write(Data($0)) }) {
            Log.warning($0)
        }
        CLIOutput.log(summary.line)
        if summary.errors > 0 { throw ExitCode(1) }
    }
}
