import ArgumentParser
import DataIO
import Foundation
import Model
import Pipeline
import Records
import Tokenizer

/// `eaft score`: per-token probability, entropy and gate of token-id sequences under a model.
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score token ids under a Llama/Qwen2/Qwen3 model: log-prob, entropy, top-K entropy, gate.",
        discussion: """
            Reads JSONL lines {"ids": [int, ...]} and writes one JSON line per input line, for \
            positions 1…T−1 (entry t describes ids[t] given the tokens before it):
              {"logprob": [...], "entropy": [...], "topk_entropy": [...], "gate": [...]}
            gate = topk_entropy / ln K. A bad line (invalid JSON, no "ids", an id outside the \
            model vocabulary) becomes {"error": "...", "line": N} in the output and is counted; \
            the other lines are still scored. Sequences are packed into forward passes of \
            --batch-tokens tokens. A JSON summary goes to stderr at the end.
            Quick mode: --text "..." --tokenizer tokenizer.json prints each token with its \
            probability p, entropy H (nats) and gate instead (no special tokens are added).
            Server mode: --server http://HOST:PORT scores on a vLLM server (prompt_logprobs) and \
            --model is the name it serves; "entropy" is then null (only the top-K is returned).
            """)

    @Option(help: "Hugging Face model folder (config.json + safetensors); with --server, the served model's name.")
    var model: String

    @Option(help: "Score on this vLLM server (OpenAI-compatible, prompt_logprobs) instead of the CPU.")
    var server: String?

    @Option(help: "With --server: requests in flight.") var concurrency: Int = 4

    @Option(help: "JSONL input file with {\"ids\": [...]} per line.")
    var input: String?

    @Option(help: "Quick mode: text to tokenize (with --tokenizer) and score; prints a table per token.")
    var text: String?

    @Option(help: "tokenizer.json (or a folder holding one) for --text.")
    var tokenizer: String?

    @Option(help: "Output JSONL file (default: standard output).")
    var output: String?

    @Option(name: .customLong("top-k"), help: "K for the top-K entropy and the gate; 2 ≤ K ≤ the model's vocabulary size, otherwise an error (never clamped).")
    var topK: Int = 20

    @Option(name: .customLong("batch-tokens"), help: "Tokens packed into one forward pass.")
    var batchTokens: Int = 4096

    func validate() throws {
        if text != nil {
            guard tokenizer != nil else { throw ValidationError("--text needs --tokenizer") }
            guard input == nil else { throw ValidationError("give either --input or --text, not both") }
        } else if input == nil {
            throw ValidationError("give --input FILE.jsonl, or --text \"...\" with --tokenizer")
        }
        guard topK >= 2 else { throw ValidationError("--top-k must be at least 2 (the gate divides by ln K), got \(topK)") }
        guard batchTokens >= 1 else { throw ValidationError("--batch-tokens must be at least 1") }
    }

    /// K above the vocabulary size is an error rather than a silent clamp (the summary reports K).
    func checkTopK(vocab: Int) throws {
        guard topK <= vocab else {
            throw ValidationError("--top-k \(topK) exceeds the model's vocabulary size \(vocab); use 2...\(vocab)")
        }
    }

    @Flag(help: "Print the GEMM kernel in use (OpenBLAS core, CPU) once on stderr.") var verbose = false

    func run() throws {
        if verbose { KernelInfo.printOnce() }
        if let text, let tokenizer { return try runText(text, tokenizerPath: tokenizer) }
        guard let input else { return }
        let t0 = Date()
        // The scorer: the CPU model, or a vLLM server (checked before any line is read).
        let scoreBatch: ([[Int32]]) throws -> [TokenStats]
        let checkIDs: ([Int32]) throws -> Void
        if let server {
            let tok = try tokenizer.map { try Tokenizer.load(path: $0) }
            let probe = (tok?.encode("Hello, world! 12 + 30 = 42.") ?? [9, 10, 11, 12])
            let s = try ServerScorer.connect(spec: ServerScorerSpec(url: server, concurrency: concurrency), model: model, topK: topK,
                                             tokenizer: tok, probe: probe)
            scoreBatch = { seqs in try s.score(batch: seqs, topK: topK) }
            checkIDs = { ids in if ids.count < 2 { throw ModelCLIError("a sequence needs at least 2 ids to be scored on a server") } }
        } else {
            let lm = try CausalLM.load(directory: model)
            try checkTopK(vocab: lm.vocabSize)
            lm.tokenBudget = batchTokens
            scoreBatch = { try lm.scoreBatch($0, topK: topK) }
            checkIDs = { try lm.checkIDs($0) }
        }
        let reader = try LineReader(path: input)
        let sink = try OutputSink(path: output)
        var lines = 0, scored = 0, errors = 0, tokens = 0
        var pending: [(line: Int, ids: [Int32]?, error: String?)] = []
        var pendingTokens = 0
        func flush() throws {
            let seqs = pending.compactMap { $0.ids }
            let stats = try scoreBatch(seqs)
            var j = 0
            for p in pending {
                if let e = p.error {
                    sink.write("{\"error\":" + jsonString(e) + ",\"line\":\(p.line)}\n")
                } else {
                    sink.write(ScoreOutput.line(stats[j]))
                    j += 1
                }
            }
            pending.removeAll(keepingCapacity: true)
            pendingTokens = 0
        }
        while let bytes = reader.next() {
            lines += 1
            let n = reader.lineNumber
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                pending.append((n, nil, "empty line")); errors += 1; continue
            }
            do {
                let ids = try ScoreOutput.parseIDs(bytes)
                try checkIDs(ids)
                pending.append((n, ids, nil))
                pendingTokens += ids.count
                tokens += ids.count
                scored += 1
            } catch {
                errors += 1
                let msg = "\(input):\(n): \(error)"
                FileHandle.standardError.write((msg + "\n").data(using: .utf8)!)
                pending.append((n, nil, "\(error)"))
            }
            if pendingTokens >= batchTokens { try flush() }
        }
        try flush()
        sink.close()
        let secs = Date().timeIntervalSince(t0)
        let summary: JSONValue = [
            "command": "score", "lines": .int(Int64(lines)), "scored": .int(Int64(scored)),
            "errors": .int(Int64(errors)), "tokens": .int(Int64(tokens)), "seconds": .double(secs),
            "tokens_per_s": .double(secs > 0 ? Double(tokens) / secs : 0), "top_k": .int(Int64(topK)),
        ]
        FileHandle.standardError.write((JSONWriter().string(summary) + "\n").data(using: .utf8)!)
    }
}

/// JSON formatting of score lines.
enum ScoreOutput {
    /// Parses {"ids": [int, ...]} (other keys are ignored).
    static func parseIDs(_ bytes: [UInt8]) throws -> [Int32] {
        let v = try JSONParser.parse(bytes)
        guard case .object(let o) = v else { throw ModelCLIError("line is not a JSON object") }
        guard let arr = o["ids"]?.arrayValue else { throw ModelCLIError("no \"ids\" array") }
        var out = [Int32]()
        out.reserveCapacity(arr.count)
        for (i, x) in arr.enumerated() {
            guard let n = x.intValue, n >= Int64(Int32.min), n <= Int64(Int32.max) else {
                throw ModelCLIError("ids[\(i)] is not an integer: \(x)")
            }
            out.append(Int32(n))
        }
        return out
    }

    static func array(_ xs: ArraySlice<Float>, into s: inout String) {
        s += "["
        for (i, x) in xs.enumerated() {
            if i > 0 { s += "," }
            s += x.isFinite ? x.description : "null"
        }
        s += "]"
    }

    /// One output line: T−1 entries per array (position t describes ids[t+1]; the shard
    /// convention's entry 0, which has no prediction, is not printed). `entropy` is null
    /// for a server scorer.
    static func line(_ st: TokenStats) -> String {
        var s = "{\"logprob\":"
        array(st.logprob.dropFirst(), into: &s)
        s += ",\"entropy\":"
        if let e = st.entropy { array(e.dropFirst(), into: &s) } else { s += "null" }
        s += ",\"topk_entropy\":"
        array(st.topKEntropy.dropFirst(), into: &s)
        s += ",\"gate\":"
        array(st.gate.dropFirst(), into: &s)
        return s + "}\n"
    }
}

func jsonString(_ s: String) -> String {
    var out: [UInt8] = []
    JSONWriter.writeString(s, into: &out)
    return String(decoding: out, as: UTF8.self)
}

/// A command-line error with a message.
struct ModelCLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Standard output or a file written to a temporary name and renamed on close.
final class OutputSink {
    private let fh: FileHandle
    private let tmp: String?
    private let path: String?
    private var pending = ""

    init(path: String?) throws {
        self.path = path
        if let path {
            let t = path + ".tmp-\(getpid())"
            guard FileManager.default.createFile(atPath: t, contents: nil), let h = FileHandle(forWritingAtPath: t) else {
                throw ModelCLIError("cannot create \(t)")
            }
            fh = h
            tmp = t
        } else {
            fh = FileHandle.standardOutput
            tmp = nil
        }
    }

    func write(_ s: String) {
        pending += s
        if pending.utf8.count > 1 << 20 { drain() }
    }

    private func drain() {
        fh.write(pending.data(using: .utf8)!)
        pending = ""
    }

    func close() {
        drain()
        if let tmp, let path {
            try? fh.close()
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.moveItem(atPath: tmp, toPath: path)
        }
    }
}
