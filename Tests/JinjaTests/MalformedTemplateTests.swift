import Foundation
import Jinja
import XCTest

/// A broken template fails to compile with jinja2's message and the line (and a column) of the problem.
/// Messages and lines are those of jinja2 3.1.6 for the same text.
final class MalformedTemplateTests: XCTestCase {
    func check(_ src: String, _ message: String, line: Int, kind: JinjaError.Kind = .syntax, file: StaticString = #filePath, lineNo: UInt = #line) {
        XCTAssertThrowsError(try Template(src), file: file, line: lineNo) { e in
            guard let e = e as? JinjaError else { return XCTFail("not a JinjaError: \(e)", file: file, line: lineNo) }
            XCTAssertEqual(e.reason, message, file: file, line: lineNo)
            XCTAssertEqual(e.line, line, "line", file: file, line: lineNo)
            XCTAssertNotNil(e.column, file: file, line: lineNo)
            XCTAssertEqual(e.kind, kind, file: file, line: lineNo)
            XCTAssertTrue(e.description.contains("line \(line), column"), e.description, file: file, line: lineNo)
        }
    }

    func testUnclosedBlocks() {
        check("line1\n{% for x in y %}\n{{ x }}\n", "Unexpected end of template. Jinja was looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.", line: 3)
        check("{% if a %}\nx\n{% elif b %}y", "Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.", line: 3)
        check("{% for x in y %}{% endif %}", "Encountered unknown tag 'endif'. Jinja was looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.", line: 1)
        check("text {{ x ", "unexpected end of template, expected 'end of print statement'.", line: 1)
        check("a {# b", "Missing end of comment tag", line: 1)
    }

    func testUnknownNames() {
        check("a\nb {{ x | nosuch }}", "No filter named 'nosuch'.", line: 2, kind: .assertion)
        check("\n\n{{ x is nosuchtest }}", "No test named 'nosuchtest'.", line: 3, kind: .assertion)
        check("x\n  {% frobnicate %}", "Encountered unknown tag 'frobnicate'.", line: 2)
        check("{% do x %}", "Encountered unknown tag 'do'.", line: 1)
    }

    func testBadSyntax() {
        check("{{ 1 + }}", "unexpected 'end of print statement'", line: 1)
        check("{{ 'abc }}", "unexpected char \"'\" at 3", line: 1)
        check("{{ (1 }}", "unexpected '}', expected ')'", line: 1)
        check("{% macro m(a=1, b) %}{% endmacro %}", "non-default argument follows default argument", line: 1)
    }

    /// An unknown filter inside an `if` fails only when that code runs (jinja2 3.x).
    func testUnknownFilterInsideIfIsARuntimeError() throws {
        XCTAssertEqual(try Template("{% if false %}{{ x|nosuch }}{% endif %}ok").render([:]), "ok")
        XCTAssertThrowsError(try Template("{% if true %}\n{{ x|nosuch }}{% endif %}").render([:])) { e in
            XCTAssertEqual((e as? JinjaError)?.reason, "No filter named 'nosuch' found.")
            XCTAssertEqual((e as? JinjaError)?.line, 2)
        }
    }

    /// Runtime errors carry the position of the expression that failed.
    func testRuntimeErrorPosition() {
        XCTAssertThrowsError(try Template("ok\n  {{ m.content + 'x' }}").render(["m": .dict(Dict())])) { e in
            let e = e as! JinjaError
            XCTAssertEqual(e.reason, "'dict object' has no attribute 'content'")
            XCTAssertEqual(e.kind, .undefined)
            XCTAssertEqual(e.line, 2)
        }
        XCTAssertThrowsError(try Template("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}").render([:])) { e in
            XCTAssertEqual((e as? JinjaError)?.kind, .recursion)
        }
    }
}

/// Endless recursion ends in an error, not a crash, also on a thread with a small stack (512 KiB, the
/// default of secondary threads) where a pipeline worker would render.
final class RecursionLimitTests: XCTestCase {
    func testEndlessMacroRecursionOnASmallStack() throws {
        let t = try Template("{% macro f(n) %}{{ f(n + 1) ~ (n|string) }}{% endmacro %}{{ f(0) }}")
        var outcome: JinjaError.Kind? = nil
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            do { _ = try t.render([:]) } catch let e as JinjaError { outcome = e.kind } catch {}
            done.signal()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        done.wait()
        XCTAssertEqual(outcome, .recursion)
    }

    func testDeeplyNestedExpressionIsASyntaxErrorNotACrash() {
        let src = "{{ " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + " }}"
        XCTAssertThrowsError(try Template(src)) { e in XCTAssertEqual((e as? JinjaError)?.kind, .syntax) }
    }
}
