import Foundation
import Records
import Tokenizer

/// The `eaft tokenizer chat` protocol: one conversation per JSON line in (`messages` in the
/// eaft record form: role, content, optional reasoning, tool_calls [{id?, name, arguments}],
/// tool_call_id, name; optional `tools`), one line out per non-empty input line:
/// `{"text", "ids", "loss_mask"}`, or `{"error"}` for a bad line. Renders with the model's own
/// Jinja template (through the pipeline's renderer: the same ids and masks as `eaft run`) or
/// a built-in one (qwen3, qwen25, llama3).
public struct ChatRenderJSONL {
    /// How conversations are rendered.
    public struct Options: Sendable, Equatable {
        /// A tokenizer.json file, or a folder holding one.
        public var tokenizer: String
        /// A model folder, tokenizer_config.json or .jinja file; or a built-in template name;
        /// nil = guessed from the tokenizer's added tokens.
        public var template: String?
        public var addGenerationPrompt = false
        /// Train only on the last assistant turn.
        public var lastAssistantOnly = false
        public var enableThinking: Bool?
        public init(tokenizer: String) { self.tokenizer = tokenizer }
    }

    /// Counts of one run.
    public struct Summary: Sendable, Equatable {
        public var lines = 0
        public var errors = 0
        /// `{"lines":n,"errors":e}` and a newline, for stderr.
        public var line: String { "{\"lines\":\(lines),\"errors\":\(errors)}\n" }
    }

    /// (messages, tools) → (text, ids, mask).
    let render: ([Message], [JSONValue]) throws -> (String, [Int32], [UInt8])
    let options: Options

    /// Loads the tokenizer and the template; `invalidArgument` makes the error for an unknown
    /// built-in template or one that cannot be guessed.
    public init(options: Options, invalidArgument: (String) -> Error) throws {
        self.options = options
        let tokenizer = options.tokenizer, template = options.template, addGenerationPrompt = options.addGenerationPrompt
        let lastAssistantOnly = options.lastAssistantOnly, enableThinking = options.enableThinking
        if let template, FileManager.default.fileExists(atPath: template) {
            render = try Self.modelTemplate(template, options: options)
        } else {
            let tok = try Tokenizer.load(path: tokenizer)
            let kind: ChatTemplate.Kind
            if let template {
                guard let k = ChatTemplate.Kind(rawValue: template) else { throw invalidArgument("unknown template \(template)") }
                kind = k
            } else {
                guard let k = ChatTemplate.guessKind(for: tok) else {
                    throw invalidArgument("cannot guess the template from \(tok.path); pass --template")
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
    }

    /// Renders every line `next` returns (nil = end of input); `inputName` names the input in
    /// error lines and in the messages to `warn`; each output line goes to `write`.
    public func run(next: () throws -> [UInt8]?, inputName: String, write: (String) throws -> Void,
                    warn: (String) -> Void) throws -> Summary {
        var summary = Summary()
        while let line = try next() {
            summary.lines += 1
            let lineNo = summary.lines
            if line.isEmpty { continue }
            let out: JSONValue
            do {
                let v = try JSONParser.parse(line)
                guard let msgs = v["messages"]?.arrayValue else { throw TokenizerError("no \"messages\" array") }
                let messages = try msgs.enumerated().map { try Self.message($1, index: $0) }
                let (text, ids, mask) = try render(messages, v["tools"]?.arrayValue ?? [])
                out = ["text": .string(text), "ids": .array(ids.map { .int(Int64($0)) }), "loss_mask": .array(mask.map { .int(Int64($0)) })]
            } catch {
                summary.errors += 1
                let where_ = "\(inputName):\(lineNo)"
                warn("\(where_): \(error)")
                out = ["error": .string("\(where_): \(error)")]
            }
            try write(out.description)
        }
        return summary
    }

    /// The model's own Jinja template, through the pipeline's renderer (the same ids and masks as `eaft run`).
    static func modelTemplate(_ path: String, options o: Options) throws -> ([Message], [JSONValue]) throws -> (String, [Int32], [UInt8]) {
        let tokenizer = o.tokenizer
        var isDir: ObjCBool = false
        let tokPath = FileManager.default.fileExists(atPath: tokenizer, isDirectory: &isDir) && isDir.boolValue
            ? tokenizer + "/tokenizer.json" : tokenizer
        var options: [String: JSONValue] = ["add_generation_prompt": .bool(o.addGenerationPrompt)]
        if o.lastAssistantOnly { options["mask"] = .string("last_assistant") }
        if let enableThinking = o.enableThinking { options["enable_thinking"] = .bool(enableThinking) }
        let renderer = try PipelineSpec.Template(source: path, tokenizer: tokPath, options: options).renderer()
        let tok = try Tokenizer.load(path: tokPath)
        return { messages, tools in
            let r = try renderer.render(Record(id: "chat", source: "eaft tokenizer chat", domain: .math, messages: messages, tools: tools))
            return (tok.decode(r.ids), r.ids, r.mask)
        }
    }

    /// One message in the eaft record form.
    static func message(_ v: JSONValue, index: Int) throws -> Message {
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
