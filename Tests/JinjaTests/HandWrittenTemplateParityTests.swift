import Foundation
import Jinja
import Records
import TestSupport
import Tokenizer
import XCTest

/// The model's own templates rendered by the Jinja engine against the three hand-written Swift templates
/// (`Tokenizer.ChatTemplate`) on the reference conversations: the same text, and assistant spans compared
/// with the hand-written assistant regions.
final class HandWrittenTemplateParityTests: XCTestCase {
    static func messages(_ conv: JSONValue) -> [Message]? {
        var out: [Message] = []
        for m in conv["messages"]!.arrayValue! {
            guard let role = Role(rawValue: m["role"]!.stringValue!) else { return nil }
            guard let content = m["content"]?.stringValue else { return nil }  // block lists: not in the record form
            let calls = (m["tool_calls"]?.arrayValue ?? []).map {
                ToolCall(id: $0["id"]?.stringValue, name: $0["function"]!["name"]!.stringValue!, arguments: $0["function"]!["arguments"]!)
            }
            out.append(Message(role: role, content: content, reasoning: m["reasoning_content"]?.stringValue, toolCalls: calls,
                               toolCallID: m["tool_call_id"]?.stringValue, name: m["name"]?.stringValue))
        }
        return out
    }

    func compare(kind: ChatTemplate.Kind, tokenizer: String, template: String) throws -> (text: Int, spans: Int, total: Int, diffs: [String]) {
        let dir = try SharedData.require("chat-templates")
        let tok = try Tokenizer.load(path: try SharedData.require("tokenizers/\(tokenizer)").path)
        let hand = try ChatTemplate(kind: kind, tokenizer: tok)
        let jinja = try ChatRenderer(source: try String(contentsOf: dir.appendingPathComponent("templates/\(template).jinja"), encoding: .utf8))
        let convs = try String(contentsOf: dir.appendingPathComponent("conversations.jsonl"), encoding: .utf8).split(separator: "\n")
        var sameText = 0, sameSpans = 0, total = 0
        var diffs: [String] = []
        for line in convs {
            let c = try JSONParser.parse(String(line))
            guard let msgs = HandWrittenTemplateParityTests.messages(c) else { continue }
            let tools = c["tools"]?.arrayValue ?? []
            guard let want = try? hand.render(messages: msgs, tools: tools) else { continue }
            total += 1
            var req = ChatRequest(messages: c["messages"]!.arrayValue!, tools: tools.isEmpty ? nil : c["tools"])
            req.specialTokens = JSONObject([("eos_token", .string("<|im_end|>")), ("pad_token", .string("<|endoftext|>"))])
            let got = try jinja.renderWithAssistantSpans(req)
            guard got.text == want.text else { diffs.append("\(c["id"]!.stringValue!): text differs"); continue }
            sameText += 1
            if got.spans.map(\.utf8) == want.assistantRanges { sameSpans += 1; continue }
            let b = Array(got.text.utf8)
            for (g, w) in zip(got.spans.map(\.utf8), want.assistantRanges) where g != w {
                func show(_ r: Range<Int>) -> String {
                    String(decoding: b[r.lowerBound..<min(r.lowerBound + 24, r.upperBound)], as: UTF8.self).debugDescription + "…"
                        + String(decoding: b[max(r.lowerBound, r.upperBound - 12)..<r.upperBound], as: UTF8.self).debugDescription
                }
                diffs.append("\(c["id"]!.stringValue!): jinja \(g) \(show(g)) vs hand-written \(w) \(show(w))")
            }
        }
        return (sameText, sameSpans, total, diffs)
    }

    func testQwen25() throws {
        let r = try compare(kind: .qwen25, tokenizer: "qwen2.5", template: "qwen2.5-7b-instruct")
        print("qwen2.5: text identical \(r.text)/\(r.total), spans identical \(r.spans)/\(r.total)")
        for d in r.diffs.prefix(10) { print("  ", d) }
        XCTAssertEqual(r.text, r.total)
        XCTAssertEqual(r.spans, r.total)
    }

    func testQwen3Thinking() throws {
        let r = try compare(kind: .qwen3, tokenizer: "qwen3", template: "qwen3-4b-thinking-2507")
        print("qwen3 (Thinking-2507): text identical \(r.text)/\(r.total), spans identical \(r.spans)/\(r.total)")
        for d in r.diffs.prefix(10) { print("  ", d) }
        XCTAssertEqual(r.text, r.total)
        XCTAssertEqual(r.spans, r.total)
    }
}
