import Foundation
import Jinja
import XCTest

/// Hostile templates (a GGUF's chat template is user data) end with a `.limit` error instead of
/// hanging or exhausting memory: endless nested loops, repetition bombs, output that doubles.
final class RenderLimitTests: XCTestCase {
    func render(_ src: String, _ o: RenderOptions = RenderOptions()) throws -> String { try Template(src).render([:], options: o) }

    func expectLimit(_ src: String, _ o: RenderOptions = RenderOptions(), file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try render(src, o), file: file, line: line) { e in
            XCTAssertEqual((e as? JinjaError)?.kind, .limit, "\(e)", file: file, line: line)
        }
    }

    func testNestedLoopsStopAtTheStepBudget() throws {
        var o = RenderOptions()
        o.maxSteps = 50_000
        // 10^15 iterations in jinja2; a .limit error after 50,000 steps here.
        expectLimit("{% for a in range(100000) %}{% for b in range(100000) %}{% for c in range(100000) %}{% endfor %}{% endfor %}{% endfor %}", o)
        // Within the budget the same construct renders normally.
        XCTAssertEqual(try render("{% for a in range(3) %}{% for b in range(2) %}x{% endfor %}{% endfor %}", o), "xxxxxx")
    }

    func testRepetitionBombsAreRefusedBeforeAllocating() throws {
        expectLimit("{{ 'abcd' * 1000000000000 }}")
        expectLimit("{{ 1000000000000 * 'abcd' }}")
        expectLimit("{{ ([1, 2] * 100000000000) | length }}")
        XCTAssertEqual(try render("{{ '' * 1000000000000000 }}|{{ 'ab' * 3 }}|{{ 'ab' * -2 }}"), "|ababab|")
    }

    func testDoublingOutputStopsAtTheOutputBound() throws {
        var o = RenderOptions()
        o.maxOutputBytes = 1 << 20
        expectLimit("{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{{ ns.s }}{% endfor %}", o)
    }
}

extension RenderLimitTests {
    func testDoublingAVariableWithoutOutputStops() {
        expectLimit("{% set ns = namespace(s='x') %}{% for i in range(80) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}")
        expectLimit("{% set ns = namespace(s='x') %}{% for i in range(80) %}{% set ns.s = ns.s + ns.s %}{% endfor %}")
        expectLimit("{% set ns = namespace(l=[1]) %}{% for i in range(80) %}{% set ns.l = ns.l + ns.l %}{% endfor %}")
    }
}
