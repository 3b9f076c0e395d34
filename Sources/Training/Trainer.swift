import Core
import Foundation
import Kernels
import Records

/// The training loop: token-budget micro-batches of packed samples, gradient accumulation
/// (loss normalised by the label tokens of the whole optimizer step), global-norm clipping
/// (torch `clip_grad_norm_`), AdamW (torch semantics), HF LR schedules, periodic evaluation and
/// checkpoints, bit-for-bit resume.
public final class Trainer: @unchecked Sendable {
    public let config: TrainConfig
    public let model: TrainModel
    public let data: TrainDataset
    let engine: StepEngine
    let evalEngine: StepEngine
    let evaluator: Evaluator?
    let m: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>
    public private(set) var state: TrainerState
    /// Receives human-readable progress and warnings.
    public var log: (String) -> Void = { Log.info($0) }
    /// Called with each step's metrics (the CLI writes them as JSON lines).
    public var onStep: (StepMetrics) -> Void = { _ in }
    private var plans: [Int: [Range<Int>]] = [:]
    private var orders: [Int: [Int]] = [:]

    /// Loads the base model and data. `resume` = a checkpoint folder, or nil for a fresh run.
    public init(config: TrainConfig, resume: String? = nil) throws {
        try config.validate()
        self.config = config
        if let t = config.threads { TrainRuntime.setThreads(t) }
        model = try TrainModel.load(directory: config.model)
        let maxLen = config.maxSeqLen ?? config.batchTokens
        data = try TrainDataset.load(paths: config.data, maxLen: maxLen, vocab: model.config.vocab)
        if data.samples.isEmpty { throw TrainError("no usable training samples", at: config.data.joined(separator: ","), hint: data.errors.first ?? "") }
        engine = StepEngine(model: model, spec: config.lossSpec, chunkRows: config.chunkRows)
        evalEngine = StepEngine(model: model, spec: LossSpec(weight: .sft), chunkRows: config.chunkRows)
        var sets: [(String, TrainDataset)] = []
        if let p = config.evalTarget { sets.append(("target", try TrainDataset.load(paths: [p], maxLen: maxLen, vocab: model.config.vocab))) }
        for (name, p) in config.generalEvalSets { sets.append((name, try TrainDataset.load(paths: [p], maxLen: maxLen, vocab: model.config.vocab))) }
        evaluator = sets.isEmpty ? nil : Evaluator(sets: sets, batchTokens: config.batchTokens, batchSamples: config.batchSamples)
        let n = model.params.count
        m = .allocate(capacity: n); m.initialize(repeating: 0, count: n)
        v = .allocate(capacity: n); v.initialize(repeating: 0, count: n)
        state = TrainerState(config: config)
        state.totalSteps = totalSteps()
        if config.gate != .dynamic && config.loss != .sft && config.loss != .dft && data.samples.contains(where: { $0.gates == nil }) {
            throw TrainError("gate '\(config.gate.rawValue)' needs static gates, but some samples have no 'gate' array",
                             at: config.data.joined(separator: ","), hint: "use gate: dynamic, or score the data first")
        }
        if let resume {
            let saved = try Checkpoint.load(dir: resume, model: model, m: m, v: v)
            try checkCompatible(saved.config)
            state.step = saved.step; state.epoch = saved.epoch; state.microBatch = saved.microBatch
            state.elapsedS = saved.elapsedS; state.history = saved.history; state.evals = saved.evals
        }
    }
    deinit { m.deallocate(); v.deallocate() }

    private func checkCompatible(_ old: TrainConfig) throws {
        let pairs: [(String, Bool)] = [("data", old.data == config.data), ("seed", old.seed == config.seed), ("shuffle", old.shuffle == config.shuffle),
                                       ("batch_tokens", old.batchTokens == config.batchTokens), ("batch_samples", old.batchSamples == config.batchSamples),
                                       ("grad_accum", old.gradAccum == config.gradAccum), ("epochs", old.epochs == config.epochs),
                                       ("steps", old.steps == config.steps), ("max_seq_len", old.maxSeqLen == config.maxSeqLen)]
        for (k, same) in pairs where !same {
            throw TrainError("cannot resume: '\(k)' differs from the checkpoint's run", hint: "resume with the same data and batching settings")
        }
    }

    // MARK: plan

    func order(_ epoch: Int) -> [Int] {
        if let o = orders[epoch] { return o }
        let o = DataOrder.epochOrder(count: data.samples.count, seed: config.seed, epoch: epoch, shuffle: config.shuffle)
        orders = [epoch: o]
        return o
    }
    func plan(_ epoch: Int) -> [Range<Int>] {
        if let p = plans[epoch] { return p }
        let p = Batcher.plan(order: order(epoch), lengths: data.samples.map(\.ids.count), batchTokens: config.batchTokens, batchSamples: config.batchSamples)
        plans = [epoch: p]
        return p
    }
    /// Optimizer steps: `steps`, or the sum over epochs of ceil(micro-batches / grad_accum)
    /// (a step never spans two epochs; the last one of an epoch may have fewer micro-batches).
    func totalSteps() -> Int {
        if let s = config.steps { return s }
        var n = 0
        for e in 0..<config.epochs { n += (plan(e).count + config.gradAccum - 1) / config.gradAccum }
        return n
    }

    /// λ of the hybrid gate at a step: constant, or annealed linearly 1 → 0 over the run.
    func lambda(at step: Int) -> Float {
        guard config.anneal else { return Float(config.lambda) }
        return Float(1 - Double(step) / Double(max(1, state.totalSteps - 1)))
    }

    // MARK: loop

    /// Runs evaluation (if configured) and one optimizer step after another until done.
    @discardableResult
    public func run() throws -> TrainerState {
        let total = state.totalSteps
        let warm = LRSchedule.warmupSteps(ratio: config.warmup, total: total)
        if let ev = evaluator {
            // Base-model entropies for the Figure-4 split, from the base weights.
            if state.step == 0 {
                try ev.captureBaseEntropy(evalEngine)
                recordEval(ev.baseResults(step: 0))  // the base pass is the step-0 evaluation
            } else {
                let base = try TrainModel.load(directory: config.model)
                try ev.captureBaseEntropy(StepEngine(model: base, spec: LossSpec(weight: .sft), chunkRows: config.chunkRows))
            }
        }
        let hyper = AdamWHyper(beta1: config.beta1, beta2: config.beta2, eps: config.eps, weightDecay: config.weightDecay)
        let bar = TerminalProgress()
        let log = self.log
        self.log = { if bar.enabled { bar.finish() }; log($0) }
        defer { bar.finish(); self.log = log }
        let firstStep = state.step  // after a resume the bar (and its ETA) covers this run's steps
        while state.step < total {
            let t0 = Date()
            var p = plan(state.epoch)
            if state.microBatch >= p.count { state.epoch += 1; state.microBatch = 0; p = plan(state.epoch) }
            let mbs = p[state.microBatch..<min(state.microBatch + config.gradAccum, p.count)]
            let o = order(state.epoch)
            let batches = mbs.map { Batcher.pack(data, order: o, range: $0) }
            let n = batches.reduce(0) { $0 + $1.labelCount }
            let masked = config.loss == .masked
            model.params.zeroGrads()
            var wsum = 0.0, cesum = 0.0, kept = 0, tokens = 0
            let lam = lambda(at: state.step)
            for b in batches {
                let r = try engine.run(b, lambdaNow: lam, coef: masked ? 1 : 1 / Float(max(n, 1)))
                wsum += r.weightedSum; cesum += r.ceSum; kept += r.keptCount; tokens += b.tokenCount
            }
            let denom = masked ? kept : n
            if masked && kept > 0 { scaleGrads(1 / Float(kept)) }
            let loss = denom > 0 ? wsum / Double(denom) : 0
            let norm = gradNorm()
            guard loss.isFinite, norm.isFinite else {
                // Stop before AdamW spreads NaN/Inf into every weight (and into a checkpoint).
                throw TrainError("non-finite \(loss.isFinite ? "gradient norm \(norm)" : "loss \(loss)") at step \(state.step + 1) "
                                 + "(epoch \(state.epoch), micro-batches \(mbs.startIndex)..<\(mbs.endIndex))",
                                 at: "train step \(state.step + 1)",
                                 hint: "NaN/Inf in the model weights or data; the weights were not updated")
            }
            if config.maxGradNorm > 0 {
                // torch.nn.utils.clip_grad_norm_: coef = max_norm / (norm + 1e-6), clamped to 1, always applied.
                let coef = min(Float(config.maxGradNorm) / (Float(norm) + 1e-6), 1)
                scaleGrads(coef)
            }
            let lr = config.lr * LRSchedule.factor(config.schedule, step: state.step, warmupSteps: warm, totalSteps: total)
            AdamWKernel.step(params: model.params.values, grads: model.params.grads, m: m, v: v, count: model.params.count,
                             lr: lr, step: state.step + 1, hyper: hyper)
            state.step += 1
            state.microBatch += mbs.count
            let dt = Date().timeIntervalSince(t0)
            state.elapsedS += dt
            let met = StepMetrics(step: state.step, loss: loss, ce: n > 0 ? cesum / Double(n) : 0, lr: lr, gradNorm: norm, tokens: tokens,
                                  labelTokens: n, epoch: state.epoch, elapsedS: state.elapsedS, tokensPerS: Double(tokens) / max(dt, 1e-9))
            state.history.append(met)
            onStep(met)
            bar.update(done: state.step - firstStep, total: total - firstStep,
                       detail: String(format: "step %d/%d  loss %.4f  lr %.3g  |g| %.3f  %.0f tok/s",
                                      state.step, total, loss, lr, norm, met.tokensPerS))
            if let ev = evaluator, config.evalInterval > 0, state.step % config.evalInterval == 0, state.step < total {
                recordEval(try ev.evaluate(evalEngine, step: state.step))
            }
            if config.saveInterval > 0, state.step % config.saveInterval == 0, state.step < total { try save() }
        }
        if let ev = evaluator, state.evals.last?.step != state.step { recordEval(try ev.evaluate(evalEngine, step: state.step)) }
        try save()
        return state
    }

    func recordEval(_ r: [EvalResult]) {
        state.evals += r
        for e in r { log("eval step \(e.step)  \(e.set)  " + String(format: "loss %.4f  ppl %.3f", e.loss, e.perplexity)) }
    }

    /// Writes `checkpoint-<step>` under the output folder.
    public func save() throws {
        let dir = (config.outputDir as NSString).appendingPathComponent("checkpoint-\(state.step)")
        try Checkpoint.save(dir: dir, baseModel: config.model, model: model, m: m, v: v, state: state)
    }

    /// Global L2 norm of all gradients (double accumulation): 16 fixed chunks summed in order,
    /// so the value does not depend on the thread count.
    func gradNorm() -> Double {
        let g = model.params.grads, n = model.params.count
        var partial = [Double](repeating: 0, count: 16)
        partial.withUnsafeMutableBufferPointer { pp in
            let out = pp.baseAddress!
            Threads.forRanges(16, minPerWorker: 1) { chunks in
                for c in chunks {
                    var s = 0.0
                    for i in Threads.range(c, of: 16, count: n) { let x = Double(g[i]); s += x * x }
                    out[c] = s
                }
            }
        }
        return partial.reduce(0, +).squareRoot()
    }
    func scaleGrads(_ c: Float) {
        let g = model.params.grads
        Threads.forRanges(model.params.count, minPerWorker: 1 << 15) { r in
            for i in r { g[i] *= c }
        }
    }
}
