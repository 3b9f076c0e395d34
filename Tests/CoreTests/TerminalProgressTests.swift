import Core
import Foundation
import XCTest

final class TerminalProgressTests: XCTestCase {
    func testRenderBarPercentAndETA() {
        XCTAssertEqual(TerminalProgress.render(done: 0, total: 10, elapsed: 0, detail: ""), "[--------------------] 0/10 0%")
        // 5 of 20 done in 30 s: 15 remain at 6 s each = 90 s.
        XCTAssertEqual(TerminalProgress.render(done: 5, total: 20, elapsed: 30, detail: "loss 1.0"),
                       "[#####---------------] 5/20 25%  loss 1.0  ETA 1:30")
        XCTAssertEqual(TerminalProgress.render(done: 20, total: 20, elapsed: 3725, detail: ""), "[####################] 20/20 100%  1:02:05")
        // Out-of-range counts are clamped, a zero total does not divide by zero.
        XCTAssertEqual(TerminalProgress.render(done: 30, total: 20, elapsed: 1, detail: ""), "[####################] 20/20 100%  0:01")
        XCTAssertEqual(TerminalProgress.render(done: 0, total: 0, elapsed: 0, detail: "x"), "[--------------------] 0/0 0%  x")
    }

    func testDisabledWhenNotATerminal() {
        // Under `swift test` standard error is a pipe or file, not a terminal.
        if isatty(2) == 0 { XCTAssertFalse(TerminalProgress().enabled) }
        XCTAssertTrue(TerminalProgress(force: true).enabled)
    }
}
