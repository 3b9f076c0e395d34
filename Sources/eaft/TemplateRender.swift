import Core
import ArgumentParser
import Foundation
import Jinja
import Records

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
        // A broken template stops here, before any data is read.
        let job = try TemplateRenderJSONL(source: src, name: name, spans: assistantSpans ? .assistant : spans ? .generation : .none) {
            ValidationError($0)
        }
        let reader: LineReader = try input.map { try LineReader(path: $0) } ?? LineReader(fileDescriptor: 0)
        let summary = try job.run(next: reader.next) { FileHandle.standardOutput.write($0) }
        CLIOutput.log(summary.line)
    }
}
