import FuzzTargets
import Foundation
import TestSupport
import XCTest

/// Replays the fuzz regression corpus (Tests/Fixtures/fuzz/<target>/*: every crash, hang or
/// leak libFuzzer found, kept after the fix) through the same targets libFuzzer runs. A
/// regression shows up here as a trap (the test process dies) or a hang.
final class FuzzReplayTests: XCTestCase {
    func testRegressionCorpusReplays() throws {
        let root = SharedData.repo("Tests/Fixtures/fuzz")
        var replayed = 0
        for target in FuzzTargets.names {
            let dir = root.appendingPathComponent(target)
            for f in ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() where !f.hasPrefix(".") {
                let data = try Data(contentsOf: dir.appendingPathComponent(f))
                data.withUnsafeBytes { XCTAssertTrue(FuzzTargets.run(target, $0)) }
                replayed += 1
            }
        }
        XCTAssertGreaterThan(replayed, 0, "the regression corpus under Tests/Fixtures/fuzz is empty")
    }

    /// Every target accepts empty and tiny inputs.
    func testTargetsHandleTrivialInputs() {
        for t in FuzzTargets.names {
            for bytes in [[], [0], [0x7B], Array("PAR1PAR1".utf8), Array("EAFTSHRD".utf8)] as [[UInt8]] {
                bytes.withUnsafeBytes { XCTAssertTrue(FuzzTargets.run(t, $0), t) }
            }
        }
    }
}
