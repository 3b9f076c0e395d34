import Core
import ArgumentParser
import Foundation
import Kernels
import Model
import Training

/// `eaft bench train`: training-step throughput of the bundled trainer on random-init models of
/// the PyTorch anchor shapes (shared/reference/BASELINES.md), for sft / eaft (dynamic) / eaft (static).
struct TrainBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Time training steps (forward, chunked loss, backward, AdamW) on a random-init model.",
        discussion: "Shapes: small (Qwen3 H256 L4 V8192), smollm2-135m-shape. Prints one JSON line per loss variant.")

    @Option(help: "small | smollm2-135m-shape") var shape: String = "small"
    @Option(help: "Rows per step.") var batch: Int = 8
    @Option(help: "Tokens per row.") var seq: Int = 256
    @Option(help: "Timed repeats (after one warm-up step).") var reps: Int = 5
    @Option(help: "Comma-separated: sft, eaft, eaft-static.") var variants: String = "sft,eaft,eaft-static"
    @Option(help: "Threads (GEMM splits, attention, elementwise passes).") var threads: Int = 2
    @Flag(help: "Also time forward / loss head / backward separately (one extra step).") var breakdown = false
    @Option(help: "Also time only the LM head + loss (with gradients) this many times per variant, round-robin; reports min/median CPU seconds.") var headReps: Int = 0

    func run() throws {
        // HF config.json of the BASELINES.md anchor shapes (random init, seed 1, std 0.02, norms 1).
        let json: String
        switch shape {
        case "small":
            json = #"{"model_type": "qwen3", "vocab_size": 8192, "hidden_size": 256, "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 64, "intermediate_size": 768, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": true, "max_position_embeddings": 4096}"#
        case "smollm2-135m-shape":
            json = #"{"model_type": "llama", "vocab_size": 49152, "hidden_size": 576, "num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3, "intermediate_size": 1536, "rms_norm_eps": 1e-5, "rope_theta": 100000.0, "tie_word_embeddings": true, "max_position_embeddings": 8192}"#
        default:
            throw ValidationError("unknown shape \(shape)")
        }
        let mcfg = try ConfigRegistry.parse(Data(json.utf8), path: "<\(shape)>")
        TrainRuntime.setThreads(threads)
        let model = TrainModel(lm: CausalLM(weights: ModelInit.randomWeights(config: mcfg, seed: 1)))
        let cfg = model.config
        var rng = SplitMix64(seed: 2)
        let ps = model.params
        var b = TrainBatch()
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
                let t0 = Date(), c0 = ProcessStats.cpuSeconds()
                ps.zeroGrads()
                _ = try engine.run(b, coef: 1 / Float(b.labelCount))
                step += 1
                AdamWKernel.step(params: ps.values, grads: ps.grads, m: m, v: v, count: ps.count, lr: 1e-5, step: step, hyper: AdamWHyper())
                if r > 0 { times[vi].append(Date().timeIntervalSince(t0)); cpu[vi].append(ProcessStats.cpuSeconds() - c0) }
            }
        }
        if headReps > 0 {
            // The variants differ only in the LM head + loss; time it alone, many times, round-robin.
            let h = try model.forward(b)
            let dH = UnsafeMutablePointer<Float>.allocate(capacity: b.tokenCount * cfg.hidden)
            defer { dH.deallocate() }
            var hc = [[Double]](repeating: [], count: names.count), hw = hc
            for _ in 0..<headReps {
                for (vi, engine) in engines.enumerated() {
                    let c0 = ProcessStats.cpuSeconds(), t0 = Date()
                    _ = engine.head.run(batch: b, hidden: h, head: model.headWeight, spec: engine.spec, lambdaNow: 1, threshold: 0,
                                        coef: 1, dHidden: dH, dHead: model.headGrad)
                    hc[vi].append(ProcessStats.cpuSeconds() - c0); hw[vi].append(Date().timeIntervalSince(t0))
                }
            }
            for (vi, variant) in names.enumerated() {
                let c = hc[vi].sorted(), w = hw[vi].sorted()
                print("{\"head_only\":\"\(variant)\",\"reps\":\(headReps),\"min_cpu_s\":\(c[0]),\"median_cpu_s\":\(c[c.count / 2]),\"min_s\":\(w[0]),\"median_s\":\(w[w.count / 2])}")
            }
        }
        let peak = KernelSelection.measurePeakGFLOPS()
        let kernel = "\"gemm_kernel\":\"\(KernelInfo.selection.core)\",\"sgemm_peak_gflops\":\((peak * 10).rounded() / 10),"
        for (vi, variant) in names.enumerated() {
            let engine = engines[vi]
            if breakdown {
                ps.zeroGrads()
                let dH = UnsafeMutablePointer<Float>.allocate(capacity: b.tokenCount * cfg.hidden)
                defer { dH.deallocate() }
                let c0 = ProcessStats.cpuSeconds(), t0 = Date()
                let h = try model.forward(b)
                let c1 = ProcessStats.cpuSeconds(), t1 = Date()
                _ = engine.head.run(batch: b, hidden: h, head: model.headWeight, spec: engine.spec, lambdaNow: 1, threshold: 0, coef: 1,
                                    dHidden: dH, dHead: model.headGrad)
                let c2 = ProcessStats.cpuSeconds(), t2 = Date()
                model.backward(b, dHidden: dH)
                let c3 = ProcessStats.cpuSeconds(), t3 = Date()
                print("{\"breakdown\":\"\(variant)\",\"forward_s\":\(t1.timeIntervalSince(t0)),\"loss_head_s\":\(t2.timeIntervalSince(t1)),\"backward_s\":\(t3.timeIntervalSince(t2)),"
                      + "\"forward_cpu_s\":\(c1 - c0),\"loss_head_cpu_s\":\(c2 - c1),\"backward_cpu_s\":\(c3 - c2)}")
            }
            let med = times[vi].sorted()[times[vi].count / 2], medCPU = cpu[vi].sorted()[cpu[vi].count / 2]
            let line = "{\"impl\":\"swift\",\"shape\":\"\(shape)\",\"variant\":\"\(variant)\",\"batch\":\(batch),\"seq\":\(seq),\"reps\":\(reps),\"threads\":\(threads),"
                + kernel + "\"median_s\":\(med),\"min_s\":\(times[vi].min()!),\"tokens_per_s\":\(Double(batch * seq) / med),\"median_cpu_s\":\(medCPU),\"times_s\":\(times[vi]),\"peak_rss_mib\":\(TrainRuntime.peakRSSMiB())}"
            print(line)
        }
    }
}
