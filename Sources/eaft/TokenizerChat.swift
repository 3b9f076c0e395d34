import Core
import ArgumentParser
import Foundation
import Pipeline
import Records
import Tokenizer

/// `eaft tokenizer chat`: render conversations with a chat template, with ids and loss masks.
struct TokenizerChat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat", abstract: "Render conversations (JSON lines) with a chat template: text, ids, loss mask.",
        discussion: """
            Each input line is an object with "messages" (role, content, optional reasoning, tool_calls \
            [{id?, name, arguments}], tool_call_id, name — the eaft record form) and optional "tools". \
            Output: one JSON object per line {"text", "ids", "loss_mask"} (or {"error"} for a bad line). \
            See schemas/chat-templates.md.
            """)

    @Option(help: "A tokenizer.json file, or a folder containing one.")
    var tokenizer: String

    @Option(help: "The model's own template — a model folder, a tokenizer_config.json or a .jinja file (rendered as transformers does) — or a built-in one: qwen3, qwen25, llama3 (default: guessed from the tokenizer's added tokens).")
    var template: String?

    @Option(help: "JSON-lines input (default: stdin).")
    var input: String?

    @Flag(help: "Append the generation prompt.")
    var addGenerationPrompt = false

    @Flag(help: "Train only on the last assistant turn.")
    var lastAssistantOnly = false

    @Option(help: "Qwen3: true/false selects the hybrid template's generation prompt (see schemas/chat-templates.md).")
    var enableThinking: Bool?

    func run() throws {
        var o = ChatRenderJSONL.Options(tokenizer: tokenizer)
        o.template = template
        o.addGenerationPrompt = addGenerationPrompt
        o.lastAssistantOnly = lastAssistantOnly
        o.enableThinking = enableThinking
        let chat = try ChatRenderJSONL(options: o) { ValidationError($0) }
        let handle: FileHandle
        if let input {
            guard let h = FileHandle(forReadingAtPath: input) else { throw ValidationError("cannot open \(input)") }
            handle = h
        } else {
            handle = FileHandle.standardInput
        }
        let reader = LineReader(fileDescriptor: handle.fileDescriptor, name: input ?? "<stdin>")
        defer { withExtendedLifetime(handle) {} }  // the reader reads its descriptor
        let summary = try chat.run(next: reader.next, inputName: input ?? "<stdin>", write: { print($0) }) {
            Log.warning($0)
        }
        CLIOutput.log(summary.line)
        if summary.errors > 0 { throw ExitCode(1) }
    }
}
