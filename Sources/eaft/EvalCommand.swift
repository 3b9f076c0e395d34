import Core
import ArgumentParser
import DataIO
import Foundation
import Model
import Tokenizer
import Training

/// `eaft eval --model DIR --data FILE.jsonl`: loss, perplexity and the entropy split of one model.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Loss / perplexity of a model on held-out sets: JSONL ({\"ids\": [...], \"mask\": [...]} lines) or shard directories.",
        discussion: "Prints one JSON line per set. The high/low-entropy split (H ≥ 2 / H ≤ 0.5 nats) uses this model's own entropies.")

    @Option(name: .long, help: "Model folder (config.json + model.safetensors).")
    var model: String

    @Option(name: .long, help: "Held-out JSONL file(s) or shard directories; name=path to label them.")
    var data: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Multiple-choice JSONL ({\"context\", \"choices\", \"answer\"} lines); name=path to label them.",
        discussion: "Accuracy by option log-likelihood as lm-evaluation-harness computes it (continuation = ' ' + choice)."))
    var choices: [String] = []

    @Option(name: .long, help: "tokenizer.json for --choices (default: the model folder's).")
    var tokenizer: String?

    @Option(name: .long, help: "Also write every question's choice log-likelihoods here (JSON lines: set, index, id, loglik).")
    var loglikOut: String?

    @Option(name: .long, help: "Token budget per batch.")
    var batchTokens: Int = 16384

    @Option(name: .long, help: "Threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Print the GEMM kernel in use (OpenBLAS core, CPU) once on stderr.") var verbose = false

    func run() throws {
        if verbose { KernelInfo.printOnce() }
        if data.isEmpty && choices.isEmpty { throw ValidationError("give --data and/or --choices") }
        if let threads {
            guard (1...TrainConfig.maxThreads).contains(threads) else {
                throw TrainError("invalid '--threads': in 1...\(TrainConfig.maxThreads), got \(threads)")
            }
            TrainRuntime.setThreads(threads)
        }
        if !choices.isEmpty { try runChoices() }
        if data.isEmpty { return }
        let results = try EvalRun.losses(model: model, data: data, batchTokens: batchTokens) { CLIOutput.log($0) }
        for r in results { print(String(decoding: try JSONEncoder.sorted.encode(r), as: UTF8.self)) }
    }

    /// `--choices`: one JSON line (`ChoiceResult`) per multiple-choice set.
    func runChoices() throws {
        let lm = try CausalLM.load(directory: model)
        let tok = try Tokenizer.load(path: tokenizer ?? (model as NSString).appendingPathComponent("tokenizer.json"))
        let perQuestion = try EvalRun.choices(choices, model: lm, read: { path in
            let reader = try LineReader(path: path)
            var qs: [ChoiceQuestion] = []
            while let line = try reader.next() {
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                qs.append(try EvalRun.question(line, at: "\(path):\(reader.lineNumber)"))
            }
            return qs
        }, encode: { tok.encode($0) }, emit: { print(String(decoding: try JSONEncoder.sorted.encode($0), as: UTF8.self)) })
        if let loglikOut { try Checkpoint.write(perQuestion, to: loglikOut) }
    }
}
