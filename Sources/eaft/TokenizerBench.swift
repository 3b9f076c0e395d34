import Core
import ArgumentParser
import Foundation
import Records
import Tokenizer

/// `eaft tokenizer bench`: load time, RSS and encode throughput measured inside the process
/// (process start-up and I/O excluded), for scripts/tokenizer_bench.py.
struct TokenizerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure tokenizer load time, RSS and encode throughput on a text file's lines.")

    @Option(help: "A tokenizer.json file, or a folder containing one.")
    var tokenizer: String

    @Option(help: "Text files; each non-empty line is one document (same as the Python side).")
    var input: [String]

    @Option(help: "Thread counts to measure, e.g. 1,2.")
    var threads: String = "1,2"

    @Option(help: "Repetitions; the best time is reported.")
    var repeats: Int = 3

    func run() throws {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let tok = try Tokenizer.load(path: tokenizer)
        let loadS = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let rssAfterLoad = ProcessStats.residentMB()
        var lines: [String] = []
        for f in input {
            let s = try String(contentsOfFile: f, encoding: .utf8)
            lines += s.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        }
        let bytes = lines.reduce(0) { $0 + $1.utf8.count }
        var result: [(String, JSONValue)] = [
            ("tokenizer", .string(tokenizer)), ("lines", .int(Int64(lines.count))), ("bytes", .int(Int64(bytes))),
            ("load_s", .double(loadS)), ("rss_after_load_mb", .double(rssAfterLoad)),
        ]
        var tokens = 0
        var first = true
        for t in threads.split(separator: ",").compactMap({ Int($0) }) {
            var best = Double.infinity
            for _ in 0..<max(1, repeats) {
                let s = DispatchTime.now().uptimeNanoseconds
                let ids = tok.encodeBatch(lines, threads: t)
                let e = Double(DispatchTime.now().uptimeNanoseconds - s) / 1e9
                if first {
                    // The very first pass starts with empty word caches.
                    result.append(("encode_cold_\(t)t_mb_s", .double(Double(bytes) / e / 1e6)))
                    first = false
                }
                best = min(best, e)
                tokens = ids.reduce(0) { $0 + $1.count }
            }
            result.append(("encode_\(t)t_s", .double(best)))
            result.append(("encode_\(t)t_mb_s", .double(Double(bytes) / best / 1e6)))
        }
        result.append(("tokens", .int(Int64(tokens))))
        result.append(("peak_rss_mb", .double(ProcessStats.peakMB())))
        print(JSONValue.object(JSONObject(result)).description)
    }
}
