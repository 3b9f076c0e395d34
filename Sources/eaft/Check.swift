import Core
import ArgumentParser
import Foundation
import Verify

/// `eaft check --kind math|choice|toolcall --input FILE.jsonl [--output OUT.jsonl]`.
///
/// Reads JSON Lines with `response` and `reference` (plus `options` for choice, `tools`
/// for toolcall) and writes one `{"verdict": bool, "reason": "...", "extracted": ...}`
/// per input line, in order. A bad line yields `{"verdict": false, "reason": "bad_input: …"}`
/// with its line number, is counted, and never stops the run.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify responses (math answers, multiple choice, tool calls) against references.",
        discussion: """
            Input lines: {"response": str, "reference": ...}. math: reference is the final answer \
            (a GSM8K '#### n' answer or a \\boxed{} solution works too). choice: reference is the \
            option key ("C") or text, "options" an object {"A": text, ...}, a list of texts or a list of {"key", "text"} \
            (PubMedQA: reference yes/no/maybe, no options needed). toolcall: response is text with \
            <tool_call>{json}</tool_call> blocks, a list of OpenAI tool_calls, or a BFCL call \
            string; "tools" the function schemas; optional "reference" a BFCL ground truth \
            [{func: {arg: [allowed...]}}]. Output: one JSON object per line; a summary on stderr.
            """)

    @Option(help: "Verifier: math, choice or toolcall.") var kind: VerifierSet.Kind
    @Option(help: "Input JSON Lines file.") var input: String
    @Option(help: "Output file (default: stdout).") var output: String?
    @Flag(help: "Math: do not fall back to the last number when no explicit answer is found.") var noLastNumber = false

    func run() throws {
        // Streams the input through the CLI's shared LineReader (1 MiB reads; a leading UTF-8 BOM
        // and trailing \r are dropped there, as `eaft inspect` does).
        let reader = try LineReader(path: input)
        let sink: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil),
                  let h = FileHandle(forWritingAtPath: output) else { throw ValidationError("cannot create \(output)") }
            sink = h
        } else {
            sink = FileHandle.standardOutput
        }
        let check = CheckJSONL(kind: kind, verifiers: VerifierSet(math: MathVerifier(lastNumberFallback: !noLastNumber)))
        let summary = try check.run(next: reader.next, inputName: input) { sink.write(Data($0)) }
        if output != nil { try sink.close() }
        CLIOutput.log(summary.line)
    }
}

extension VerifierSet.Kind: ExpressibleByArgument {}
