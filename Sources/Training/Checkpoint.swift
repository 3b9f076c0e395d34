import DataIO
import Foundation
import Records

/// One optimizer step's metrics (a line of `metrics.jsonl`). `loss` is the step's loss measured
/// BEFORE its update (as PyTorch reports `loss.item()` before `optimizer.step()`).
public struct StepMetrics: Sendable, Codable, Equatable {
    public var step: Int
    public var loss: Double
    /// Mean cross-entropy of the step's label tokens (the SFT loss, whatever the weighting).
    public var ce: Double
    public var lr: Double
    /// Global gradient norm before clipping.
    public var gradNorm: Double
    public var tokens: Int
    public var labelTokens: Int
    public var epoch: Int
    public var elapsedS: Double
    public var tokensPerS: Double
    enum CodingKeys: String, CodingKey {
        case step, loss, ce, lr, gradNorm = "grad_norm", tokens, labelTokens = "label_tokens", epoch
        case elapsedS = "elapsed_s", tokensPerS = "tokens_per_s"
    }
}

/// Everything besides weights and moments needed to resume bit-for-bit (`trainer_state.json`).
public struct TrainerState: Sendable, Codable, Equatable {
    /// Optimizer steps done.
    public var step: Int = 0
    /// Current epoch and the next micro-batch index within its plan.
    public var epoch: Int = 0
    public var microBatch: Int = 0
    public var totalSteps: Int = 0
    /// Training time so far (seconds), summed over runs.
    public var elapsedS: Double = 0
    public var config: TrainConfig
    public var history: [StepMetrics] = []
    public var evals: [EvalResult] = []
    enum CodingKeys: String, CodingKey {
        case step, epoch, microBatch = "micro_batch", totalSteps = "total_steps", elapsedS = "elapsed_s", config, history, evals
    }
}

/// HF-layout checkpoints: config.json, model.safetensors (F32, HF names, no lm_head when tied),
/// generation/tokenizer files copied from the base model, plus optimizer.safetensors
/// (`exp_avg.<name>`, `exp_avg_sq.<name>`) and trainer_state.json for resuming.
public enum Checkpoint {
    static let copied = ["generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                         "vocab.json", "merges.txt", "chat_template.jinja", "added_tokens.json"]

    /// Writes a checkpoint folder (to `dir.tmp`, then renamed).
    public static func save(dir: String, baseModel: String, model: TrainModel, m: UnsafeMutablePointer<Float>?,
                            v: UnsafeMutablePointer<Float>?, state: TrainerState?) throws {
        let fm = FileManager.default
        let tmp = dir + ".tmp"
        try? fm.removeItem(atPath: tmp)
        do { try fm.createDirectory(atPath: tmp, withIntermediateDirectories: true) } catch {
            throw TrainError("cannot create checkpoint folder: \(error)", at: tmp)
        }
        // config.json: the base config with dtype set to float32 (the weights we write).
        let cpath = (baseModel as NSString).appendingPathComponent("config.json")
        guard let cdata = fm.contents(atPath: cpath), case .object(var obj) = try JSONParser.parse(cdata) else {
            throw TrainError("cannot read base config.json", at: cpath)
        }
        if obj["torch_dtype"] != nil { obj["torch_dtype"] = .string("float32") }
        if obj["dtype"] != nil || obj["torch_dtype"] == nil { obj["dtype"] = .string("float32") }
        try write(JSONWriter().string(.object(obj)) + "\n", to: (tmp as NSString).appendingPathComponent("config.json"))
        for f in copied {
            let src = (baseModel as NSString).appendingPathComponent(f)
            if fm.fileExists(atPath: src) { try? fm.copyItem(atPath: src, toPath: (tmp as NSString).appendingPathComponent(f)) }
        }
        let ps = model.params
        do {
            try SafetensorsWriter.write(path: (tmp as NSString).appendingPathComponent("model.safetensors"), tensors: ps.tensors(of: ps.values))
            if let m, let v {
                try SafetensorsWriter.write(path: (tmp as NSString).appendingPathComponent("optimizer.safetensors"),
                                            tensors: ps.tensors(of: m, prefix: "exp_avg.") + ps.tensors(of: v, prefix: "exp_avg_sq."),
                                            metadata: ["format": "pt", "step": String(state?.step ?? 0)])
            }
        } catch let e as DataIOError { throw TrainError("cannot write checkpoint: \(e)", at: tmp) }
        if let state {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            try write(String(decoding: try enc.encode(state), as: UTF8.self) + "\n", to: (tmp as NSString).appendingPathComponent("trainer_state.json"))
        }
        try? fm.removeItem(atPath: dir)
        do { try fm.moveItem(atPath: tmp, toPath: dir) } catch { throw TrainError("cannot finalise checkpoint: \(error)", at: dir) }
    }

    /// Loads weights, moments and state from a checkpoint folder into `model`, `m`, `v`.
    public static func load(dir: String, model: TrainModel, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>) throws -> TrainerState {
        let ps = model.params
        let opt: SafetensorsFile
        do {
            try ps.load(from: try SafetensorsFile(path: (dir as NSString).appendingPathComponent("model.safetensors")))
            opt = try SafetensorsFile(path: (dir as NSString).appendingPathComponent("optimizer.safetensors"))
        } catch let e as DataIOError { throw TrainError("cannot read checkpoint: \(e)", at: dir) }
        for n in ps.names {
            let s = ps.slots[n]!
            for (prefix, base) in [("exp_avg.", m), ("exp_avg_sq.", v)] {
                let vals: [Float]
                do { vals = try opt.floats(prefix + n) } catch { throw TrainError("cannot read \(prefix)\(n): \(error)", at: opt.path) }
                guard vals.count == s.count else { throw TrainError("optimizer tensor \(prefix)\(n) has the wrong size", at: opt.path) }
                vals.withUnsafeBufferPointer { (base + s.offset).update(from: $0.baseAddress!, count: s.count) }
            }
        }
        let spath = (dir as NSString).appendingPathComponent("trainer_state.json")
        guard let sdata = FileManager.default.contents(atPath: spath) else { throw TrainError("missing trainer_state.json", at: dir) }
        let dec = JSONDecoder()
        dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do { return try dec.decode(TrainerState.self, from: sdata) } catch {
            throw TrainError("invalid trainer_state.json: \(error)", at: spath)
        }
    }

    /// The latest `checkpoint-<step>` folder under `outputDir`, if any.
    public static func latest(in outputDir: String) -> String? {
        guard let items = try? FileManager.default.contentsOfDirectory(atPath: outputDir) else { return nil }
        let steps = items.compactMap { n -> Int? in n.hasPrefix("checkpoint-") ? Int(n.dropFirst("checkpoint-".count)) : nil }
        return steps.max().map { (outputDir as NSString).appendingPathComponent("checkpoint-\($0)") }
    }

    /// Writes `s` to `path` atomically (`AtomicFile`: temporary file, fsync, rename, fsync of the directory).
    public static func write(_ s: String, to path: String) throws {
        do { try AtomicFile.write(s, to: path) } catch let e as CoreError { throw TrainError("cannot write: \(e.reason)", at: path) }
    }
}
