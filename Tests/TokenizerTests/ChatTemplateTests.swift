import Foundation
import Records
import TestSupport
import XCTest
import Tokenizer

/// Chat templates against transformers.apply_chat_template goldens
/// (scripts/tokenizer_chat_goldens.py → Tests/Fixtures/tokenizer/chat_goldens.jsonl).
final class ChatTemplateTests: XCTestCase {
    struct Golden {
        var kind: ChatTemplate.Kind
        var name: String
        var messages: [Message]
        var tools: [JSONValue]
        var addGenerationPrompt: Bool
        var enableThinking: Bool?
        var text: String
        var ids: [Int32]
    }

    static func message(_ v: JSONValue) -> Message {
        let calls = (v["tool_calls"]?.arrayValue ?? []).map {
            ToolCall(id: $0["id"]?.stringValue, name: $0["name"]!.stringValue!, arguments: $0["arguments"]!)
        }
        return Message(role: Role(rawValue: v["role"]!.stringValue!)!, content: v["content"]!.stringValue!,
                       reasoning: v["reasoning"]?.stringValue, toolCalls: calls,
                       toolCallID: v["tool_call_id"]?.stringValue, name: v["name"]?.stringValue)
    }

    static func goldens() throws -> [Golden] {
        let url = SharedData.repo("Tests/Fixtures/tokenizer/chat_goldens.jsonl")
        let data = try Data(contentsOf: url)
        return try data.split(separator: 0x0A).map { line in
            let v = try JSONParser.parse(Data(line))
            return Golden(kind: ChatTemplate.Kind(rawValue: v["kind"]!.stringValue!)!, name: v["name"]!.stringValue!,
                          messages: v["messages"]!.arrayValue!.map(message), tools: v["tools"]!.arrayValue!,
                          addGenerationPrompt: v["options"]?["add_generation_prompt"]?.boolValue ?? false,
                          enableThinking: v["options"]?["enable_thinking"]?.boolValue,
                          text: v["text"]!.stringValue!, ids: v["ids"]!.arrayValue!.map { Int32($0.intValue!) })
        }
    }

    func template(_ kind: ChatTemplate.Kind) throws -> ChatTemplate {
        let name = kind == .qwen3 ? "qwen3" : kind == .qwen25 ? "qwen2.5" : "llama3"
        return try ChatTemplate(kind: kind, tokenizer: try ParityTests.tokenizer(name))
    }

    func testGoldensTextIdsAndMasks() throws {
        let goldens = try Self.goldens()
        XCTAssertGreaterThanOrEqual(goldens.count, 60)
        var boundaryMerges: [String] = []
        for g in goldens {
            let t = try template(g.kind)
            let opts = ChatTemplate.Options(addGenerationPrompt: g.addGenerationPrompt, enableThinking: g.enableThinking)
            let r = try t.render(messages: g.messages, tools: g.tools, options: opts)
            let label = "\(g.kind.rawValue)/\(g.name)"
            if r.text != g.text {
                let a = Array(r.text.utf8), b = Array(g.text.utf8)
                let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
                XCTFail("\(label): text differs at byte \(i): got \(String(decoding: a[i..<min(i + 60, a.count)], as: UTF8.self).debugDescription) want \(String(decoding: b[i..<min(i + 60, b.count)], as: UTF8.self).debugDescription)")
                continue
            }
            XCTAssertEqual(r.ids, g.ids, label)
            XCTAssertEqual(r.lossMask.count, r.ids.count, label)

            // Every assistant region is covered by masked tokens and only by them.
            let regions = r.assistantRanges
            let (_, ends) = t.tokenizer.encodeWithOffsets(r.text)
            let bytes = Array(r.text.utf8)
            var expected: [UInt8] = []
            for reg in regions { expected += bytes[reg] }
            var got: [UInt8] = []
            var start = 0
            for k in 0..<r.ids.count {
                if r.lossMask[k] == 1 { got += bytes[start..<ends[k]] }
                start = ends[k]
            }
            if got != expected {
                // Allowed only when a token straddles the header/content boundary.
                XCTAssertTrue(got.count > expected.count, "\(label): masked bytes miss assistant text")
                boundaryMerges.append(label)
            }
            let assistantTurns = g.messages.filter { $0.role == .assistant }.count
            XCTAssertEqual(regions.count, assistantTurns, label)
            if assistantTurns > 0 { XCTAssertTrue(r.lossMask.contains(1), label) }
            // Each masked run ends with the end-of-turn token.
            let eot = t.tokenizer.id(of: g.kind == .llama3 ? "<|eot_id|>" : "<|im_end|>")!
            for k in 0..<r.ids.count where r.lossMask[k] == 1 && (k + 1 == r.ids.count || r.lossMask[k + 1] == 0) {
                XCTAssertEqual(r.ids[k], eot, "\(label): masked run ends at token \(k) which is not end-of-turn")
            }

            // Segment encoding: concatenating per-segment encodings equals the full encoding unless a
            // token crosses a segment boundary — the offset-based masking above handles that case.
            var cuts = [0]
            for reg in regions { cuts += [reg.lowerBound, reg.upperBound] }
            cuts.append(bytes.count)
            var segIDs: [Int32] = []
            for (a, b) in zip(cuts, cuts.dropFirst()) where b > a {
                segIDs += t.tokenizer.encode(String(decoding: bytes[a..<b], as: UTF8.self))
            }
            if segIDs != r.ids { XCTAssertTrue(boundaryMerges.contains(label), "\(label): segments differ without a straddling token") }
        }
        // The fixture has one conversation whose assistant content starts with "\n": under Qwen2.5 it merges
        // with the header's "\n" into one "\n\n" token (Qwen3 lstrips it after <think>, Llama-3 trims it).
        XCTAssertEqual(Set(boundaryMerges), ["qwen25/leading-newline"], "\(boundaryMerges)")
    }

    func testLastAssistantMaskAndGenerationPrompt() throws {
        let tok = try ParityTests.tokenizer("qwen3")
        let t = try ChatTemplate(kind: .qwen3, tokenizer: tok)
        let msgs = [Message(role: .user, content: "1+1?"), Message(role: .assistant, content: "2"),
                    Message(role: .user, content: "2+2?"), Message(role: .assistant, content: "4")]
        let all = try t.render(messages: msgs)
        let last = try t.render(messages: msgs, options: .init(mask: .lastAssistant))
        XCTAssertEqual(all.ids, last.ids)
        let im_end = tok.id(of: "<|im_end|>")!
        XCTAssertEqual(all.lossMask.enumerated().filter { $0.element == 1 && all.ids[$0.offset] == im_end }.count, 2)
        XCTAssertEqual(last.lossMask.enumerated().filter { $0.element == 1 && last.ids[$0.offset] == im_end }.count, 1)
        let masked = zip(last.ids, last.lossMask).filter { $0.1 == 1 }.map { $0.0 }
        XCTAssertEqual(tok.decode(masked), "<think>\n\n</think>\n\n4<|im_end|>")
        let gen = try t.renderText(messages: Array(msgs.prefix(1)), options: .init(addGenerationPrompt: true))
        XCTAssertEqual(gen, "<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n<think>\n")
    }

    func testLlama3RejectsTools() throws {
        let t = try template(.llama3)
        XCTAssertThrowsError(try t.render(messages: [Message(role: .user, content: "x")], tools: [["type": "function"]]))
        XCTAssertThrowsError(try t.render(messages: [Message(role: .tool, content: "x")]))
    }

    func testPythonFloatRepr() {
        let cases: [(Double, String)] = [(1.5, "1.5"), (4.0, "4.0"), (0.1, "0.1"), (1e-05, "1e-05"), (0.0001, "0.0001"),
                                         (1e16, "1e+16"), (123456789.0, "123456789.0"), (-2.5e-7, "-2.5e-07"),
                                         (1.2345678901234568e+17, "1.2345678901234568e+17"), (9999999999999998.0, "9999999999999998.0"),
                                         (0.0, "0.0"), (21.5, "21.5"), (3.14159, "3.14159")]
        for (d, want) in cases { XCTAssertEqual(PythonStyleJSON.floatRepr(d), want, "\(d)") }
    }
}

extension ChatTemplateTests {
    func testGuessKind() throws {
        let q3 = try ParityTests.tokenizer("qwen3"), q25 = try ParityTests.tokenizer("qwen2.5")
        let l3 = try ParityTests.tokenizer("llama3"), g2 = try ParityTests.tokenizer("gpt2")
        XCTAssertEqual(ChatTemplate.guessKind(for: q3), .qwen3)
        XCTAssertEqual(ChatTemplate.guessKind(for: q25), .qwen25)
        XCTAssertEqual(ChatTemplate.guessKind(for: l3), .llama3)
        XCTAssertNil(ChatTemplate.guessKind(for: g2))
        // The tiny trained tokenizer has <|im_start|>/<|im_end|> but no <think>.
        let tiny = try Tokenizer.load(path: SharedData.repo("Tests/Fixtures/tokenizer/tiny/qwen.json").path)
        XCTAssertEqual(ChatTemplate.guessKind(for: tiny), .qwen25)
    }
}

extension ChatTemplateTests {
    /// Template text does not depend on the tokenizer: check the Qwen goldens' text with the tiny
    /// committed tokenizer (runs without ../shared), and that ids/masks stay consistent.
    func testGoldenTextsWithTinyTokenizer() throws {
        let tiny = try Tokenizer.load(path: SharedData.repo("Tests/Fixtures/tokenizer/tiny/qwen.json").path)
        var n = 0
        for g in try Self.goldens() where g.kind != .llama3 {
            let t = try ChatTemplate(kind: g.kind, tokenizer: tiny)
            let r = try t.render(messages: g.messages, tools: g.tools,
                                 options: .init(addGenerationPrompt: g.addGenerationPrompt, enableThinking: g.enableThinking))
            XCTAssertEqual(r.text, g.text, "\(g.kind)/\(g.name)")
            XCTAssertEqual(r.ids, tiny.encode(r.text))
            XCTAssertEqual(r.lossMask.count, r.ids.count)
            XCTAssertEqual(tiny.decode(r.ids), UnicodeNFC.normalize(r.text))
            n += 1
        }
        XCTAssertGreaterThanOrEqual(n, 60)
        XCTAssertThrowsError(try ChatTemplate(kind: .llama3, tokenizer: tiny))
    }
}
