import Core
import ArgumentParser
import Foundation
import Kernels
import Model
import Records

/// `eaft bench model`: forward + token statistics throughput on a random-init model.
struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Time forward + per-token statistics (log-prob, entropy, top-K entropy) on a random-init model.",
        discussion: """
            Shapes match /work/shared/reference/BASELINES.md (bench_torch.py): small, \
            smollm2-135m-shape, qwen3-0.6b-shape; or --config FILE for any config.json. \
            Runs --batch sequences of --seq random ids packed into one pass, --warmup untimed \
            repeats then --reps timed ones, and prints one JSON line: median seconds, tokens/s, \
            GFLOPS (BASELINES formula: 2·N_matmul + causal attention), the matmul phase's \
            GFLOPS, attention and statistics seconds, and peak RSS.
            """)

    @Option(help: "small | smollm2-135m-shape | qwen3-0.6b-shape")
    var shape: String?

    @Option(help: "A config.json instead of --shape.")
    var config: String?

    @Option var batch: Int = 8
    @Option var seq: Int = 256
    @Option var reps: Int = 3
    @Option var warmup: Int = 1
    @Option(name: .customLong("top-k")) var topK: Int = 20
    @Option(help: "Threads (default: all cores).") var threads: Int?
    @Option(name: .customLong("chunk-rows"), help: "LM-head rows per chunk (default: by vocabulary size).")
    var chunkRows: Int?
    @Option(name: .customLong("attention-block"), help: "Query rows per attention GEMM block (default 64).")
    var attentionBlock: Int?

    static let shapes: [String: String] = [
        "small": #"{"architectures":["Qwen3ForCausalLM"],"vocab_size":8192,"hidden_size":256,"num_hidden_layers":4,"num_attention_heads":4,"num_key_value_heads":2,"head_dim":64,"intermediate_size":768,"tie_word_embeddings":true,"rope_theta":1000000.0,"rms_norm_eps":1e-6,"max_position_embeddings":4096}"#,
        "smollm2-135m-shape": #"{"architectures":["LlamaForCausalLM"],"vocab_size":49152,"hidden_size":576,"num_hidden_layers":30,"num_attention_heads":9,"num_key_value_heads":3,"intermediate_size":1536,"tie_word_embeddings":true,"rope_theta":100000.0,"rms_norm_eps":1e-5,"max_position_embeddings":8192}"#,
        "qwen3-0.6b-shape": #"{"architectures":["Qwen3ForCausalLM"],"vocab_size":151936,"hidden_size":1024,"num_hidden_layers":28,"num_attention_heads":16,"num_key_value_heads":8,"head_dim":128,"intermediate_size":3072,"tie_word_embeddings":true,"rope_theta":1000000.0,"rms_norm_eps":1e-6,"max_position_embeddings":40960}"#,
    ]

    func run() throws {
        let cfg: ModelConfig
        let name: String
        if let config {
            cfg = try ConfigRegistry.load(path: config)
            name = config
        } else {
            let s = shape ?? "small"
            guard let json = Self.shapes[s] else {
                throw ValidationError("unknown --shape \(s); one of " + Self.shapes.keys.sorted().joined(separator: ", "))
            }
            cfg = try ConfigRegistry.parse(Data(json.utf8), path: s)
            name = s
        }
        if let threads { Threads.use(threads) }
        let lm = CausalLM(weights: ModelInit.randomWeights(config: cfg, seed: 0))
        lm.tokenBudget = batch * seq
        lm.chunkRows = chunkRows
        if let attentionBlock { Attention.blockRows = max(1, attentionBlock) }
        var rng = SplitMix64(seed: 1)
        let seqs = (0..<batch).map { _ in (0..<seq).map { _ in Int32(rng.next() % UInt64(cfg.vocabSize)) } }
        let rssAfterBuild = ProcessStats.peakRSSMiB()
        for _ in 0..<warmup { _ = try lm.scoreBatch(seqs, topK: topK) }
        var times: [Double] = [], lin: [Double] = [], linFlops = 0.0, attn: [Double] = [], stats: [Double] = []
        KernelProfile.enabled = true
        for _ in 0..<reps {
            KernelProfile.reset()
            let t0 = KernelProfile.now()
            _ = try lm.scoreBatch(seqs, topK: topK)
            times.append(KernelProfile.now() - t0)
            lin.append(KernelProfile.linearSeconds)
            linFlops = KernelProfile.linearFlops
            attn.append(KernelProfile.attentionSeconds)
            stats.append(KernelProfile.statsSeconds)
        }
        KernelProfile.enabled = false
        let peak = KernelSelection.measurePeakGFLOPS()
        func median(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.sorted()[x.count / 2] }
        let med = median(times)
        let toks = Double(batch * seq)
        // BASELINES.md: 2·N_matmul (lm_head counted even if tied) + 4·L·nh·hd·(S+1)/2.
        let h = cfg.hiddenSize
        let nMatmul = Double(cfg.numLayers * (h * cfg.qDim * 2 + h * cfg.kvDim * 2 + 3 * h * cfg.intermediateSize)
            + cfg.vocabSize * h)
        let fpt = 2 * nMatmul + 4 * Double(cfg.numLayers * cfg.numHeads * cfg.headDim) * Double(seq + 1) / 2
        let out: JSONValue = [
            "mode": "score", "model": .string(name), "batch": .int(Int64(batch)), "seq": .int(Int64(seq)),
            "reps": .int(Int64(reps)), "threads": .int(Int64(Threads.workers)),
            "times_s": .array(times.map { .double(($0 * 1e4).rounded() / 1e4) }),
            "median_s": .double(med), "tokens_per_s": .double(toks / med),
            "n_params": .int(Int64(cfg.parameterCount)), "n_matmul_params": .double(nMatmul),
            "flops_per_token": .double(fpt), "achieved_gflops": .double(fpt * toks / med / 1e9),
            "matmul_s": .double(median(lin)), "matmul_gflops": .double(linFlops / max(1e-9, median(lin)) / 1e9),
            "attention_s": .double(median(attn)), "stats_s": .double(median(stats)),
            "peak_rss_mib": .double(ProcessStats.peakRSSMiB()), "rss_after_build_mib": .double(rssAfterBuild),
            "gemm_kernel": .string(KernelInfo.selection.core), "sgemm_peak_gflops": .double((peak * 10).rounded() / 10),
            "matmul_pct_of_peak": .double((linFlops / max(1e-9, median(lin)) / 1e9 / peak * 1000).rounded() / 10),
        ]
        print(JSONWriter().string(out))
    }
}
