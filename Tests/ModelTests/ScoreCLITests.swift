import DataIO
import Foundation
import Model
import Records
import TestSupport
import XCTest

/// `eaft model init` + `eaft score` through the built binary (skipped when it is not built
/// next to the tests, e.g. `swift test` without building the `eaft` product).
final class ScoreCLITests: XCTestCase {
    func run(_ args: [String]) throws -> (Int32, String, String) {
        let r = try EAFTBinary.run(args)
        return (r.status, r.stdout, r.stderr)
    }

    func testModelInitThenScoreWithBadLines() throws {
        let dir = try SharedData.tempDir("scorecli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cfg = SharedData.repo("Tests/Fixtures/model/qwen3-bf16/config.json").path
        let model = dir.appendingPathComponent("m").path
        let (s1, o1, e1) = try run(["model", "init", "--config", cfg, "--out", model, "--seed", "5", "--std", "0.3"])
        XCTAssertEqual(s1, 0, e1)
        XCTAssertTrue(o1.contains("\"parameters\":18624"), o1)
        let input = dir.appendingPathComponent("in.jsonl")
        try """
            {"ids": [1, 2, 3, 4, 5, 6]}
            {"ids": [1, 96]}
            {"ids": "oops"}
            {"ids": [9], "meta": "single token"}
            {"ids": [50, 40, 30, 20, 10, 0, 95]}
            """.write(to: input, atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("out.jsonl").path
        let (s2, _, e2) = try run(["score", "--model", model, "--input", input.path, "--output", output, "--top-k", "5"])
        XCTAssertEqual(s2, 0, e2)
        XCTAssertTrue(e2.contains("in.jsonl:2") && e2.contains("vocab"), e2)
        XCTAssertTrue(e2.contains("\"errors\":2") && e2.contains("\"lines\":5"), e2)
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 5, "one output line per input line")
        XCTAssertTrue(lines[1].contains("\"error\"") && lines[1].contains("\"line\":2"), lines[1])
        XCTAssertTrue(lines[2].contains("\"error\"") && lines[2].contains("\"line\":3"), lines[2])
        let lm = try CausalLM.load(directory: model)
        for (i, ids) in [(0, [1, 2, 3, 4, 5, 6] as [Int32]), (3, [9]), (4, [50, 40, 30, 20, 10, 0, 95])] {
            let v = try JSONParser.parse(lines[i])
            let want = try lm.scoreTokens(ids: ids, topK: 5)
            // The CLI prints T−1 entries (position t predicts ids[t+1]); TokenStats holds T.
            for (key, ref) in [("logprob", want.logprob.dropFirst()), ("entropy", want.entropy!.dropFirst()),
                               ("topk_entropy", want.topKEntropy.dropFirst()), ("gate", want.gate.dropFirst())] {
                let got = (v[key]?.arrayValue ?? []).compactMap { $0.doubleValue.map(Float.init) }
                // The CLI packs lines into one pass (different GEMM blocking than scoring alone):
                // equal to float rounding.
                XCTAssertEqual(got.count, ref.count, "line \(i + 1) \(key)")
                for (a, b) in zip(got, ref) { XCTAssertEqual(a, b, accuracy: 1e-5, "line \(i + 1) \(key)") }
            }
        }
    }

    /// `--text` tokenizes with the real Qwen3 tokenizer and scores with the full-vocab model:
    /// the ids printed must be the golden ids of the same text.
    func testTextModeWithRealTokenizer() throws {
        let model = try SharedData.require("reference/qwen3-tiny-fullvocab")
        let tokenizer = try SharedData.require("tokenizers/qwen3/tokenizer.json")
        let g = try DataIO.SafetensorsFile(path: model.appendingPathComponent("golden.safetensors").path)
        let want = try g.integers("text2.ids")
        let text = "A 45-year-old man presents with chest pain radiating to the left arm. Answer: B"
        let (st, out, err) = try run(["score", "--model", model.path, "--tokenizer", tokenizer.path, "--text", text])
        XCTAssertEqual(st, 0, err)
        let rows = out.split(separator: "\n").dropFirst()
        let ids = rows.compactMap { r in r.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int64($0) } }
        XCTAssertEqual(ids, want)
        XCTAssertTrue(err.contains("\"tokens\":\(want.count)"), err)
    }
}
