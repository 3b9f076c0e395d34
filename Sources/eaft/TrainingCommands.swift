import Core
import ArgumentParser
import DataIO
import Foundation
import Model
import Tokenizer
import Training
import Yams

/// Subcommands of the Training area (train, eval). Registered in EAFT.swift.
enum TrainingCommands {
    static let all: [ParsableCommand.Type] = [TrainCommand.self, EvalCommand.self, PlotCommand.self]
}

/// `eaft train --config train.yaml [--resume DIR|auto] [--<key> <value> ...]`
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a model with SFT / EAFT (static, dynamic or hybrid gate) / DFT on tokenized data.",
        discussion: """
            The YAML config is described in schemas/train.md. Every config key is also a flag and flags \
            override the file: --lr 1e-3 --steps 3 --schedule constant --warmup 0 --shuffle false \
            (dashes or underscores: --batch-tokens = --batch_tokens). Keys: \(TrainConfig.keys.joined(separator: ", ")).
            Writes <output_dir>/checkpoint-<step>/ (HF layout + optimizer + trainer state), metrics JSON lines \
            (one per optimizer step: step, loss before the update, lr, grad_norm, ...), report.json and report.svg; \
            prints the report summary as JSON on stdout.
            """)

    @Option(name: .long, help: "Train config YAML (schemas/train.md).")
    var config: String?

    @Option(name: .long, help: "Resume from a checkpoint folder, or 'auto' for the latest under output_dir.")
    var resume: String?

    @Flag(help: "Print the GEMM kernel in use (OpenBLAS core, CPU) once on stderr.") var verbose = false

    @Argument(parsing: .allUnrecognized, help: "Config overrides: --<key> <value>.")
    var overrides: [String] = []

    func run() throws {
        if verbose { KernelInfo.printOnce() }
        let cfg = try TrainConfigLoader.load(file: config, overrides: overrides)
        var resumeDir: String? = resume
        if resume == "auto" {
            resumeDir = Checkpoint.latest(in: cfg.outputDir)
            if resumeDir == nil { FileHandle.standardError.write(Data("no checkpoint under \(cfg.outputDir); starting fresh\n".utf8)) }
        }
        do { try AtomicFile.makeDirectory(cfg.outputDir) } catch let e as CoreError {
            throw TrainError(e.reason, at: "output_dir \(cfg.outputDir)", hint: e.hint ?? "")
        }
        let trainer = try Trainer(config: cfg, resume: resumeDir)
        if !trainer.data.errors.isEmpty {
            FileHandle.standardError.write(Data(trainer.data.errorReport().utf8))
        }
        let metricsPath = cfg.metrics ?? (cfg.outputDir as NSString).appendingPathComponent("metrics.jsonl")
        let fm = FileManager.default
        if resumeDir == nil || !fm.fileExists(atPath: metricsPath) { fm.createFile(atPath: metricsPath, contents: nil) }
        guard let out = FileHandle(forWritingAtPath: metricsPath) else { throw TrainError("cannot open metrics file", at: metricsPath) }
        // On resume, drop lines for steps after the checkpoint, so the file is the one trajectory.
        if resumeDir != nil {
            let keep = trainer.state.history.map { String(decoding: (try? JSONEncoder.sorted.encode($0)) ?? Data(), as: UTF8.self) + "\n" }.joined()
            try out.truncate(atOffset: 0)
            out.write(Data(keep.utf8))
        }
        trainer.onStep = { m in out.write(Data((String(decoding: (try? JSONEncoder.sorted.encode(m)) ?? Data(), as: UTF8.self) + "\n").utf8)) }
        let state = try trainer.run()
        try out.close()
        let ckpt = (cfg.outputDir as NSString).appendingPathComponent("checkpoint-\(state.step)")
        let report = TrainReport(state: state, checkpoint: ckpt)
        try report.write(to: cfg.outputDir)
        var summary = report
        summary.history = []
        print(String(decoding: try JSONEncoder.sorted.encode(summary), as: UTF8.self))
    }
}

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
        let m = try TrainModel.load(directory: model)
        var sets: [(String, TrainDataset)] = []
        for (i, d) in data.enumerated() {
            let parts = d.split(separator: "=", maxSplits: 1).map(String.init)
            let (name, path) = parts.count == 2 ? (parts[0], parts[1]) : ("set\(i)", d)
            let ds = try TrainDataset.load(paths: [path], maxLen: batchTokens, vocab: m.config.vocab)
            if !ds.errors.isEmpty { FileHandle.standardError.write(Data(ds.errorReport().utf8)) }
            sets.append((name, ds))
        }
        let ev = Evaluator(sets: sets, batchTokens: batchTokens, batchSamples: Int.max)
        let engine = StepEngine(model: m, spec: LossSpec(weight: .sft))
        try ev.captureBaseEntropy(engine)
        for r in try ev.evaluate(engine, step: 0) { print(String(decoding: try JSONEncoder.sorted.encode(r), as: UTF8.self)) }
    }

    /// `--choices`: one JSON line (`ChoiceResult`) per multiple-choice set.
    func runChoices() throws {
        let lm = try CausalLM.load(directory: model)
        let tok = try Tokenizer.load(path: tokenizer ?? (model as NSString).appendingPathComponent("tokenizer.json"))
        var perQuestion = ""
        for (i, d) in choices.enumerated() {
            let parts = d.split(separator: "=", maxSplits: 1).map(String.init)
            let (name, path) = parts.count == 2 ? (parts[0], parts[1]) : ("choices\(i)", d)
            let reader = try LineReader(path: path)
            var qs: [ChoiceQuestion] = []
            while let line = reader.next() {
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                do { qs.append(try JSONDecoder().decode(ChoiceQuestion.self, from: Data(line))) } catch {
                    throw TrainError("not a multiple-choice line: \(error)", at: "\(path):\(reader.lineNumber)",
                                     hint: #"expected {"context": str, "choices": [str], "answer": int}"#)
                }
            }
            let (r, ll) = try ChoiceEvaluation.evaluate(set: name, questions: qs, model: lm) { tok.encode($0) }
            print(String(decoding: try JSONEncoder.sorted.encode(r), as: UTF8.self))
            for (j, (q, l)) in zip(qs, ll).enumerated() {
                perQuestion += String(decoding: try JSONEncoder.sorted.encode(QuestionLoglik(set: name, index: j, id: q.id, loglik: l)), as: UTF8.self) + "\n"
            }
        }
        if let loglikOut { try Checkpoint.write(perQuestion, to: loglikOut) }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }
}

/// One line of `eaft eval --loglik-out`.
struct QuestionLoglik: Codable { var set: String; var index: Int; var id: String?; var loglik: [Double] }

/// YAML file + `--key value` overrides → `TrainConfig` (unknown keys rejected by `TrainConfig`).
enum TrainConfigLoader {
    static func load(file: String?, overrides: [String]) throws -> TrainConfig {
        var mapping = Node.Mapping([])
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw TrainError("cannot read config", at: file) }
            let node: Node?
            do { node = try Yams.compose(yaml: text) } catch { throw TrainError("invalid YAML: \(error)", at: file) }
            if let node {
                guard let m = node.mapping else { throw TrainError("the config must be a YAML mapping", at: file) }
                mapping = m
            }
        }
        var flagValues: [String: String] = [:]
        var i = 0
        while i < overrides.count {
            let arg = overrides[i]
            guard arg.hasPrefix("--") else { throw TrainError("unexpected argument '\(arg)'", hint: "overrides look like --lr 1e-3") }
            var key = String(arg.dropFirst(2)), value: String
            if let eq = key.firstIndex(of: "=") {
                value = String(key[key.index(after: eq)...]); key = String(key[..<eq]); i += 1
            } else if i + 1 < overrides.count && !(overrides[i + 1].hasPrefix("--") && Double(overrides[i + 1]) == nil) {
                value = overrides[i + 1]; i += 2
            } else {
                value = "true"; i += 1
            }
            key = key.replacingOccurrences(of: "-", with: "_")
            guard TrainConfig.keys.contains(key) else {
                throw TrainError("unknown option --\(key)", hint: "valid: \(TrainConfig.keys.map { "--" + $0 }.joined(separator: " "))")
            }
            let v: Node
            do { v = try Yams.compose(yaml: value) ?? Node("") } catch { throw TrainError("invalid value for --\(key): \(value)") }
            mapping[key] = v
            flagValues[key] = value
        }
        do {
            return try YAMLDecoder().decode(TrainConfig.self, from: Node.mapping(mapping))
        } catch let e as TrainError {
            throw e
        } catch let e as DecodingError {
            let (key, expected) = ConfigDecodingError.describe(e)
            // Blame the flag when the bad value came from one, else the file (with its line when known).
            if let key, let raw = flagValues[key] {
                throw TrainError("--\(key.replacingOccurrences(of: "_", with: "-")): expected \(expected), got \"\(raw)\"")
            }
            let node = key.flatMap { mapping[$0] }
            let got = node.map { $0.scalar?.string ?? ($0.sequence != nil ? "a list" : "a mapping") }
            var at = file ?? "flags"
            if let line = node?.mark?.line { at += ":\(line)" }
            throw TrainError("invalid train config: \(key.map { "'\($0)'" } ?? "value"): expected \(expected)\(got.map { ", got \"\($0)\"" } ?? "")",
                             at: at)
        } catch {
            throw TrainError("invalid train config: \(error)", at: file ?? "flags")
        }
    }
}

/// Readable `DecodingError`s for configs: the offending key path and the expected type.
enum ConfigDecodingError {
    /// (top-level key, "expected …" phrase). The key is nil when the error has no coding path.
    static func describe(_ e: DecodingError) -> (key: String?, expected: String) {
        func keyOf(_ path: [CodingKey]) -> String? { path.first?.stringValue }
        func name(_ t: Any.Type) -> String {
            let n = "\(t)"
            if n == "Double" || n == "Float" { return "a number" }
            if n.hasPrefix("Int") || n.hasPrefix("UInt") { return "an integer" }
            if n == "Bool" { return "true or false" }
            if n == "String" { return "a string" }
            if n.hasPrefix("Array") { return "a list" }
            if n.hasPrefix("Dictionary") { return "a mapping" }
            return n
        }
        switch e {
        case .typeMismatch(let t, let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            let sub = c.codingPath.count > 1 ? " at \(path)" : ""
            return (keyOf(c.codingPath), name(t) + sub)
        case .valueNotFound(let t, let c):
            return (keyOf(c.codingPath), name(t))
        case .keyNotFound(let k, let c):
            return (keyOf(c.codingPath) ?? k.stringValue, "key '\(k.stringValue)'")
        case .dataCorrupted(let c):
            return (keyOf(c.codingPath), c.debugDescription)
        @unknown default:
            return (nil, "\(e)")
        }
    }
}
