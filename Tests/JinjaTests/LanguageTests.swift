import Foundation
import Jinja
import Records
import TestSupport
import XCTest

/// 142 small templates covering the language, compared with Python jinja2 3.1.6 in transformers' environment
/// (`Tests/Fixtures/jinja/language_cases.jsonl`, made by `scripts/jinja_language_fixtures.py`).
final class LanguageTests: XCTestCase {
    static let now = DateTimeParts(year: 2026, month: 1, day: 15, hour: 9, minute: 30)

    func testCasesMatchPythonJinja2() throws {
        let url = SharedData.repo("Tests/Fixtures/jinja/language_cases.jsonl")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        XCTAssertGreaterThan(lines.count, 130)
        var failures: [String] = []
        for line in lines {
            let c = try JSONParser.parse(String(line))
            let name = c["name"]!.stringValue!
            var ctx: [String: Value] = [:]
            for e in c["context"]?.objectValue?.entries ?? [] { ctx[e.key] = Value(json: e.value) }
            let got: Result<String, Error> = Result {
                try Template(c["template"]!.stringValue!).render(ctx, options: RenderOptions(now: LanguageTests.now))
            }
            switch (c["expected"]?.stringValue, got) {
            case (let want?, .success(let text)):
                if want != text || Array(want.utf8) != Array(text.utf8) {
                    failures.append("\(name): want \(want.debugDescription) got \(text.debugDescription)")
                }
            case (nil, .failure(let e)):
                let want = c["error"]!.stringValue!
                let msg = (e as? JinjaError)?.reason ?? "\(e)"
                if msg != want { failures.append("\(name): error \(msg.debugDescription), jinja2: \(want.debugDescription)") }
            case (let want?, .failure(let e)):
                failures.append("\(name): error \(e), want \(want.debugDescription)")
            case (nil, .success(let text)):
                failures.append("\(name): rendered \(text.debugDescription), jinja2 raised \(c["error"]!.stringValue!)")
            }
        }
        for f in failures { print("FAIL", f) }
        XCTAssertEqual(failures.count, 0, "\(failures.count) of \(lines.count) cases differ from jinja2")
    }
}
