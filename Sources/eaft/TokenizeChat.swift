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
        // (messages, tools) -> (text, ids, mask), with the model's own template or a built-in one.
        let render: ([Message], [JSONValue]) throws -> (String, [Int32], [UInt8])
        if let template, FileManager.default.fileExists(atPath: template) {
            render = try modelTemplate(template)
        } else {
            let tok = try Tokenizer.load(path: tokenizer)
            let kind: ChatTemplate.Kind
            if let template {
                guard let k = ChatTemplate.Kind(rawValue: template) else { throw ValidationError("unknown template \(template)") }
                kind = k
            } else {
                guard let k = ChatTemplate.guessKind(for: tok) else {
                    throw ValidationError("cannot guess the template from \(tok.path); pass --template")
                }
                kind = k
            }
            let chat = try ChatTemplate(kind: kind, tokenizer: tok)
            let opts = ChatTemplate.Options(addGenerationPrompt: addGenerationPrompt, mask: lastAssistantOnly ? .lastAssistant : .allAssistant,
                                            enableThinking: enableThinking)
            render = { messages, tools in
                let r = try chat.render(messages: messages, tools: tools, options: opts)
                return (r.text, r.ids, r.lossMask)
            }
        }
        let handle: FileHandle
        if let input {
            guard let h = FileHandle(forReadingAtPath: input) else { throw ValidationError("cannot open \(input)") }
            handle = h
        } else {
            handle = FileHandle.standardInput
        }
        let reader = LineReader(handle: handle)
        var lineNo = 0, errors = 0
        while let line = reader.next() {
            lineNo += 1
            if line.isEmpty { continue }
            let out: JSONValue
            do {
                let v = try JSONParser.parse(line)
                guard let msgs = v["messages"]?.arrayValue else { throw TokenizerError("no \"messages\" array") }
                let messages = try msgs.enumerated().map { try message($1, index: $0) }
                let (text, ids, mask) = try render(messages, v["tools"]?.arrayValue ?? [])
                out = ["text": .string(text), "ids": .array(ids.map { .int(Int64($0)) }), "loss_mask": .array(mask.map { .int(Int64($0)) })]
            } catch {
                errors += 1
                let where_ = "\(input ?? "<stdin>"):\(lineNo)"
                FileHandle.standardError.write(Data("\(where_): \(error)\n".utf8))
                out = ["error": .string("\(where_): \(error)")]
            }
            print(out.description)
        }
        FileHandle.standardError.write(Data("{\"lines\":\(lineNo),\"errors\":\(errors)}\n".utf8))
        if errors > 0 { throw ExitCode(1) }
    }

    /// The model's own Jinja template, through the pipeline's renderer (the same ids and masks as `eaft run`).
    func modelTemplate(_ path: String) throws -> ([Message], [JSONValue]) throws -> (String, [Int32], [UInt8]) {
        var isDir: ObjCBool = false
        let tokPath = FileManager.default.fileExists(atPath: tokenizer, isDirectory: &isDir) && isDir.boolValue
            ? tokenizer + "/tokenizer.json" : tokenizer
        var options: [String: JSONValue] = ["add_generation_prompt": .bool(addGenerationPrompt)]
        if lastAssistantOnly { options["mask"] = .string("last_assistant") }
        if let enableThinking { options["enable_thinking"] = .bool(enableThinking) }
        let renderer = try PipelineSpec.Template(source: path, tokenizer: tokPath, options: options).renderer()
        let tok = try Tokenizer.load(path: tokPath)
        return { messages, tools in
            let r = try renderer.render(Record(id: "chat", source: "eaft tokenizer chat", domain: .math, messages: messages, tools: tools))
            return (tok.decode(r.ids), r.ids, r.mask)
        }
    }

    /// One message in the eaft record form.
    func message(_ v: JSONValue, index: Int) throws -> Message {
        guard let roleName = v["role"]?.stringValue, let role = Role(rawValue: roleName) else {
            throw TokenizerError("message \(index): missing or unknown role")
        }
        let content = v["content"]?.stringValue ?? ""
        let calls = try (v["tool_calls"]?.arrayValue ?? []).map { c -> ToolCall in
            let f = c["function"] ?? c
            guard let name = f["name"]?.stringValue else { throw TokenizerError("message \(index): tool call without a name") }
            return ToolCall(id: c["id"]?.stringValue, name: name, arguments: f["arguments"] ?? .object(JSONObject()))
        }
        return Message(role: role, content: content, reasoning: v["reasoning"]?.stringValue ?? v["reasoning_content"]?.stringValue,
                       toolCalls: calls, toolCallID: v["tool_call_id"]?.stringValue, name: v["name"]?.stringValue)
    }
}
