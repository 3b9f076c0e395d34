import ArgumentParser
import Foundation
import Kernels
import Training

/// `eaft train-bench`: training-step throughput of the bundled trainer on random-init models of
/// the PyTorch anchor shapes (shared/reference/BASELINES.md), for sft / eaft (dynamic) / eaft (static).
struct TrainBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-bench",
        abstract: "Time training steps (forward, chunked loss, backward, AdamW) on a random-init model.",
        discussion: "Shapes: small (Qwen3 H256 L4 V8192), smollm2-135m-shape. Prints one JSON line per loss variant.")

    @Option(help: "small | smollm2-135m-shape") var shape: String = "small"
    @Option(help: "Rows per step.") var batch: Int = 8
    @Option(help: "Tokens per row.") var seq: Int = 256
    @Option(help: "Timed repeats (after one warm-up step).") var reps: Int = 5
    @Option(help: "Comma-separated: sft, eaft, eaft-static.") var variants: String = "sft,eaft,eaft-static"
    @Option(help: "OpenBLAS threads.") var threads: Int = 2
    @Flag(help: "Also time forward / loss head / backward separately (one extra step).") var breakdown = false

    func run() throws {
        TrainRuntime.setBLASThreads(threads)
        let cfg: TrainModelConfig
        switch shape {
        case "small":
            cfg = TrainModelConfig(modelType: "qwen3", vocab: 8192, hidden: 256, layers: 4, heads: 4, kvHeads: 2, headDim: 64,
                                   intermediate: 768, eps: 1e-6, ropeTheta: 1e6, tied: true, qkvBias: false, oBias: false, qkNorm: true)
        case "smollm2-135m-shape":
            cfg = TrainModelConfig(modelType: "llama", vocab: 49152, hidden: 576, layers: 30, heads: 9, kvHeads: 3, headDim: 64,
                                   intermediate: 1536, eps: 1e-5, ropeTheta: 1e5, tied: true, qkvBias: false, oBias: false, qkNorm: false)
        default:
            throw ValidationError("unknown shape \(shape)")
        }
        let model = TrainModel(config: cfg)
        var rng = SplitMix64(seed: 1)
        func normal() -> Float {  // Box–Muller
            let u1 = Double(rng.next() >> 11) / Double(1 << 53) + 1e-300, u2 = Double(rng.next() >> 11) / Double(1 << 53)
            return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
        }
        let ps = model.params
        for n in ps.names {
            let s = ps.slots[n]!
            let isNorm = s.shape.count == 1
            for i in 0..<s.count { ps.values[s.offset + i] = isNorm ? 1 : 0.02 * normal() }
        }
        var b = PackedBatch()
        for _ in 0..<batch {
            let ids = (0..<seq).map { _ in Int32(rng.next() % UInt64(cfg.vocab)) }
            let gates = (0..<seq).map { _ in Float(rng.next() % 1000) / 1000 }
            b.append(ids: ids, mask: [UInt8](repeating: 1, count: seq), gates: gates)
        }
        let m = UnsafeMutablePointer<Float>.allocate(capacity: ps.count); m.initialize(repeating: 0, count: ps.count)
        let v = UnsafeMutablePointer<Float>.allocate(capacity: ps.count); v.initialize(repeating: 0, count: ps.count)
        // Variants run round-robin (rep by rep) so machine-load drift hits them alike.
        let names = variants.split(separator: ",").map(String.init)
        var engines: [StepEngine] = []
        for variant in names {
            let spec: LossSpec
            switch variant {
            case "sft": spec = LossSpec(weight: .sft)
            case "eaft": spec = LossSpec(weight: .eaft, gate: .dynamic)
            case "eaft-static": spec = LossSpec(weight: .eaft, gate: .static)
            default: throw ValidationError("unknown variant \(variant)")
            }
            engines.append(StepEngine(model: model, spec: spec))
        }
        var times = [[Double]](repeating: [], count: names.count), cpu = times
        var step = 0
        for r in 0...reps {
            for (vi, engine) in engines.enumerated() {
                let t0 = Date(), c0 = cpuSeconds()
                ps.zeroGrads()
                _ = engine.run(b, coef: 1 / Float(b.labelCount))
                step += 1
                AdamWKernel.step(params: ps.values, grads: ps.grads, m: m, v: v, count: ps.count, lr: 1e-5, step: step, hyper: AdamWHyper())
                if r > 0 { times[vi].append(Date().timeIntervalSince(t0)); cpu[vi].append(cpuSeconds() - c0) }
            }
        }
        for (vi, variant) in names.enumerated() {
            let engine = engines[vi]
            if breakdown {
                ps.zeroGrads()
                let dH = UnsafeMutablePointer<Float>.allocate(capacity: b.tokenCount * cfg.hidden)
                defer { dH.deallocate() }
                let c0 = cpuSeconds(), t0 = Date()
                let h = model.forward(b)
                let c1 = cpuSeconds(), t1 = Date()
                _ = engine.head.run(batch: b, hidden: h, head: model.headWeight, spec: engine.spec, lambdaNow: 1, threshold: 0, coef: 1,
                                    dHidden: dH, dHead: model.headGrad)
                let c2 = cpuSeconds(), t2 = Date()
                model.backward(b, dHidden: dH)
                let c3 = cpuSeconds(), t3 = Date()
                print("{\"breakdown\":\"\(variant)\",\"forward_s\":\(t1.timeIntervalSince(t0)),\"loss_head_s\":\(t2.timeIntervalSince(t1)),\"backward_s\":\(t3.timeIntervalSince(t2)),"
                      + "\"forward_cpu_s\":\(c1 - c0),\"loss_head_cpu_s\":\(c2 - c1),\"backward_cpu_s\":\(c3 - c2)}")
            }
            let med = times[vi].sorted()[times[vi].count / 2], medCPU = cpu[vi].sorted()[cpu[vi].count / 2]
            let line = "{\"impl\":\"swift\",\"shape\":\"\(shape)\",\"variant\":\"\(variant)\",\"batch\":\(batch),\"seq\":\(seq),\"reps\":\(reps),\"threads\":\(threads),"
                + "\"median_s\":\(med),\"min_s\":\(times[vi].min()!),\"tokens_per_s\":\(Double(batch * seq) / med),\"median_cpu_s\":\(medCPU),\"times_s\":\(times[vi]),\"peak_rss_mib\":\(TrainRuntime.peakRSSMiB())}"
            print(line)
        }
    }
}

/// User + system CPU seconds of this process (all threads).
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
