import Foundation
import TestSupport
import Training
import XCTest

/// `TrainConfigLoader` (moved from the CLI into Training): YAML + `--key value` overrides,
/// strict about unknown keys, errors blamed on the flag or the file line.
final class TrainConfigLoaderTests: XCTestCase {
    func yaml(_ text: String) throws -> String {
        let dir = try SharedData.tempDir("train-config-loader")
        let path = dir.appendingPathComponent("t.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testFlagsOverrideTheFileInBothSpellings() throws {
        let path = try yaml("model: m\ndata: d.jsonl\nlr: 0.5\nsteps: 9\n")
        let c = try TrainConfigLoader.load(file: path, overrides: ["--lr", "1e-3", "--batch-tokens=64", "--max_seq_len", "32"])
        XCTAssertEqual(c.lr, 1e-3)
        XCTAssertEqual(c.steps, 9)
        XCTAssertEqual(c.batchTokens, 64)
        XCTAssertEqual(c.maxSeqLen, 32)
    }

    func testUnknownKeysAreErrors() throws {
        XCTAssertThrowsError(try TrainConfigLoader.load(file: nil, overrides: ["--no-such-key", "1"])) { e in
            XCTAssertTrue("\(e)".contains("unknown option --no_such_key"), "\(e)")
        }
        let path = try yaml("model: m\ndata: d.jsonl\nlearning_rate: 1\n")
        XCTAssertThrowsError(try TrainConfigLoader.load(file: path, overrides: [])) { e in
            XCTAssertTrue("\(e)".contains("unknown train config key 'learning_rate'"), "\(e)")
        }
        XCTAssertThrowsError(try TrainConfigLoader.load(file: nil, overrides: ["lr"])) { e in
            XCTAssertTrue("\(e)".contains("unexpected argument 'lr'"), "\(e)")
        }
    }

    func testBadValuesBlameTheFlagOrTheFileLine() throws {
        XCTAssertThrowsError(try TrainConfigLoader.load(file: nil, overrides: ["--steps", "many"])) { e in
            XCTAssertEqual("\(e)", "--steps: expected an integer, got \"many\"")
        }
        let path = try yaml("model: m\ndata: d.jsonl\nsteps: many\n")
        XCTAssertThrowsError(try TrainConfigLoader.load(file: path, overrides: [])) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(path):3: invalid train config: 'steps': expected an integer, got \"many\""), "\(e)")
        }
    }
}
