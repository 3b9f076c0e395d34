import ArgumentParser
import Foundation
import Jinja
import Records

/// Subcommands of the chat-template area. Registered in EAFT.swift.
enum TemplateCommands {
    static let all: [ParsableCommand.Type] = [TemplateGroup.self]
}

/// `eaft template …`: a model's own Jinja chat template.
struct TemplateGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Render a model's own Jinja chat template exactly as transformers does.",
        subcommands: [TemplateRender.self, TemplateBench.self])
}

/// `eaft template render --template FILE --input F.jsonl`.
struct TemplateRender: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render", abstract: "Render conversations (JSON lines) with a chat template.",
        discussion: """
            Each input line is an object with "messages" and optional "tools", "documents", "kwargs" \
            (template variables such as add_generation_prompt, enable_thinking), "continue_final_message", \
            "special_tokens" and "now" (ISO time read by strftime_now) — the form of \
            shared/chat-templates/goldens.jsonl. Output: one line per input line, {"text": ...} or \
            {"error": ...}. See schemas/chat-templates.md.
            """)

    @Option(help: "A .jinja file, a tokenizer_config.json, or a model folder.")
    var template: String

    @Option(help: "Named template of a config with several (default: tool_use when tools are given, else default).")
    var name: String?

    @Option(help: "JSON-lines input (default: stdin).")
    var input: String?

    @Flag(help: "Also write the {% generation %} spans (Unicode code point offsets) as \"spans\".")
    var spans = false

    @Flag(help: "Also write the assistant spans (see schemas/chat-templates.md) as \"assistant_spans\" (code points) and \"assistant_spans_utf8\".")
    var assistantSpans = false

    func run() throws {
        let src = try TemplateSource.load(path: template)
        var compiled: [String: ChatRenderer] = [:]
        func renderer(withTools: Bool) throws -> ChatRenderer {
            let text = try src.select(name: name, withTools: withTools)
            if let r = compiled[text] { return r }
            do {
                let r = try ChatRenderer(source: text)
                compiled[text] = r
                return r
            } catch let e as JinjaError {
                throw ValidationError("\(src.path): \(e)")
            }
        }
        _ = try renderer(withTools: false)  // a broken template stops here, before any data is read
        let reader: LineReader = try input.map { try LineReader(path: $0) } ?? LineReader(handle: .standardInput)
        var lineNo = 0, errors = 0
        var out = Data()
        while let line = reader.next() {
            lineNo += 1
            if line.isEmpty { continue }
            var result = JSONObject()
            do {
                var req = try ChatRequest(json: try JSONParser.parse(line))
                for e in src.specialTokens.entries where req.specialTokens[e.key] == nil { req.specialTokens[e.key] = e.value }
                let r = try renderer(withTools: req.tools != nil)
                if assistantSpans {
                    let a = try r.renderWithAssistantSpans(req)
                    result["text"] = .string(a.text)
                    result["assistant_spans"] = .array(a.spans.map { [.int(Int64($0.characters.lowerBound)), .int(Int64($0.characters.upperBound))] })
                    result["assistant_spans_utf8"] = .array(a.spans.map { [.int(Int64($0.utf8.lowerBound)), .int(Int64($0.utf8.upperBound))] })
                    result["assistant_spans_method"] = .string(a.method.rawValue)
                } else if spans {
                    let (text, s) = try r.renderWithGenerationSpans(req)
                    result["text"] = .string(text)
                    result["spans"] = .array(s.map { [.int(Int64($0.lowerBound)), .int(Int64($0.upperBound))] })
                } else {
                    result["text"] = .string(try r.render(req))
                }
            } catch let e as JinjaError {
                errors += 1
                result["error"] = .string(e.reason)
                if e.hasLocation { result["location"] = .string(e.location.description) }
                result["kind"] = .string(e.kind.rawValue)
            } catch {
                errors += 1
                result["error"] = .string("line \(lineNo): \(error)")
            }
            out.append(contentsOf: JSONWriter().string(.object(result)).utf8)
            out.append(0x0A)
            if out.count > 1 << 20 { FileHandle.standardOutput.write(out); out.removeAll(keepingCapacity: true) }
        }
        FileHandle.standardOutput.write(out)
        FileHandle.standardError.write(Data("{\"lines\":\(lineNo),\"errors\":\(errors)}\n".utf8))
    }
}
