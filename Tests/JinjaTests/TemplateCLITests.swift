import Foundation
import Jinja
import Records
import TestSupport
import XCTest

/// `eaft template render` end to end: goldens' lines in, `{"text"}` / `{"error"}` lines out; the
/// template may come from a .jinja file, a tokenizer_config.json (string or named list) or a folder.
final class TemplateCLITests: XCTestCase {
    func tmp(_ name: String) -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eaft-jinja-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name)
    }

    func testRendersGoldenLines() throws {
        let dir = try SharedData.require("chat-templates")
        let lines = try String(contentsOf: dir.appendingPathComponent("goldens.jsonl"), encoding: .utf8).split(separator: "\n")
        let pick = lines.filter { $0.contains("\"template\": \"llama-3.2-3b-instruct\"") }
        let input = tmp("llama.jsonl")
        try pick.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let r = try EAFTBinary.run(["template", "render", "--template", dir.appendingPathComponent("templates/llama-3.2-3b-instruct.jinja").path,
                                    "--input", input.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = r.stdout.split(separator: "\n")
        XCTAssertEqual(out.count, pick.count)
        var texts = 0, errors = 0
        for (g, o) in zip(pick, out) {
            let want = try JSONParser.parse(String(g))["expected"]!, got = try JSONParser.parse(String(o))
            if let s = want.stringValue { XCTAssertEqual(got["text"]?.stringValue, s); texts += 1 } else {
                XCTAssertEqual(got["error"]?.stringValue, want["error"]?.stringValue)
                errors += 1
            }
        }
        XCTAssertGreaterThan(texts, 10)
        XCTAssertGreaterThan(errors, 0)
    }

    func testTokenizerConfigNamedTemplatesAndSpecialTokens() throws {
        let config: JSONValue = [
            "bos_token": ["content": "<s>", "lstrip": false], "eos_token": "</s>",
            "chat_template": [["name": "default", "template": "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}{{ eos_token }}"],
                              ["name": "tool_use", "template": "TOOLS {{ tools|length }}"]],
        ]
        let folder = tmp("model")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try config.description.write(to: folder.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
        let input = tmp("in.jsonl")
        try """
            {"messages": [{"role": "user", "content": "hi"}]}
            {"messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function"}]}
            """.write(to: input, atomically: true, encoding: .utf8)
        let r = try EAFTBinary.run(["template", "render", "--template", folder.path, "--input", input.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "{\"text\":\"<s>hi</s>\"}\n{\"text\":\"TOOLS 1\"}\n")
    }

    func testBrokenTemplateStopsBeforeReadingData() throws {
        let bad = tmp("bad.jinja")
        try "line one\n{% for m in messages %}{{ m.content }}\n".write(to: bad, atomically: true, encoding: .utf8)
        let r = try EAFTBinary.run(["template", "render", "--template", bad.path, "--input", "/nonexistent/input.jsonl"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("line 2"), r.stderr)
        XCTAssertTrue(r.stderr.contains("'endfor'"), r.stderr)
        XCTAssertFalse(r.stderr.contains("nonexistent"), r.stderr)
    }
}
