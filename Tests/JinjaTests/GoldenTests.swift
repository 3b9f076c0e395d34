import Foundation
import Jinja
import Records
import TestSupport
import XCTest

/// Every case of `shared/chat-templates/goldens.jsonl` (rendered by transformers' own Jinja machinery)
/// must come out byte for byte, or fail where transformers raised (with the same message when the
/// template raised it itself via `raise_exception`).
final class GoldenTests: XCTestCase {
    struct Outcome {
        var pass = 0, total = 0, errorMessageExact = 0, errorCases = 0
        var failures: [String] = []
    }

    static func runGoldens() throws -> Outcome {
        let dir = try SharedData.require("chat-templates")
        let lines = try String(contentsOf: dir.appendingPathComponent("goldens.jsonl"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true)
        var compiled: [String: ChatRenderer] = [:]
        var o = Outcome()
        for line in lines {
            let g = try JSONParser.parse(String(line))
            let name = g["template"]!.stringValue!
            if compiled[name] == nil {
                let src = try String(contentsOf: dir.appendingPathComponent("templates/\(name).jinja"), encoding: .utf8)
                compiled[name] = try ChatRenderer(source: src)
            }
            let label = "\(name) \(g["conversation"]!.stringValue!) \(g["case"]!.stringValue!)"
            o.total += 1
            let req = try ChatRequest(json: g)
            let got: Result<String, Error> = Result { try compiled[name]!.render(req) }
            switch (g["expected"]!, got) {
            case (.string(let want), .success(let text)):
                if Array(want.utf8) == Array(text.utf8) { o.pass += 1 } else { o.failures.append("\(label): \(diff(want, text))") }
            case (.object(let err), .failure(let e)):
                o.errorCases += 1
                let want = err["error"]?.stringValue ?? ""
                let je = e as? JinjaError
                let msg = je?.reason ?? "\(e)"
                if msg == want { o.errorMessageExact += 1 }
                if err["type"]?.stringValue == "TemplateError" && msg != want {
                    o.failures.append("\(label): raised \(msg.debugDescription), transformers raised \(want.debugDescription)")
                } else {
                    o.pass += 1
                }
            case (.object(let err), .success(let text)):
                o.errorCases += 1
                o.failures.append("\(label): rendered \(text.prefix(80).debugDescription)… but transformers raised \(err["type"]!.stringValue!): \(err["error"]!.stringValue!.prefix(100))")
            case (_, .failure(let e)):
                o.failures.append("\(label): error \(e)")
            default:
                o.failures.append("\(label): unexpected golden")
            }
        }
        return o
    }

    /// The first differing byte offset and the text around it.
    static func diff(_ want: String, _ got: String) -> String {
        let a = Array(want.utf8), b = Array(got.utf8)
        var i = 0
        while i < a.count && i < b.count && a[i] == b[i] { i += 1 }
        func ctx(_ x: [UInt8]) -> String {
            String(decoding: x[max(0, i - 40)..<min(x.count, i + 40)], as: UTF8.self).debugDescription
        }
        return "first difference at byte \(i) (want \(a.count) bytes, got \(b.count)): want \(ctx(a)) got \(ctx(b))"
    }

    func testAllGoldens() throws {
        let o = try GoldenTests.runGoldens()
        print("goldens: \(o.pass)/\(o.total) pass; error cases \(o.errorCases), identical error messages \(o.errorMessageExact)")
        for f in o.failures.prefix(40) { print("FAIL", f) }
        XCTAssertEqual(o.pass, o.total, "\(o.failures.count) goldens differ")
    }
}
