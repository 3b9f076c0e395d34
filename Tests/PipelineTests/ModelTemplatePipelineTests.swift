import DataIO
import Foundation
import Pipeline
import Records
import TestSupport
import Tokenizer
import XCTest

/// The pipeline's template stage with the model's own Jinja template (`template.source`).
final class ModelTemplatePipelineTests: XCTestCase {
    func spec(template: String, out: String) throws -> PipelineSpec {
        let repo = SharedData.repoRoot.path
        return try PipelineSpec.parse(yaml: """
            name: model-template
            seed: 7
            inputs:
              - {path: \(repo)/demo/data/math.jsonl, adapter: gsm8k, source: demo-math, domain: math, fields: {reference: final_answer}}
              - {path: \(repo)/demo/data/medical.jsonl, adapter: mcq, source: demo-medical, domain: medical}
              - {path: \(repo)/demo/data/agent.jsonl, adapter: openai, source: demo-agent, domain: agent, options: {reference: last_tool_calls}}
            \(template)
            stages:
              - filter: {min_tokens: 8, max_tokens: 4096}
            output: {dir: \(out), unit_samples: 16}
            """)
    }

    func shards(_ s: PipelineSpec) throws -> [String: [UInt8]] {
        let m = try XCTUnwrap(try Executor.run(ResolvedPipeline(spec: s), components: try ComponentLoader.load(ResolvedPipeline(spec: s)), options: RunOptions()).manifest)
        XCTAssertGreaterThan(m.samples, 100)
        var out: [String: [UInt8]] = [:]
        for f in m.shards { out[f.file] = try AtomicFile.read(s.output.dir + "/" + f.file) }
        return out
    }

    /// The model's own templates give byte-identical shards (ids and masks) to the built-in
    /// templates they were transcribed from: Qwen3 (its Thinking-2507 template, which the built-in
    /// `qwen3` follows) and Qwen2.5, on math, medical and tool-calling records.
    func testModelTemplatesEqualBuiltInOnes() throws {
        for (kind, file, tok) in [("qwen3", "qwen3-4b-thinking-2507", "qwen3"), ("qwen25", "qwen2.5-7b-instruct", "qwen2.5")] {
            let tokPath = try SharedData.require("tokenizers/\(tok)/tokenizer.json").path
            let tmpl = try SharedData.require("chat-templates/templates/\(file).jinja").path
            let a = try SharedData.tempDir("tmpl-builtin-\(kind)").path, b = try SharedData.tempDir("tmpl-jinja-\(kind)").path
            let builtIn = try shards(try spec(template: "template: {kind: \(kind), tokenizer: \(tokPath)}", out: a))
            let own = try shards(try spec(template: "template: {source: \(tmpl), tokenizer: \(tokPath)}", out: b))
            XCTAssertEqual(builtIn.keys.sorted(), own.keys.sorted(), kind)
            for k in builtIn.keys { XCTAssertEqual(builtIn[k], own[k], "\(kind): \(k) differs") }
            let m = try ShardManifest.load(directory: b)
            XCTAssertEqual(m.chatTemplate, "jinja:" + tmpl)
        }
    }

    /// A template that does not parse stops the pipeline before any data is read, with its line and column.
    func testMalformedTemplateStopsBeforeData() throws {
        let dir = try SharedData.tempDir("tmpl-bad").path
        let bad = dir + "/bad.jinja"
        try "{% for m in messages %}\n{{ m.content }\n{% endfor %}".write(toFile: bad, atomically: true, encoding: .utf8)
        let tokPath = try SharedData.require("tokenizers/qwen3/tokenizer.json").path
        let s = try spec(template: "template: {source: \(bad), tokenizer: \(tokPath)}", out: dir + "/out")
        XCTAssertThrowsError(try ComponentLoader.load(ResolvedPipeline(spec: s))) { e in
            let d = "\(e)"
            XCTAssertTrue(d.contains("template.source") && d.contains("line 2"), d)
        }
        XCTAssertThrowsError(try PipelineSpec.parse(yaml: "name: x\ninputs: [{path: a, adapter: gsm8k, domain: math}]\ntemplate: {tokenizer: t}\noutput: {dir: o}\n")) { e in
            XCTAssertTrue("\(e)".contains("kind") && "\(e)".contains("source"), "\(e)")
        }
    }

    /// SmolLM2's own template (ChatML with its default system prompt): the mask covers exactly
    /// the assistant contents and their `<|im_end|>`, nothing of the prompt.
    func testSmolLM2TemplateMasksAssistantOutput() throws {
        let tmpl = try SharedData.require("chat-templates/templates/smollm2-135m-instruct.jinja").path
        let tokPath = try SharedData.require("tokenizers/qwen3/tokenizer.json").path  // any tokenizer knowing <|im_start|>/<|im_end|>
        let r = try XCTUnwrap(try ComponentLoader.load(ResolvedPipeline(spec: try spec(template: "template: {source: \(tmpl), tokenizer: \(tokPath)}", out: "/tmp/unused"))).renderer)
        let rec = Record(id: "r1", source: "t", domain: .math, messages: [
            Message(role: .user, content: "What is 2+3?"), Message(role: .assistant, content: "2+3 = 5."),
            Message(role: .user, content: "And 4+4?"), Message(role: .assistant, content: "8."),
        ])
        let out = try r.render(rec)
        let tok = try Tokenizer.load(path: tokPath)
        let labelled = zip(out.ids, out.mask).filter { $0.1 == 1 }.map { $0.0 }
        XCTAssertEqual(tok.decode(labelled), "2+3 = 5.<|im_end|>8.<|im_end|>")
        XCTAssertTrue(tok.decode(out.ids).contains("You are a helpful AI assistant named SmolLM"))
    }

    /// `eaft tokenizer chat --template FILE` renders with the model's own template, identically to the built-in one it matches.
    func testTokenizerChatTakesTheModelsTemplate() throws {
        let tok = try SharedData.require("tokenizers/qwen3/tokenizer.json").path
        let tmpl = try SharedData.require("chat-templates/templates/qwen3-4b-thinking-2507.jinja").path
        let input = try SharedData.tempDir("chatcli").path + "/c.jsonl"
        try """
            {"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"2+2?"},{"role":"assistant","content":"4","reasoning_content":"add"}]}
            {"messages":[{"role":"user","content":"Weather?"},{"role":"assistant","content":"","tool_calls":[{"name":"get_weather","arguments":{"city":"Paris"}}]},{"role":"tool","content":"sunny"},{"role":"assistant","content":"Sunny."}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}

            """.write(toFile: input, atomically: true, encoding: .utf8)
        let own = try EAFTBinary.run(["tokenizer", "chat", "--tokenizer", tok, "--template", tmpl, "--input", input])
        let builtIn = try EAFTBinary.run(["tokenizer", "chat", "--tokenizer", tok, "--template", "qwen3", "--input", input])
        XCTAssertEqual(own.status, 0, own.stderr)
        XCTAssertEqual(own.stdout.split(separator: "\n").count, 2)
        XCTAssertEqual(own.stdout, builtIn.stdout)
    }
}
