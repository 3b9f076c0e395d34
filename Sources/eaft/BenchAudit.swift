import ArgumentParser
import DataIO
import Foundation
import Model
import Pipeline
import Records
import Tokenizer

/// `eaft bench audit`: the audit's time and HTML size on a synthetic shard directory of the
/// paper's size (19k samples of realistic lengths, every statistic and expected token stored).
struct BenchAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Time `eaft audit` (JSON + Markdown + HTML with the token view) on synthetic shards.")

    @Option(help: "Samples to synthesise.") var samples: Int = 19_000
    @Option(help: "Mean tokens per sample (uniform on [mean/4, 7·mean/4]).") var meanTokens: Int = 520
    @Option(help: "tokenizer.json to decode the token view with (ids only without it).") var tokenizer: String?
    @Option(help: "Work directory (default: a new temporary directory).") var dir: String?

    func run() throws {
        let base = dir ?? NSTemporaryDirectory() + "eaft-bench-audit-\(getpid())"
        let shards = base + "/shards"
        try? FileManager.default.removeItem(atPath: shards)
        try FileManager.default.createDirectory(atPath: shards, withIntermediateDirectories: true)
        var rng = SplitMix64(seed: 0x5EED)
        func next() -> UInt64 { rng.next() }
        func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
        let t0 = Date()
        let w = ShardWriter(directory: shards)
        var tokens = 0, labels = 0
        let sources = ["gsm8k", "medmcqa", "pubmedqa", "huatuo", "bfcl"]
        for i in 0..<samples {
            let t = meanTokens / 4 + Int(next() % UInt64(3 * meanTokens / 2))
            let ids = (0..<t).map { _ in TokenID(next() % 49_152) }
            let start = t / 3
            let mask = (0..<t).map { UInt8($0 >= start ? 1 : 0) }
            var lp = [Float](repeating: 0, count: t), h = lp, g = lp, elp = lp
            var eid = [TokenID](repeating: 0, count: t)
            for k in 1..<t {
                // A mix of confident-correct, uncertain and a few confident-conflict tokens.
                let r = unit()
                let conflict = r < 0.03
                lp[k] = conflict ? -4 - 6 * unit() : r < 0.6 ? -0.2 * unit() : -3 * unit()
                h[k] = conflict ? 0.3 * unit() : r < 0.6 ? 0.5 * unit() : 1 + 2 * unit()
                g[k] = min(1, h[k] / Float(log(20.0)))
                eid[k] = conflict ? TokenID(next() % 49_152) : ids[k]
                elp[k] = conflict ? -0.05 : lp[k]
            }
            let meta = ShardSampleMeta(id: "bench:\(i)", source: sources[i % sources.count], domain: i % 5 == 0 ? "math" : "medical")
            try w.append(ShardSample(meta: meta, ids: ids, lossMask: mask,
                                     stats: TokenStats(logprob: lp, gate: g, topKEntropy: h, entropy: h, expectedID: eid, expectedLogprob: elp)))
            tokens += t
            labels += t - start
        }
        var m = ShardManifest(topK: 20)
        m.shards = try w.finish()
        m.samples = samples; m.tokens = tokens; m.labelTokens = labels
        try m.write(directory: shards)
        let written = Date().timeIntervalSince(t0)
        var o = AuditOptions()
        if let tokenizer { o.tokenizer = try Tokenizer.load(path: tokenizer) }
        let t1 = Date()
        let rep = try Auditor.audit(directory: shards, options: o)
        let json = try rep.jsonBytes(), md = rep.markdown(), html = rep.html()
        let seconds = Date().timeIntervalSince(t1)
        try html.write(toFile: base + "/audit.html", atomically: true, encoding: .utf8)
        print("{\"samples\":\(samples),\"tokens\":\(tokens),\"label_tokens\":\(labels),\"write_s\":\(written),"
            + "\"audit_s\":\(seconds),\"html_bytes\":\(html.utf8.count),\"json_bytes\":\(json.count),\"md_bytes\":\(md.utf8.count),"
            + "\"token_view_samples\":\(rep.tokenView.count),\"html\":\"\(base)/audit.html\"}")
    }
}
