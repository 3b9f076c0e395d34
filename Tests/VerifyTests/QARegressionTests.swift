import Foundation
import Records
import TestSupport
import Verify
import XCTest

/// Regressions from QA: prose vs malformed tool calls, `[{key, text}]` options, and
/// `eaft check` line alignment (blank lines, UTF-8 BOM) through the built binary.
final class QARegressionTests: XCTestCase {
    let fnF: JSONValue = .object(JSONObject([("name", "f"), ("parameters", .object(JSONObject([("type", "object"), ("properties", .object(JSONObject()))])))]))

    func testProseIsNoCallAndBrokenCallIsMalformed() throws {
        let functions = try ToolSchema.functions(from: .array([fnF]))
        let v = ToolCallVerifier()
        let prose = v.verify(response: "I don't need a tool.", functions: functions)
        XCTAssertEqual(prose.reason, "no_answer_found", "\(prose)")
        XCTAssertFalse(prose.passed)
        // a reference that expects no call accepts prose
        XCTAssertTrue(v.verify(response: "I don't need a tool.", functions: functions, expected: []).passed)
        let broken = v.verify(response: "<tool_call>{not json</tool_call>", functions: functions)
        XCTAssertEqual(broken.reason, "malformed_tool_call", "\(broken)")
        XCTAssertTrue(broken.detail.contains("<tool_call> block 0"), broken.detail)
        XCTAssertEqual(v.verify(response: "[f(a=1", functions: functions).reason, "malformed_tool_call")
        XCTAssertEqual(v.verify(response: "math.f(a=", functions: functions).reason, "malformed_tool_call")
        XCTAssertTrue(v.verify(response: "<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>", functions: functions).passed)
        XCTAssertTrue(v.verify(response: "f()", functions: functions).passed)
        XCTAssertEqual(try ToolCallParser.calls(fromText: "Sure (no tool needed)."), [])
        // a record whose assistant text holds a broken call
        let rec = Record(id: "1", source: "t", domain: .agent,
                         messages: [Message(role: .user, content: "hi"), Message(role: .assistant, content: "<tool_call>{\"name\": </tool_call>")],
                         tools: [fnF])
        XCTAssertEqual(v.verify(rec).reason, "malformed_tool_call")
    }

    func testChoiceOptionsAsKeyTextList() throws {
        let row = try JSONParser.parse(#"{"options":[{"key":"A","text":"cat"},{"key":"B","text":"dog"}]}"#)
        let opts = try ChoiceVerifier.options(from: row["options"])
        XCTAssertEqual(opts, [Reference.Option(key: "A", text: "cat"), Reference.Option(key: "B", text: "dog")])
        let v = ChoiceVerifier().verify(response: "dog", reference: "B", options: opts)
        XCTAssertTrue(v.passed, "\(v)")
        XCTAssertEqual(ChoiceVerifier().verify(response: "cat", reference: "B", options: opts).reason, "mismatch")
        // the other forms still work; a malformed entry is an error
        XCTAssertEqual(try ChoiceVerifier.options(from: try JSONParser.parse(#"["x","y"]"#)).map(\.key), ["A", "B"])
        XCTAssertEqual(try ChoiceVerifier.options(from: try JSONParser.parse(#"{"P":"x"}"#)).map(\.key), ["P"])
        XCTAssertThrowsError(try ChoiceVerifier.options(from: try JSONParser.parse(#"[{"key":"A"}]"#)))
    }

    // MARK: - eaft check through the binary

    func check(_ kind: String, _ bytes: [UInt8]) throws -> [JSONValue] {
        try eaft(["check", "--kind", kind], bytes).split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    /// Runs `eaft ARGS --input FILE` with FILE holding `bytes`; returns stdout.
    func eaft(_ args: [String], _ bytes: [UInt8]) throws -> String {
        let dir = try SharedData.tempDir("checkcli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.jsonl")
        try Data(bytes).write(to: input)
        let r = try EAFTBinary.run(args + ["--input", input.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout
    }

    func testCheckKeepsOneOutputPerInputLine() throws {
        let text = "{\"response\":\"#### 1\",\"reference\":\"1\"}\n\n  \n{\"response\":\"#### 2\",\"reference\":\"1\"}\n"
        let rows = try check("math", Array(text.utf8))
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows.map { $0["verdict"] }, [.bool(true), .bool(false), .bool(false), .bool(false)])
        XCTAssertTrue(rows[1]["reason"]?.stringValue?.hasPrefix("bad_input") == true && rows[1]["reason"]?.stringValue?.contains(":2:") == true, "\(rows[1])")
        XCTAssertTrue(rows[3]["reason"]?.stringValue?.hasPrefix("mismatch") == true, "\(rows[3])")
    }

    func testCheckStripsLeadingBOM() throws {
        let rows = try check("math", [0xEF, 0xBB, 0xBF] + Array("{\"response\":\"#### 1\",\"reference\":\"1\"}\n".utf8))
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first?["verdict"], .bool(true), "\(rows)")
    }

    /// `eaft tokenize` (LineReader) drops a leading BOM: same ids with and without it.
    func testTokenizeStripsLeadingBOM() throws {
        let tok = SharedData.repo("Tests/Fixtures/tokenizer/tiny/gpt2.json").path
        let line = Array("{\"text\": \"hello world\"}\n{\"text\": \"again\"}\n".utf8)
        let plain = try eaft(["tokenize", "--tokenizer", tok], line)
        let bom = try eaft(["tokenize", "--tokenizer", tok], [0xEF, 0xBB, 0xBF] + line)
        XCTAssertEqual(plain.split(separator: "\n").count, 2, plain)
        XCTAssertEqual(bom, plain)
    }
}
