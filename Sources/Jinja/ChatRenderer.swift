import Records

/// One conversation to render, in the form of `apply_chat_template`'s arguments (and of the lines
/// of `shared/chat-templates/goldens.jsonl`).
public struct ChatRequest: Sendable, Equatable {
    /// The messages (a JSON array of objects).
    public var messages: [JSONValue]
    public var tools: JSONValue?
    public var documents: JSONValue?
    /// Extra template variables (`add_generation_prompt`, `enable_thinking`, …).
    public var kwargs: JSONObject
    /// transformers' `continue_final_message`: end the text inside the final message.
    public var continueFinalMessage: Bool
    /// The tokenizer's special tokens (`bos_token`, `eos_token`, …), passed as variables.
    public var specialTokens: JSONObject
    /// The time `strftime_now` formats.
    public var now: DateTimeParts?

    public init(messages: [JSONValue], tools: JSONValue? = nil, documents: JSONValue? = nil, kwargs: JSONObject = JSONObject(),
                continueFinalMessage: Bool = false, specialTokens: JSONObject = JSONObject(), now: DateTimeParts? = nil) {
        self.messages = messages
        self.tools = tools
        self.documents = documents
        self.kwargs = kwargs
        self.continueFinalMessage = continueFinalMessage
        self.specialTokens = specialTokens
        self.now = now
    }

    /// Reads a request from a JSON object with keys `messages`, `tools`, `documents`, `kwargs`,
    /// `continue_final_message`, `special_tokens`, `now` (the goldens' line form).
    public init(json v: JSONValue) throws {
        guard let msgs = v["messages"]?.arrayValue else { throw JinjaError(.input, "no \"messages\" array") }
        self.init(messages: msgs)
        if let t = v["tools"], !t.isNull { tools = t }
        if let d = v["documents"], !d.isNull { documents = d }
        kwargs = v["kwargs"]?.objectValue ?? JSONObject()
        continueFinalMessage = v["continue_final_message"]?.boolValue ?? false
        specialTokens = v["special_tokens"]?.objectValue ?? JSONObject()
        if let s = v["now"]?.stringValue {
            guard let n = DateTimeParts(iso: s) else { throw JinjaError(.input, "cannot read \"now\": \(s)") }
            now = n
        }
    }
}

/// A model's chat template rendered exactly as transformers' `apply_chat_template(..., tokenize=False)`:
/// messages normalised (keys whose value is null dropped; `reasoning_content` / `thinking` / `reasoning`
/// mirrored into both `thinking` and `reasoning_content`), special tokens and kwargs passed as variables,
/// and `continue_final_message` handled with transformers' tag-and-cut.
/// Reference: transformers/utils/chat_template_utils.py (`render_jinja_template`).
public struct ChatRenderer: Sendable {
    public let template: Template
    static let continueTag = "CONTINUE_FINAL_MESSAGE_TAG "

    public init(template: Template) { self.template = template }
    public init(source: String) throws { template = try Template(source) }

    /// The rendered text.
    public func render(_ req: ChatRequest) throws -> String {
        try renderWithGenerationSpans(req).text
    }

    /// The rendered text and the `{% generation %}` spans as Unicode-scalar (Python `str`) offsets.
    public func renderWithGenerationSpans(_ req: ChatRequest) throws -> (text: String, spans: [Range<Int>]) {
        var messages = req.messages.map(ChatRenderer.normalize)
        var finalText: String? = nil
        if req.continueFinalMessage {
            (messages, finalText) = try tagFinalMessage(messages)
        }
        var ctx: [String: Value] = [:]
        for e in req.specialTokens.entries { ctx[e.key] = Value(json: e.value) }
        for e in req.kwargs.entries { ctx[e.key] = Value(json: e.value) }
        ctx["messages"] = .list(messages.map { Value(json: $0) })
        ctx["tools"] = req.tools.map { Value(json: $0) } ?? Value.none
        ctx["documents"] = req.documents.map { Value(json: $0) } ?? Value.none
        if ctx["add_generation_prompt"] == nil { ctx["add_generation_prompt"] = .bool(false) }
        var (text, byteSpans) = try template.renderWithGenerationSpans(ctx, options: RenderOptions(now: req.now))
        if let finalText { text = try cutAtTag(text, finalText) }
        return (text, ChatRenderer.scalarOffsets(text, byteSpans))
    }

    /// transformers' `_normalize_chat_messages` plus the reasoning-field aliasing of `render_jinja_template`.
    static func normalize(_ m: JSONValue) -> JSONValue {
        guard case .object(var o) = m else { return m }
        o.entries.removeAll { $0.value.isNull }
        let reasoning = o["reasoning_content"] ?? o["thinking"] ?? o["reasoning"]
        if let reasoning {
            if o["thinking"] == nil { o["thinking"] = reasoning }
            if o["reasoning_content"] == nil { o["reasoning_content"] = reasoning }
        }
        return .object(o)
    }

    func tagFinalMessage(_ msgs: [JSONValue]) throws -> ([JSONValue], String) {
        var messages = msgs
        guard case .object(var last)? = messages.last, let content = last["content"], !content.isNull else {
            throw JinjaError(.input, "continue_final_message is set but the final message has no \"content\" to continue!")
        }
        guard template.source.contains("content") else {
            throw JinjaError(.input, "continue_final_message is set to \"content\" but this is not an accepted field in the chat_template")
        }
        let final: String
        switch content {
        case .array(var blocks):
            guard let i = blocks.lastIndex(where: { $0["text"] != nil }), case .object(var b) = blocks[i],
                  let t = b["text"]?.stringValue else {
                throw JinjaError(.input, "continue_final_message is set but we could not find any text to continue in the final message!")
            }
            final = t
            b["text"] = .string(t + ChatRenderer.continueTag)
            blocks[i] = .object(b)
            last["content"] = .array(blocks)
        case .string(let s):
            final = s
            last["content"] = .string(s + ChatRenderer.continueTag)
        default:
            throw JinjaError(.type, "unsupported operand type(s) for +: '\(content.typeName)' and 'str'")
        }
        messages[messages.count - 1] = .object(last)
        return (messages, final)
    }

    /// Cuts the rendering at the tag (rstrip if the template trimmed the tag's trailing space).
    func cutAtTag(_ text: String, _ final: String) throws -> String {
        let tag = Array(ChatRenderer.continueTag.utf8)
        let bare = Array(tag.dropLast())
        let bytes = Array(text.utf8)
        let finalStripped = Text.strip(final, nil, left: true, right: true)
        guard Text.find(bytes, Array(finalStripped.utf8)) != nil, let loc = Text.rfind(bytes, bare) else {
            throw JinjaError(.input, "continue_final_message is set but the final message does not appear in the chat after "
                + "applying the chat template! This can happen if the chat template deletes portions of the final message. "
                + "Please verify the chat template and final message in your chat to ensure they are compatible."
                + "Final message to continue: \(finalStripped)\nRendered chat:\n\(text)")
        }
        let head = Text.string(bytes[..<loc])
        if bytes.count >= loc + tag.count, Array(bytes[loc..<(loc + tag.count)]) == tag { return head }
        return Text.strip(head, nil, left: false, right: true)
    }

    /// UTF-8 byte ranges of `text` → Unicode scalar offsets.
    static func scalarOffsets(_ text: String, _ spans: [Range<Int>]) -> [Range<Int>] {
        guard !spans.isEmpty else { return [] }
        var map: [Int: Int] = [:]
        let wanted = Set(spans.flatMap { [$0.lowerBound, $0.upperBound] })
        var byte = 0, scalar = 0
        for c in text.unicodeScalars {
            if wanted.contains(byte) { map[byte] = scalar }
            byte += UTF8.width(c)
            scalar += 1
        }
        map[byte] = scalar
        return spans.map { (map[$0.lowerBound] ?? 0)..<(map[$0.upperBound] ?? scalar) }
    }
}
