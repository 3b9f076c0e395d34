import Core
import DataIO
import Foundation
import Pipeline
import TestSupport
import XCTest

/// Issue 17: spec values that trapped or gave unlocated errors now name the spec key.
final class SpecHostileTests: XCTestCase {
    func assertSpecError(_ replace: String, _ with: String, _ key: String, load: Bool = false, line: UInt = #line) throws {
        let yaml = PipelineFixtures.yaml.replacingOccurrences(of: replace, with: with)
        XCTAssertNotEqual(yaml, PipelineFixtures.yaml, line: line)
        let check: (Error) -> Void = { e in
            XCTAssertTrue(e is PipelineError && "\(e)".contains(key), "'\(with)': \(e) should name \(key)", line: line)
        }
        if load {
            let dir = try SharedData.tempDir("spec")
            let p = dir.appendingPathComponent("p.yaml").path
            try yaml.write(toFile: p, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try PipelineSpec.load(path: p), line: line) { e in
                check(e)
                XCTAssertTrue("\(e)".contains(p), "names the spec file: \(e)", line: line)
            }
        } else {
            XCTAssertThrowsError(try PipelineSpec.parse(yaml: yaml), line: line, check)
        }
    }

    /// `block_kb` near 2^63 overflowed and `shard_mb: 1e30` trapped in the Double → Int conversion.
    func testOutputSizesAreRangeChecked() throws {
        try assertSpecError("block_kb: 8", "block_kb: 9223372036854775807", "output.block_kb")
        try assertSpecError("block_kb: 8", "block_kb: 0", "output.block_kb")
        try assertSpecError("shard_mb: 0.02", "shard_mb: 1e30", "output.shard_mb")
        try assertSpecError("shard_mb: 0.02", "shard_mb: .nan", "output.shard_mb")
        try assertSpecError("unit_samples: 16", "unit_samples: 16, zstd_level: 99", "output.zstd_level")
        try assertSpecError("top_k: 20", "top_k: 4294967296", "stages.5.score.top_k")
        try assertSpecError("batch_tokens: 700", "batch_tokens: -1", "stages.5.score.batch_tokens")
        try assertSpecError("tokenizer: none", "tokenizer: ''", "template.tokenizer")
    }

    /// `unknown adapter 'parquet'` and `adapter openai … unknown option ''` named no spec key.
    func testAdapterErrorsNameTheSpecKey() throws {
        let a = "{path: a, adapter: fields, source: alpha, domain: math}"
        try assertSpecError(a, "{path: a, adapter: parquet, source: alpha, domain: math}", "inputs.0.adapter", load: true)
        try assertSpecError(a, "{path: a, adapter: openai, source: alpha, domain: math, options: {'': 1}}", "inputs.0.options.", load: true)
        try assertSpecError(a, "{path: a, adapter: gsm8k, source: alpha, domain: math, fields: {questionn: q}}", "inputs.0.fields.questionn", load: true)
    }

    /// `output_dir=/dev/null` dumped a raw NSCocoaErrorDomain error.
    func testOutputDirectoryThatIsAFileIsALocatedError() throws {
        XCTAssertThrowsError(try AtomicFile.makeDirectory("/dev/null/x")) { e in
            XCTAssertTrue("\(e)".contains("'/dev/null' exists and is not a directory"), "\(e)")
        }
        XCTAssertThrowsError(try AtomicFile.makeDirectory("/dev/null"))
        let dir = try SharedData.tempDir("mkdir")
        try AtomicFile.makeDirectory(dir.path + "/a/b//c/")
        try AtomicFile.makeDirectory(dir.path + "/a/b/c")
        var isDir: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.path + "/a/b/c", isDirectory: &isDir) && isDir.boolValue)
        let fx = SharedData.repo("Tests/Fixtures/training").path
        let r = try EAFTBinary.run(["train", "--model", SharedData.repo("Tests/Fixtures/model/qwen3-bf16").path, "--data", "\(fx)/train.jsonl",
                                    "--output-dir", "/dev/null", "--steps", "1"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("/dev/null") && r.stderr.contains("not a directory") && !r.stderr.contains("NSCocoaErrorDomain"), r.stderr)
    }
}
