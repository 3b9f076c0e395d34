import Foundation
import Jinja
import Records
import TestSupport
import Tokenizer
import XCTest

/// `ChatRenderer.renderWithAssistantSpans` on the reference templates and conversations:
/// `{% generation %}` spans equal transformers' (the goldens' `assistant_spans`); spans derived from
/// prefixes cover each assistant turn and equal the hand-written templates' regions (Tokenizer.ChatTemplate).
final class AssistantSpanTests: XCTestCase {
    static func goldens() throws -> (URL, [JSONValue]) {
        let dir = try SharedData.require("chat-templates")
        let text = try String(contentsOf: dir.appendingPathComponent("goldens.jsonl"), encoding: .utf8)
        return (dir, try text.split(separator: "\n").map { try JSONParser.parse(String($0)) })
    }

    static func renderer(_ dir: URL, _ name: String, _ cache: inout [String: ChatRenderer]) throws -> ChatRenderer {
        if let r = cache[name] { return r }
        let src = try String(contentsOf: dir.appendingPathComponent("templates/\(name).jinja"), encoding: .utf8)
        let r = try ChatRenderer(source: src)
        cache[name] = r
        return r
    }

    /// Templates with `{% generation %}`: spans exactly as transformers recorded them.
    func testGenerationSpansMatchTransformers() throws {
        let (dir, goldens) = try AssistantSpanTests.goldens()
        var cache: [String: ChatRenderer] = [:]
        var checked = 0
        for g in goldens {
            guard let want = g["assistant_spans"]?.arrayValue, let wantUTF8 = g["assistant_spans_utf8"]?.arrayValue else { continue }
            let r = try AssistantSpanTests.renderer(dir, g["template"]!.stringValue!, &cache)
            let got = try r.renderWithAssistantSpans(try ChatRequest(json: g))
            XCTAssertEqual(got.method, .generation)
            XCTAssertEqual(got.text, g["expected"]?.stringValue)
            XCTAssertEqual(got.spans.map { [Int64($0.characters.lowerBound), Int64($0.characters.upperBound)] },
                           want.map { $0.arrayValue!.map { $0.intValue! } }, "\(g["conversation"]!) \(g["case"]!)")
            XCTAssertEqual(got.spans.map { [Int64($0.utf8.lowerBound), Int64($0.utf8.upperBound)] },
                           wantUTF8.map { $0.arrayValue!.map { $0.intValue! } })
            checked += 1
        }
        print("generation spans: \(checked) goldens checked")
        XCTAssertGreaterThan(checked, 50)
    }

    /// Every template × conversation ("full" case) that renders: one span per assistant message, in
    /// order, not overlapping, each holding the end of that message's content and ending before the
    /// next message begins; checked against the text transformers rendered.
    func testDerivedSpansCoverEachAssistantTurn() throws {
        let (dir, goldens) = try AssistantSpanTests.goldens()
        var cache: [String: ChatRenderer] = [:]
        var checked = 0, derived = 0
        var failures: [String] = []
        for g in goldens where g["case"]?.stringValue == "full" || g["case"]?.stringValue == "tools_full" {
            guard let expected = g["expected"]?.stringValue else { continue }
            let name = g["template"]!.stringValue!
            let label = "\(name) \(g["conversation"]!.stringValue!) \(g["case"]!.stringValue!)"
            let r = try AssistantSpanTests.renderer(dir, name, &cache)
            let req = try ChatRequest(json: g)
            let got: AssistantRendering
            do { got = try r.renderWithAssistantSpans(req) } catch { failures.append("\(label): \(error)"); continue }
            XCTAssertEqual(got.text, expected, label)
            checked += 1
            guard got.method == .prefixes else { continue }
            derived += 1
            let assistants = req.messages.indices.filter { req.messages[$0]["role"]?.stringValue == "assistant" }
            XCTAssertEqual(got.spans.map(\.messageIndex), assistants, label)
            let bytes = Array(got.text.utf8)
            var lastEnd = 0
            for s in got.spans {
                XCTAssertLessThanOrEqual(lastEnd, s.utf8.lowerBound, label)
                XCTAssertLessThan(s.utf8.lowerBound, s.utf8.upperBound, label)
                lastEnd = s.utf8.upperBound
                let spanText = String(decoding: bytes[s.utf8], as: UTF8.self)
                if let content = req.messages[s.messageIndex!]["content"]?.stringValue {
                    let lastLine = content.split(whereSeparator: \.isNewline).last.map {
                        String($0).trimmingCharacters(in: .whitespacesAndNewlines)
                    } ?? ""
                    if !lastLine.isEmpty && !spanText.contains(lastLine) {
                        failures.append("\(label): span of message \(s.messageIndex!) lacks its last line \(lastLine.prefix(40).debugDescription)")
                    }
                }
                // The span never reaches into the next message's own text.
                if let next = req.messages.dropFirst(s.messageIndex! + 1).first?["content"]?.stringValue, next.count > 20 {
                    XCTAssertFalse(spanText.contains(next), "\(label): span runs into the next message")
                }
            }
        }
        for f in failures.prefix(30) { print("SPAN", f) }
        print("assistant spans: \(checked) renderings checked, \(derived) by prefixes, \(failures.count) problems")
        XCTAssertEqual(failures.count, 0)
    }
}
