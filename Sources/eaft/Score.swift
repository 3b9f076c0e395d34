import Core
import ArgumentParser
import Foundation
import Pipeline
import Records

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
    @Flag(name: .customLong("no-share-prefixes"),
          help: "Compute every sequence in full (by default a prefix shared with an earlier sequence of the same forward pass is computed once).")
    var noSharePrefixes = false

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

    @Flag(help: "Print the GEMM kernel in use (OpenBLAS core, CPU) once on stderr.") var verbose = false

    func run() throws {
        if verbose { KernelInfo.printOnce() }
        if let text, let tokenizer {
            let table = try ScoreTable.make(text: text, tokenizer: tokenizer, model: model, topK: topK) { ValidationError($0) }
            for row in table.rows { print(row) }
            Log.info(JSONWriter().string(table.summary))
            return
        }
        guard let input else { return }
        var o = ScoreJSONL.Options(model: model)
        o.server = server
        o.concurrency = concurrency
        o.tokenizer = tokenizer
        o.topK = topK
        o.batchTokens = batchTokens
        o.sharePrefixes = !noSharePrefixes
        // The scorer (the CPU model, or a vLLM server) is checked before any line is read.
        let scorer = try ScoreJSONL(options: o) { ValidationError($0) }
        let reader = try LineReader(path: input)
        let sink = try OutputSink(path: output)
        let summary = try scorer.run(next: reader.next, inputName: input, write: sink.write) {
            Log.warning($0)
        }
        sink.close()
        Log.info(JSONWriter().string(summary.json))
    }
}
