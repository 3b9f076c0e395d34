import ArgumentParser
import Foundation
import Records
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

    enum Kind: String, ExpressibleByArgument, CaseIterable { case math, choice, toolcall }

    @Option(help: "Verifier: math, choice or toolcall.") var kind: Kind
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
        let math = MathVerifier(lastNumberFallback: !noLastNumber)
        let choice = ChoiceVerifier()
        let tools = ToolCallVerifier()
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        var passed = 0, failed = 0, bad = 0
        let writer = JSONWriter()
        while let line = reader.next() {
            // Every input line yields exactly one output line, blank ones included.
            let verdict: Verdict
            do {
                if line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { throw VerifyError("blank line") }
                let row = try JSONParser.parse(line)
                verdict = try CheckRow.verify(row, kind: kind, math: math, choice: choice, tools: tools)
            } catch {
                bad += 1
                verdict = .fail("bad_input", "\(input):\(reader.lineNumber): \(error)")
            }
            if verdict.passed { passed += 1 } else { failed += 1 }
            writer.write(verdict.json, into: &out)
            out.append(10)
            if out.count >= 1 << 20 { sink.write(Data(out)); out.removeAll(keepingCapacity: true) }
        }
        sink.write(Data(out))
        if output != nil { try sink.close() }
        let summary = "{\"lines\": \(passed + failed), \"passed\": \(passed), \"failed\": \(failed), \"bad_input\": \(bad)}\n"
        FileHandle.standardError.write(Data(summary.utf8))
    }
}

/// Turns one `eaft check` input row into a verdict.
enum CheckRow {
    static func verify(_ row: JSONValue, kind: Check.Kind, math: MathVerifier, choice: ChoiceVerifier,
                       tools: ToolCallVerifier) throws -> Verdict {
        guard case .object = row else { throw VerifyError("line is not a JSON object") }
        switch kind {
        case .math:
            guard let response = row["response"]?.stringValue else { throw VerifyError("missing string field 'response'") }
            guard let reference = row["reference"].flatMap(scalarText) else { throw VerifyError("missing field 'reference'") }
            return math.verify(response: response, reference: reference)
        case .choice:
            guard let response = row["response"]?.stringValue else { throw VerifyError("missing string field 'response'") }
            guard let reference = row["reference"].flatMap(scalarText) else { throw VerifyError("missing field 'reference'") }
            let options = try ChoiceVerifier.options(from: row["options"])
            return choice.verify(response: response, reference: reference, options: options)
        case .toolcall:
            guard let response = row["response"] else { throw VerifyError("missing field 'response'") }
            let functions = try ToolSchema.functions(from: row["tools"] ?? .array([]))
            var expected: [ExpectedCall]?
            if let ref = row["reference"], !ref.isNull { expected = try ToolCallParser.groundTruth(ref) }
            return tools.verify(response: response, functions: functions, expected: expected)
        }
    }

    static func scalarText(_ v: JSONValue) -> String? {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bigInt(let s): return s
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return b ? "yes" : "no"
        default: return nil
        }
    }
}
