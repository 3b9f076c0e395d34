import ArgumentParser
import Curation
import Dispatch
import Foundation
import Records
import Verify

/// Data helpers shared by `eaft bench verify`.
enum BenchData {
    static func loadJSONL(_ url: URL) throws -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ValidationError("cannot read \(url.path)") }
        var out: [JSONValue] = []
        for (k, line) in data.split(separator: 10).enumerated() {
            do { out.append(try JSONParser.parse(Array(line))) } catch {
                throw ValidationError("\(url.path):\(k + 1): \(error)")
            }
        }
        return out
    }

    /// Every math test set in shared/data/math: GSM8K test, MATH-500, AIME25, Qwen2.5-Math eval sets.
    static func mathTestSets(_ base: URL) throws -> [Benchmark] {
        var files: [(String, URL)] = [
            ("gsm8k-test", base.appendingPathComponent("gsm8k/test.jsonl")),
            ("math500", base.appendingPathComponent("math500/test.jsonl")),
            ("aime25", base.appendingPathComponent("aime25/test.jsonl")),
        ]
        let q = base.appendingPathComponent("qwen25_math_eval")
        for d in (try? FileManager.default.contentsOfDirectory(atPath: q.path))?.sorted() ?? [] {
            files.append(("qwen25-\(d)", q.appendingPathComponent(d).appendingPathComponent("test.jsonl")))
        }
        return try files.filter { FileManager.default.fileExists(atPath: $0.1.path) }.map {
            try Benchmark.load(jsonl: $0.1, name: $0.0)
        }
    }

    /// Replaces about `rate` of the words with a made-up word (deterministic under `rng`).
    static func perturb(_ s: String, rate: Double, rng: inout SplitMix64) -> String {
        var words = s.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let k = max(1, Int((Double(words.count) * rate).rounded()))
        for _ in 0..<k where !words.isEmpty {
            let i = Int(rng.next() % UInt64(words.count))
            words[i] = "w\(rng.next() % 100_000)"
        }
        return words.joined(separator: " ")
    }
}
