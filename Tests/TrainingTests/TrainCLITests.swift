import Foundation
import Model
import Records
import TestSupport
import XCTest

/// End-to-end `eaft train` / `eaft eval` through the built binary (skipped when it isn't built,
/// e.g. `swift test` without building the `eaft` product).
final class TrainCLITests: XCTestCase {
    @discardableResult
    func eaft(_ args: [String], expectFailure: Bool = false) throws -> (String, String) {
        let r = try EAFTBinary.run(args)
        if expectFailure { XCTAssertNotEqual(r.status, 0, "expected failure: \(args)") } else {
            XCTAssertEqual(r.status, 0, "eaft \(args.joined(separator: " ")) failed: \(r.stderr)")
        }
        return (r.stdout, r.stderr)
    }

    func testTrainWithYAMLAndFlagOverridesThenResumeAndEval() throws {
        let model = try SharedData.require("reference/qwen3-tiny").path
        let dir = try SharedData.tempDir("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fx = SharedData.repo("Tests/Fixtures/training").path
        let yaml = dir.appendingPathComponent("t.yaml").path
        try """
            model: \(model)
            data: \(fx)/train.jsonl
            eval_target: \(fx)/eval_target.jsonl
            eval_general: \(fx)/eval_general.jsonl
            output_dir: \(dir.path)/out
            loss: eaft
            lr: 1.0e-5
            steps: 100
            batch_tokens: 256
            """.write(toFile: yaml, atomically: true, encoding: .utf8)
        // Flags override the file (steps, lr) and every key is a flag (--save-interval, --batch_samples).
        let (stdout, _) = try eaft(["train", "--config", yaml, "--steps", "4", "--lr", "1e-3", "--save-interval", "2", "--batch_samples", "8",
                                    "--schedule", "constant", "--warmup", "0"])
        let report = try JSONParser.parse(stdout)
        XCTAssertEqual(report["steps"]?.intValue, 4)
        XCTAssertNotNil(report["forgetting"]?.doubleValue)
        let lines = try String(contentsOfFile: "\(dir.path)/out/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        let first = try JSONParser.parse(String(lines[0]))
        XCTAssertEqual(first["lr"]?.doubleValue, 1e-3)
        for k in ["step", "loss", "lr", "grad_norm"] { XCTAssertNotNil(first[k], k) }
        for f in ["checkpoint-2/model.safetensors", "checkpoint-4/optimizer.safetensors", "checkpoint-4/trainer_state.json",
                  "checkpoint-4/config.json", "report.json", "report.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(dir.path)/out/\(f)"), f)
        }
        // Resume from checkpoint-2 into a second folder: same metrics lines bit for bit.
        try FileManager.default.createDirectory(atPath: "\(dir.path)/out2", withIntermediateDirectories: true)
        try eaft(["train", "--config", yaml, "--steps", "4", "--lr", "1e-3", "--save-interval", "2", "--batch_samples", "8",
                  "--schedule", "constant", "--warmup", "0", "--output-dir", "\(dir.path)/out2", "--resume", "\(dir.path)/out/checkpoint-2"])
        let lines2 = try String(contentsOfFile: "\(dir.path)/out2/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines2.count, 4)
        for (a, b) in zip(lines, lines2) {
            let x = try JSONParser.parse(String(a)), y = try JSONParser.parse(String(b))
            XCTAssertEqual(x["loss"], y["loss"]); XCTAssertEqual(x["grad_norm"], y["grad_norm"])
        }
        // Errors: unknown flag, unknown YAML key.
        let (_, err) = try eaft(["train", "--config", yaml, "--learning-rate", "1"], expectFailure: true)
        XCTAssertTrue(err.contains("learning_rate"), err)
        // A bad flag value blames the flag, not the file; a bad file value names key, expected type and line.
        let (_, err3) = try eaft(["train", "--config", yaml, "--lr", "abc"], expectFailure: true)
        XCTAssertTrue(err3.contains(#"--lr: expected a number, got "abc""#), err3)
        XCTAssertFalse(err3.contains("t.yaml") || err3.contains("DecodingError"), err3)
        try "model: x\nlr: fast\n".write(toFile: yaml, atomically: true, encoding: .utf8)
        let (_, err4) = try eaft(["train", "--config", yaml], expectFailure: true)
        XCTAssertTrue(err4.contains(#"t.yaml:2: invalid train config: 'lr': expected a number, got "fast""#), err4)
        try "model: x\nbogus: 1\n".write(toFile: yaml, atomically: true, encoding: .utf8)
        let (_, err2) = try eaft(["train", "--config", yaml], expectFailure: true)
        XCTAssertTrue(err2.contains("bogus"), err2)
        // eval on the trained checkpoint
        let (evalOut, _) = try eaft(["eval", "--model", "\(dir.path)/out/checkpoint-4", "--data", "target=\(fx)/eval_target.jsonl"])
        let ev = try JSONParser.parse(String(evalOut.split(separator: "\n")[0]))
        XCTAssertEqual(ev["set"]?.stringValue, "target")
        XCTAssertGreaterThan(ev["loss"]?.doubleValue ?? 0, 0)
    }

    /// Issue 17: `--chunk-rows 2^62` overflowed, `--chunk-rows 0` looped forever, `--max-seq-len -1`
    /// trapped, `--threads 2^40` allocated. Each is now a range error naming the key.
    func testOutOfRangeSizeFlagsAreErrorsNamingTheKey() throws {
        let fx = SharedData.repo("Tests/Fixtures/training").path
        let dir = try SharedData.tempDir("cli-range")
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = ["train", "--model", SharedData.repo("Tests/Fixtures/model/qwen3-bf16").path, "--data", "\(fx)/train.jsonl",
                    "--output-dir", dir.path, "--steps", "1"]
        for (flag, value, key) in [("--chunk-rows", "4611686018427387904", "chunk_rows"), ("--chunk-rows", "0", "chunk_rows"),
                                   ("--max-seq-len", "-1", "max_seq_len"), ("--threads", "1099511627776", "threads"),
                                   ("--batch-tokens", "4611686018427387904", "batch_tokens")] {
            let (_, err) = try eaft(base + [flag, value], expectFailure: true)
            XCTAssertTrue(err.contains("'\(key)'") && !err.contains("Fatal error"), "\(flag) \(value): \(err)")
        }
        let (_, err) = try eaft(["eval", "--model", SharedData.repo("Tests/Fixtures/model/qwen3-bf16").path, "--data", "\(fx)/train.jsonl",
                                 "--threads", "1099511627776"], expectFailure: true)
        XCTAssertTrue(err.contains("--threads"), err)
    }

    /// Issue 17: NaN in the weights gave a silent NaN loss; now training stops with a located error.
    func testNaNWeightsStopTrainingWithALocatedError() throws {
        let src = try SharedData.require("reference/qwen3-tiny").path
        let dir = try SharedData.tempDir("cli-nan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("model").path
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: src + "/config.json", toPath: model + "/config.json")
        let lm = try CausalLM.load(directory: src)
        let norm = try XCTUnwrap(lm.weights.parameter("model.norm.weight"))
        (lm.weights.flat + norm.offset).update(repeating: .nan, count: norm.count)
        try lm.weights.save(to: model + "/model.safetensors")
        let fx = SharedData.repo("Tests/Fixtures/training").path
        let (_, err) = try eaft(["train", "--model", model, "--data", "\(fx)/train.jsonl", "--output-dir", dir.path + "/out",
                                 "--steps", "2", "--batch-tokens", "256"], expectFailure: true)
        XCTAssertTrue(err.contains("non-finite loss") && err.contains("step 1"), err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path + "/out/checkpoint-1"), "no NaN checkpoint")
    }
}
