import Core
import Foundation

/// The training configuration (`schemas/train.md`). Decoded from YAML by the CLI (every key is
/// also a `--flag`); unknown keys are errors. Defaults follow the EAFT paper
/// (arXiv 2601.02151 §4: AdamW, lr 1e-5, cosine schedule, warmup ratio 0.03, batch 64).
public struct TrainConfig: Sendable, Codable, Equatable {
    // Model, data, outputs
    /// Base model folder (HF layout: config.json + model.safetensors).
    public var model: String = ""
    /// Training data: JSONL files of `{"ids": [...], "mask": [...], "gate": [...]?}` and/or eaft shard
    /// directories (schemas/shard.v1.md; the stored gate is the static gate). One or more.
    public var data: [String] = []
    /// Held-out target-domain set (JSONL ids+mask or shard directory); optional.
    public var evalTarget: String? = nil
    /// Held-out general-domain set(s) (forgetting); optional. One path gives the eval set
    /// `general`; several (a list, each `path` or `name=path`) give `general:<name>` sets
    /// (name defaults to the file name without extension), and forgetting pools them.
    public var evalGeneral: [String] = []
    /// Output folder (checkpoints, metrics, report).
    public var outputDir: String = "out/train"
    /// Metrics JSONL path (default `<output_dir>/metrics.jsonl`).
    public var metrics: String? = nil

    // Loss
    public var loss: LossWeight = .eaft
    public var gate: GateSource = .dynamic
    /// Exponent of `eaft-pow`.
    public var p: Double = 2
    /// `eaft-sigmoid` slope and centre.
    public var alpha: Double = 30
    public var beta: Double = 0.17
    /// Hybrid: weight of the static gate (constant unless `anneal`).
    public var lambda: Double = 0.5
    /// Hybrid: anneal λ linearly from 1 to 0 over training.
    public var anneal: Bool = false
    /// Hybrid: `mix` (λ-weighted) or `min`.
    public var hybrid: String = "mix"
    /// `masked`: fixed τ; default = 15th percentile of the micro-batch's label gates.
    public var tau: Double? = nil
    /// Gate's top-K.
    public var topK: Int = 20

    // Optimisation
    public var lr: Double = 1e-5
    /// `cosine`, `linear` or `constant`.
    public var schedule: String = "cosine"
    /// Warmup as a fraction of total steps (HF `warmup_ratio`; warmup steps = ceil(ratio·total)).
    public var warmup: Double = 0.03
    public var weightDecay: Double = 0.01
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var eps: Double = 1e-8
    /// Global-norm clipping (0 = off).
    public var maxGradNorm: Double = 1.0
    /// Token budget of one micro-batch (samples packed into it).
    public var batchTokens: Int = 32768
    /// Maximum samples per micro-batch (the paper's batch 64).
    public var batchSamples: Int = 64
    /// Longer samples are truncated to this many tokens (default: batch_tokens).
    public var maxSeqLen: Int? = nil
    /// Micro-batches per optimizer step.
    public var gradAccum: Int = 1
    public var epochs: Int = 1
    /// Total optimizer steps (overrides epochs when set).
    public var steps: Int? = nil
    public var seed: UInt64 = 42
    public var shuffle: Bool = true

    // Evaluation, checkpoints, runtime
    /// Evaluate every N steps (0 = only before and after training).
    public var evalInterval: Int = 0
    /// Save a checkpoint every N steps (0 = only at the end).
    public var saveInterval: Int = 0
    /// LM-head chunk rows (default from vocab size).
    public var chunkRows: Int? = nil
    /// Threads for GEMM splits, attention and elementwise passes (default: all cores).
    public var threads: Int? = nil

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, data, evalTarget = "eval_target", evalGeneral = "eval_general", outputDir = "output_dir", metrics
        case loss, gate, p, alpha, beta, lambda, anneal, hybrid, tau, topK = "top_k"
        case lr, schedule, warmup, weightDecay = "weight_decay", beta1, beta2, eps, maxGradNorm = "max_grad_norm"
        case batchTokens = "batch_tokens", batchSamples = "batch_samples", maxSeqLen = "max_seq_len", gradAccum = "grad_accum"
        case epochs, steps, seed, shuffle, evalInterval = "eval_interval", saveInterval = "save_interval"
        case chunkRows = "chunk_rows", threads
    }

    /// Every accepted key (also accepted as `--key` / `--key-with-dashes` flags).
    public static var keys: [String] { CodingKeys.allCases.map(\.rawValue) }

    public init(from decoder: Decoder) throws {
        if let k = try StrictDecoding.unknownKeys(in: decoder, known: TrainConfig.keys).first {
            throw TrainError("unknown train config key '\(k)'", hint: "valid keys: \(TrainConfig.keys.joined(separator: ", "))")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = TrainConfig()
        func opt<T: Decodable>(_ k: CodingKeys, _ cur: T) throws -> T { try c.decodeIfPresent(T.self, forKey: k) ?? cur }
        s.model = try opt(.model, s.model)
        if let one = try? c.decode(String.self, forKey: .data) { s.data = [one] } else { s.data = try opt(.data, s.data) }
        s.evalTarget = try c.decodeIfPresent(String.self, forKey: .evalTarget)
        if let one = try? c.decode(String.self, forKey: .evalGeneral) { s.evalGeneral = [one] } else { s.evalGeneral = try opt(.evalGeneral, s.evalGeneral) }
        s.outputDir = try opt(.outputDir, s.outputDir)
        s.metrics = try c.decodeIfPresent(String.self, forKey: .metrics)
        s.loss = try opt(.loss, s.loss); s.gate = try opt(.gate, s.gate)
        s.p = try opt(.p, s.p); s.alpha = try opt(.alpha, s.alpha); s.beta = try opt(.beta, s.beta)
        s.lambda = try opt(.lambda, s.lambda); s.anneal = try opt(.anneal, s.anneal); s.hybrid = try opt(.hybrid, s.hybrid)
        s.tau = try c.decodeIfPresent(Double.self, forKey: .tau); s.topK = try opt(.topK, s.topK)
        s.lr = try opt(.lr, s.lr); s.schedule = try opt(.schedule, s.schedule); s.warmup = try opt(.warmup, s.warmup)
        s.weightDecay = try opt(.weightDecay, s.weightDecay); s.beta1 = try opt(.beta1, s.beta1); s.beta2 = try opt(.beta2, s.beta2)
        s.eps = try opt(.eps, s.eps); s.maxGradNorm = try opt(.maxGradNorm, s.maxGradNorm)
        s.batchTokens = try opt(.batchTokens, s.batchTokens); s.batchSamples = try opt(.batchSamples, s.batchSamples)
        s.maxSeqLen = try c.decodeIfPresent(Int.self, forKey: .maxSeqLen); s.gradAccum = try opt(.gradAccum, s.gradAccum)
        s.epochs = try opt(.epochs, s.epochs); s.steps = try c.decodeIfPresent(Int.self, forKey: .steps)
        s.seed = try opt(.seed, s.seed); s.shuffle = try opt(.shuffle, s.shuffle)
        s.evalInterval = try opt(.evalInterval, s.evalInterval); s.saveInterval = try opt(.saveInterval, s.saveInterval)
        s.chunkRows = try c.decodeIfPresent(Int.self, forKey: .chunkRows); s.threads = try c.decodeIfPresent(Int.self, forKey: .threads)
        self = s
    }

    /// Checks ranges and combinations; errors name the key.
    public func validate() throws {
        func bad(_ k: String, _ why: String) -> TrainError { TrainError("invalid '\(k)': \(why)", at: "train config") }
        if model.isEmpty { throw bad("model", "required (base model folder)") }
        if data.isEmpty { throw bad("data", "required (JSONL file(s) or shard directories)") }
        if !["cosine", "linear", "constant"].contains(schedule) { throw bad("schedule", "'\(schedule)' (cosine, linear, constant)") }
        if !["mix", "min"].contains(hybrid) { throw bad("hybrid", "'\(hybrid)' (mix, min)") }
        if !(lr >= 0) { throw bad("lr", "must be ≥ 0") }
        if !(0...1).contains(warmup) { throw bad("warmup", "a ratio in [0, 1]") }
        if batchTokens < 1 { throw bad("batch_tokens", "must be ≥ 1") }
        if batchSamples < 1 { throw bad("batch_samples", "must be ≥ 1") }
        if gradAccum < 1 { throw bad("grad_accum", "must be ≥ 1") }
        if epochs < 1 { throw bad("epochs", "must be ≥ 1") }
        if let s = steps, s < 1 { throw bad("steps", "must be ≥ 1") }
        if !(1...1024).contains(topK) { throw bad("top_k", "in 1...1024") }
        if !(0...1).contains(lambda) { throw bad("lambda", "in [0, 1]") }
        if maxGradNorm < 0 { throw bad("max_grad_norm", "must be ≥ 0") }
        // Sizes that drive allocations and loops: bounded here, before anything is allocated
        // (stated in schemas/train.md).
        if batchTokens > Self.maxTokens { throw bad("batch_tokens", "at most \(Self.maxTokens)") }
        if batchSamples > Self.maxTokens { throw bad("batch_samples", "at most \(Self.maxTokens)") }
        if let m = maxSeqLen, !(1...Self.maxTokens).contains(m) { throw bad("max_seq_len", "in 1...\(Self.maxTokens), got \(m)") }
        if let r = chunkRows, !(1...Self.maxChunkRows).contains(r) { throw bad("chunk_rows", "in 1...\(Self.maxChunkRows), got \(r)") }
        if let t = threads, !(1...Self.maxThreads).contains(t) { throw bad("threads", "in 1...\(Self.maxThreads), got \(t)") }
        if evalInterval < 0 { throw bad("eval_interval", "must be ≥ 0") }
        let names = generalEvalSets.map(\.name)
        if Set(names).count != names.count { throw bad("eval_general", "two sets named alike (\(names.joined(separator: ", "))); label them name=path") }
        if saveInterval < 0 { throw bad("save_interval", "must be ≥ 0") }
    }

    /// Upper bounds checked by `validate`: tokens per micro-batch / per sample, LM-head chunk
    /// rows, threads.
    public static let maxTokens = 1 << 24, maxChunkRows = 1 << 16, maxThreads = 1024

    /// The general eval sets as (set name, path): `general` for one, `general:<name>` for several.
    public var generalEvalSets: [(name: String, path: String)] {
        if evalGeneral.count == 1, !evalGeneral[0].contains("=") { return [("general", evalGeneral[0])] }
        return evalGeneral.map { e in
            let parts = e.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { return ("general:" + parts[0], parts[1]) }
            return ("general:" + ((e as NSString).lastPathComponent as NSString).deletingPathExtension, e)
        }
    }

    /// The loss settings.
    public var lossSpec: LossSpec {
        var s = LossSpec(weight: loss, gate: gate)
        s.power = p; s.alpha = alpha; s.beta = beta; s.lambda = lambda; s.hybridMin = hybrid == "min"
        s.tau = tau; s.topK = topK
        return s
    }
}
