import Records

/// A conversation rendered with a model's chat template: the text, its token ids (exactly
/// `encode(text)`), and a per-token loss mask.
public struct RenderedChat: Sendable, Equatable, Codable {
    public var text: String
    public var ids: [Int32]
    /// 1 on assistant tokens that are trained on (content, tool calls, think block and the
    /// end-of-turn token), 0 elsewhere; `lossMask.count == ids.count`.
    public var lossMask: [UInt8]
    /// UTF-8 byte ranges of `text` holding assistant output (one per assistant turn, in order,
    /// whether or not the mask mode trains on it).
    public var assistantRanges: [Range<Int>]
}

/// Chat templates re-implemented in Swift (no Jinja), matching `transformers.apply_chat_template`
/// byte for byte on the goldens in Tests/Fixtures/tokenizer/chat_goldens.jsonl:
/// * `.qwen3`: the template in Qwen3(-2507) tokenizer_config.json — tools in the system turn,
///   `<think>` kept only on assistant turns after the last user query, tool results as
///   `<tool_response>` inside user turns, generation prompt `<|im_start|>assistant\n<think>\n`.
/// * `.qwen25`: Qwen2.5-Instruct — default system prompt "You are Qwen, created by Alibaba Cloud.
///   You are a helpful assistant." when there is no system message; reasoning is not rendered.
/// * `.llama3`: Meta-Llama-3-Instruct — `<|begin_of_text|>` then per message
///   `<|start_header_id|>role<|end_header_id|>\n\n` + trimmed content + `<|eot_id|>`; no tools.
/// Templates: https://huggingface.co/Qwen/Qwen3-4B-Thinking-2507/blob/main/tokenizer_config.json,
/// https://huggingface.co/Qwen/Qwen2.5-7B-Instruct/blob/main/tokenizer_config.json,
/// https://huggingface.co/meta-llama/Meta-Llama-3-8B-Instruct/blob/main/tokenizer_config.json
public struct ChatTemplate: Sendable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case qwen3, qwen25, llama3
    }

    /// Which assistant turns carry loss.
    public enum MaskMode: String, Sendable, Codable {
        case allAssistant = "all_assistant"
        case lastAssistant = "last_assistant"
    }

    public struct Options: Sendable, Equatable {
        /// Append the assistant header (and Qwen3's `<think>\n`) for generation.
        public var addGenerationPrompt: Bool
        public var mask: MaskMode
        /// Qwen3 only. nil: the generation prompt of the shared Qwen3-2507 template
        /// (`<|im_start|>assistant\n<think>\n`). Set: the original hybrid Qwen3 template's
        /// (`<|im_start|>assistant\n`, plus `<think>\n\n</think>\n\n` when false). The two
        /// templates differ only there.
        public var enableThinking: Bool?
        public init(addGenerationPrompt: Bool = false, mask: MaskMode = .allAssistant, enableThinking: Bool? = nil) {
            self.addGenerationPrompt = addGenerationPrompt
            self.mask = mask
            self.enableThinking = enableThinking
        }
    }

    public let kind: Kind
    public let tokenizer: Tokenizer

    /// A best guess from the tokenizer's added tokens: `<|start_header_id|>` → llama3,
    /// `<|im_start|>` with `<think>` → qwen3, `<|im_start|>` alone → qwen25; nil otherwise.
    public static func guessKind(for tokenizer: Tokenizer) -> Kind? {
        let added = Set(tokenizer.addedTokens.map(\.content))
        if added.contains("<|start_header_id|>") && added.contains("<|eot_id|>") { return .llama3 }
        if added.contains("<|im_start|>") && added.contains("<|im_end|>") {
            return added.contains("<think>") ? .qwen3 : .qwen25
        }
        return nil
    }

    static let qwenDefaultSystem = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."

    /// Fails if the tokenizer lacks the template's special tokens.
    public init(kind: Kind, tokenizer: Tokenizer) throws {
        self.kind = kind
        self.tokenizer = tokenizer
        let needed = kind == .llama3
            ? ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
            : ["<|im_start|>", "<|im_end|>"]
        for t in needed where tokenizer.addedTokens.first(where: { $0.content == t }) == nil {
            throw TokenizerError("chat template \(kind.rawValue) needs the added token \(t)", at: tokenizer.path,
                                 hint: "use the tokenizer of the model family the template belongs to")
        }
    }

    /// Renders and tokenizes `messages`. Throws on conversations the template cannot express.
    public func render(messages: [Message], tools: [JSONValue] = [], options: Options = Options()) throws -> RenderedChat {
        var r = Renderer()
        switch kind {
        case .qwen3: try renderQwen3(messages, tools, options, &r)
        case .qwen25: try renderQwen25(messages, tools, options, &r)
        case .llama3: try renderLlama3(messages, tools, options, &r)
        }
        let text = r.text
        let (ids, ends) = tokenizer.encodeWithOffsets(text)
        let regions = options.mask == .lastAssistant ? Array(r.regions.suffix(1)) : r.regions
        return RenderedChat(text: text, ids: ids, lossMask: Self.lossMask(tokenEnds: ends, regions: regions), assistantRanges: r.regions)
    }

    /// The assistant-only loss mask of a tokenized rendering: token k (UTF-8 bytes
    /// `ends[k-1]..<ends[k]`) is trained on when any of its bytes lies in one of `regions`
    /// (sorted UTF-8 byte ranges), so a token that straddles the header/content boundary
    /// (e.g. "\n\n") and contains generated bytes is a label.
    public static func lossMask(tokenEnds ends: [Int], regions: [Range<Int>]) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: ends.count)
        var ri = 0
        var start = 0
        for k in 0..<ends.count {
            let end = ends[k]
            while ri < regions.count && regions[ri].upperBound <= start { ri += 1 }
            if ri < regions.count && regions[ri].lowerBound < end && start < regions[ri].upperBound { mask[k] = 1 }
            start = end
        }
        return mask
    }

    /// Renders a record's messages and tools.
    public func render(_ record: Record, options: Options = Options()) throws -> RenderedChat {
        do {
            return try render(messages: record.messages, tools: record.tools, options: options)
        } catch var e as TokenizerError {
            e.location = SourceLocation(file: "record \(record.id) (\(record.source))")
            throw e
        }
    }

    /// Only the text (no tokenization).
    public func renderText(messages: [Message], tools: [JSONValue] = [], options: Options = Options()) throws -> String {
        var r = Renderer()
        switch kind {
        case .qwen3: try renderQwen3(messages, tools, options, &r)
        case .qwen25: try renderQwen25(messages, tools, options, &r)
        case .llama3: try renderLlama3(messages, tools, options, &r)
        }
        return r.text
    }

    /// Accumulates UTF-8 text and the byte ranges of assistant output.
    struct Renderer {
        var bytes: [UInt8] = []
        var regions: [Range<Int>] = []
        private var open: Int?
        mutating func add(_ s: String) { bytes += Array(s.utf8) }
        mutating func beginAssistant() { open = bytes.count }
        mutating func endAssistant() {
            if let o = open { regions.append(o..<bytes.count) }
            open = nil
        }
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    // MARK: - Qwen

    func toolsBlock(_ tools: [JSONValue]) -> String {
        var s = "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
            + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
        for t in tools { s += "\n" + PythonJSON.dumps(t) }
        s += "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
            + "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": "
            + "<args-json-object>}\n</tool_call><|im_end|>\n"
        return s
    }

    func toolCallText(_ c: ToolCall, stringArgumentsRaw: Bool) -> String {
        var s = "<tool_call>\n{\"name\": \"" + c.name + "\", \"arguments\": "
        if stringArgumentsRaw, case .string(let raw) = c.arguments { s += raw } else { s += PythonJSON.dumps(c.arguments) }
        return s + "}\n</tool_call>"
    }

    func renderQwen3(_ m: [Message], _ tools: [JSONValue], _ o: Options, _ r: inout Renderer) throws {
        guard !m.isEmpty else { throw TokenizerError("chat template qwen3: no messages") }
        if !tools.isEmpty {
            r.add("<|im_start|>system\n")
            if m[0].role == .system { r.add(m[0].content + "\n\n") }
            r.add(toolsBlock(tools))
        } else if m[0].role == .system {
            r.add("<|im_start|>system\n" + m[0].content + "<|im_end|>\n")
        }
        var lastQuery = m.count - 1
        for i in stride(from: m.count - 1, through: 0, by: -1) where m[i].role == .user {
            let c = m[i].content
            if !(pyHasPrefix(c, "<tool_response>") && pyHasSuffix(c, "</tool_response>")) { lastQuery = i; break }
        }
        for (i, msg) in m.enumerated() {
            var content = msg.content
            switch msg.role {
            case .user:
                r.add("<|im_start|>user\n" + content + "<|im_end|>\n")
            case .system:
                if i > 0 { r.add("<|im_start|>system\n" + content + "<|im_end|>\n") }
            case .assistant:
                var reasoning = ""
                if let rc = msg.reasoning {
                    reasoning = rc
                } else if pySplit(content, "</think>").count > 1 {
                    let parts = pySplit(content, "</think>")
                    reasoning = lstripNL(pySplit(rstripNL(parts[0]), "<think>").last!)
                    content = lstripNL(parts.last!)
                }
                r.add("<|im_start|>assistant\n")
                r.beginAssistant()
                if i > lastQuery && (i == m.count - 1 || !reasoning.isEmpty) {
                    r.add("<think>\n" + stripNL(reasoning) + "\n</think>\n\n" + lstripNL(content))
                } else {
                    r.add(content)
                }
                for (k, c) in msg.toolCalls.enumerated() {
                    if (k == 0 && !content.isEmpty) || k > 0 { r.add("\n") }
                    r.add(toolCallText(c, stringArgumentsRaw: true))
                }
                r.add("<|im_end|>")
                r.endAssistant()
                r.add("\n")
            case .tool:
                if i == 0 || m[i - 1].role != .tool { r.add("<|im_start|>user") }
                r.add("\n<tool_response>\n" + content + "\n</tool_response>")
                if i == m.count - 1 || m[i + 1].role != .tool { r.add("<|im_end|>\n") }
            }
        }
        if o.addGenerationPrompt {
            switch o.enableThinking {
            case nil: r.add("<|im_start|>assistant\n<think>\n")
            case true?: r.add("<|im_start|>assistant\n")
            case false?: r.add("<|im_start|>assistant\n<think>\n\n</think>\n\n")
            }
        }
    }

    func renderQwen25(_ m: [Message], _ tools: [JSONValue], _ o: Options, _ r: inout Renderer) throws {
        guard !m.isEmpty else { throw TokenizerError("chat template qwen25: no messages") }
        if !tools.isEmpty {
            r.add("<|im_start|>system\n")
            r.add(m[0].role == .system ? m[0].content : ChatTemplate.qwenDefaultSystem)
            r.add("\n\n" + toolsBlock(tools))
        } else {
            r.add("<|im_start|>system\n" + (m[0].role == .system ? m[0].content : ChatTemplate.qwenDefaultSystem) + "<|im_end|>\n")
        }
        for (i, msg) in m.enumerated() {
            switch msg.role {
            case .user:
                r.add("<|im_start|>user\n" + msg.content + "<|im_end|>\n")
            case .system:
                if i > 0 { r.add("<|im_start|>system\n" + msg.content + "<|im_end|>\n") }
            case .assistant:
                r.add("<|im_start|>assistant\n")
                r.beginAssistant()
                if msg.toolCalls.isEmpty {
                    r.add(msg.content)
                } else {
                    // Template: '<|im_start|>assistant' + ('\n' + content if content) + ('\n<tool_call>…' per call).
                    if !msg.content.isEmpty { r.add(msg.content + "\n") }
                    for (k, c) in msg.toolCalls.enumerated() {
                        if k > 0 { r.add("\n") }
                        r.add(toolCallText(c, stringArgumentsRaw: false))
                    }
                }
                r.add("<|im_end|>")
                r.endAssistant()
                r.add("\n")
            case .tool:
                if i == 0 || m[i - 1].role != .tool { r.add("<|im_start|>user") }
                r.add("\n<tool_response>\n" + msg.content + "\n</tool_response>")
                if i == m.count - 1 || m[i + 1].role != .tool { r.add("<|im_end|>\n") }
            }
        }
        if o.addGenerationPrompt { r.add("<|im_start|>assistant\n") }
    }

    // MARK: - Llama 3

    func renderLlama3(_ m: [Message], _ tools: [JSONValue], _ o: Options, _ r: inout Renderer) throws {
        guard !m.isEmpty else { throw TokenizerError("chat template llama3: no messages") }
        guard tools.isEmpty else {
            throw TokenizerError("chat template llama3 does not render tools", hint: "use a Qwen template for tool use")
        }
        r.add("<|begin_of_text|>")
        for (i, msg) in m.enumerated() {
            if msg.role == .tool || !msg.toolCalls.isEmpty {
                throw TokenizerError("chat template llama3 does not render tool calls or tool results (message \(i))")
            }
            r.add("<|start_header_id|>" + msg.role.rawValue + "<|end_header_id|>\n\n")
            if msg.role == .assistant { r.beginAssistant() }
            r.add(pythonStrip(msg.content) + "<|eot_id|>")
            if msg.role == .assistant { r.endAssistant() }
        }
        if o.addGenerationPrompt { r.add("<|start_header_id|>assistant<|end_header_id|>\n\n") }
    }
}

// MARK: - Python string helpers (byte-exact, unlike Character-based String APIs)

func lstripNL(_ s: String) -> String {
    let u = Array(s.utf8)
    let i = u.firstIndex { $0 != 0x0A } ?? u.count
    return String(decoding: u[i...], as: UTF8.self)
}
func rstripNL(_ s: String) -> String {
    let u = Array(s.utf8)
    let i = u.lastIndex { $0 != 0x0A }.map { $0 + 1 } ?? 0
    return String(decoding: u[..<i], as: UTF8.self)
}
func stripNL(_ s: String) -> String { lstripNL(rstripNL(s)) }

/// Python `s.split(sep)` for a non-empty separator, on UTF-8 bytes.
func pySplit(_ s: String, _ sep: String) -> [String] {
    let u = Array(s.utf8), p = Array(sep.utf8)
    var out: [String] = []
    var start = 0, i = 0
    while i + p.count <= u.count {
        if u[i] == p[0] && Array(u[i..<(i + p.count)]) == p {
            out.append(String(decoding: u[start..<i], as: UTF8.self))
            i += p.count
            start = i
        } else {
            i += 1
        }
    }
    out.append(String(decoding: u[start...], as: UTF8.self))
    return out
}
func pyHasPrefix(_ s: String, _ p: String) -> Bool { s.utf8.starts(with: p.utf8) }
func pyHasSuffix(_ s: String, _ p: String) -> Bool { s.utf8.reversed().starts(with: p.utf8.reversed()) }

/// Python `str.strip()` (Jinja `trim`): removes characters for which `str.isspace()` is true —
/// Unicode White_Space plus U+001C…U+001F.
func pythonStrip(_ s: String) -> String {
    func isSpace(_ u: Unicode.Scalar) -> Bool { u.properties.isWhitespace || (0x1C...0x1F).contains(u.value) }
    let sc = Array(s.unicodeScalars)
    guard let first = sc.firstIndex(where: { !isSpace($0) }) else { return "" }
    let last = sc.lastIndex(where: { !isSpace($0) })!
    var v = String.UnicodeScalarView()
    v.append(contentsOf: sc[first...last])
    return String(v)
}
