import ArgumentParser
import Curation
import Dispatch
import Foundation
import Records
import Verify

/// `eaft bench verify`: throughput of math verification, exact dedup, MinHash dedup and
/// decontamination at the paper's 19k-record scale (GSM8K train ×~2.6 with perturbed copies),
/// against every math test set in shared/data/math.
struct BenchVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Benchmark verification, dedup and decontamination on ~19k GSM8K-derived records.",
        discussion: "Prints one JSON object with timings (seconds) and records/s. Needs ../shared (or --shared).")

    @Option(help: "The shared data folder.") var shared = "../shared"
    @Option(help: "Number of records to build.") var records = 19_000
    @Option(name: .customLong("threads"), help: "Worker threads (default: all cores).") var threadsOption: Int?

    func run() throws {
        let threads = max(1, threadsOption ?? ProcessInfo.processInfo.activeProcessorCount)
        let base = URL(fileURLWithPath: shared).appendingPathComponent("data/math")
        let train = try BenchData.loadJSONL(base.appendingPathComponent("gsm8k/train.jsonl"))
        let originals: [(q: String, a: String)] = train.compactMap { r in
            guard let q = r["question"]?.stringValue, let a = r["answer"]?.stringValue else { return nil }
            return (q, a)
        }
        guard !originals.isEmpty else { throw ValidationError("no GSM8K train rows under \(base.path)") }
        var texts: [String] = [], ids: [String] = [], answers: [(String, String)] = []
        var rng = SplitMix64(seed: 7)
        var copy = 0
        while texts.count < records {
            for (i, o) in originals.enumerated() where texts.count < records {
                let q = copy == 0 ? o.q : BenchData.perturb(o.q, rate: 0.03, rng: &rng)
                texts.append(q + "\n" + o.a)
                ids.append("gsm8k-train:\(i):\(copy)")
                let final = o.a.components(separatedBy: "####").last?.trimmingCharacters(in: .whitespaces) ?? ""
                answers.append((o.a, final))
            }
            copy += 1
        }
        let n = texts.count
        var report: [(String, JSONValue)] = [("records", .int(Int64(n))), ("threads", .int(Int64(threads)))]
        func timed<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let r = try body()
            let s = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            report.append((name + "_s", .double((s * 1000).rounded() / 1000)))
            report.append((name + "_records_per_s", .double((Double(n) / s).rounded())))
            return r
        }
        let wordCount = timed("words") { texts.reduce(0) { $0 + TextNormalizer.words($1).hashes.count } }
        report.append(("words_total", .int(Int64(wordCount))))
        report.append(("non_ascii_records", .int(Int64(texts.filter { $0.utf8.contains { $0 >= 0x80 } }.count))))
        let verifier = MathVerifier()
        let passed = timed("math_verify") { answers.filter { verifier.verify(response: $0.0, reference: $0.1).passed }.count }
        report.append(("math_verify_passed", .int(Int64(passed))))
        var exact = ExactDeduplicator()
        let exactDropped = timed("exact_dedup") { (0..<n).filter { !exact.decide(text: texts[$0], id: ids[$0]).isKeep }.count }
        report.append(("exact_dedup_dropped", .int(Int64(exactDropped))))
        for (name, cfg) in [("minhash_datatrove", MinHashDeduplicator.Config.datatrove), ("minhash_short_text", .shortText)] {
            let dd = MinHashDeduplicator(config: cfg, threads: threads)
            let d = timed(name) { dd.run(texts: texts, ids: ids) }
            report.append((name + "_dropped", .int(Int64(d.filter { !$0.isKeep }.count))))
        }
        let benches = try timed("decontam_index") { try BenchData.mathTestSets(base) }
        report.append(("benchmarks", .int(Int64(benches.count))))
        report.append(("benchmark_items", .int(Int64(benches.reduce(0) { $0 + $1.items.count }))))
        let dec = timed("decontam_build") { Decontaminator(benchmarks: benches, threads: threads) }
        report.append(("decontam_ngrams", .int(Int64(dec.indexSize))))
        let dd = timed("decontam_match") { dec.decideAll(texts: texts) }
        report.append(("decontam_dropped", .int(Int64(dd.filter { !$0.isKeep }.count))))
        print(JSONWriter().string(.object(JSONObject(report))))
    }
}
