/// Where the assistant's own output lies in a rendered conversation: the text a model learns to
/// produce, for assistant-only loss masks.
public struct AssistantSpan: Sendable, Equatable {
    /// Index of the assistant message in the request (nil for `{% generation %}` spans, which the
    /// template places itself).
    public var messageIndex: Int?
    /// Unicode scalar (Python `str`) offsets into the text.
    public var characters: Range<Int>
    /// UTF-8 byte offsets into the text.
    public var utf8: Range<Int>
}

/// A rendering with its assistant spans.
public struct AssistantRendering: Sendable, Equatable {
    public enum Method: String, Sendable {
        /// The template's own `{% generation %}` blocks (what transformers' `return_assistant_tokens_mask` uses).
        case generation
        /// Derived by rendering conversation prefixes (see `ChatRenderer.renderWithAssistantSpans`).
        case prefixes
    }
    public var text: String
    public var spans: [AssistantSpan]
    public var method: Method
}

extension ChatRenderer {
    /// Renders `req` and locates each assistant turn's output, for any template:
    ///
    /// * If the template has `{% generation %}` blocks, their spans (as transformers records them).
    /// * Otherwise, for assistant message *i*: the turn starts where `render(messages[..<i],
    ///   add_generation_prompt: true)` ends (that text must be a prefix of the full rendering), and it
    ///   ends where `render(messages[...i])` ends, trailing whitespace excluded (so `<|im_end|>` /
    ///   `<|eot_id|>` are inside and the newline after them is not). When a template renders a turn
    ///   differently once later messages follow (Qwen3 drops the reasoning of earlier turns), the end is
    ///   found in the full text as the turn's rendered content and closing text (`<|im_end|>`).
    ///
    /// Throws a `JinjaError` of kind `.input` when the spans cannot be derived (a template whose
    /// generation prompt is not a prefix of the conversation's rendering) or with `continueFinalMessage`.
    /// See schemas/chat-templates.md.
    public func renderWithAssistantSpans(_ req: ChatRequest) throws -> AssistantRendering {
        if req.continueFinalMessage {
            throw JinjaError(.input, "assistant spans are not defined with continue_final_message (transformers refuses the combination too)")
        }
        if template.hasGenerationBlocks {
            let (text, spans) = try renderWithGenerationSpans(req)
            let u = Utf8Index(text)
            return AssistantRendering(text: text, spans: spans.map {
                AssistantSpan(messageIndex: nil, characters: $0, utf8: u.byte($0.lowerBound)..<u.byte($0.upperBound))
            }, method: .generation)
        }
        var full = req
        full.kwargs["add_generation_prompt"] = .bool(false)
        let text = try render(full)
        let bytes = Array(text.utf8)
        var spans: [AssistantSpan] = []
        for (i, m) in req.messages.enumerated() where m["role"]?.stringValue == "assistant" {
            var prefixReq = req
            prefixReq.messages = Array(req.messages[..<i])
            prefixReq.kwargs["add_generation_prompt"] = .bool(true)
            let prefix = Array(try render(prefixReq).utf8)
            guard bytes.starts(with: prefix) else {
                throw JinjaError(.input, "cannot derive assistant spans: the rendering of messages before assistant message \(i) with the generation prompt is not a prefix of the conversation's rendering",
                                 hint: "add {% generation %} markers to the template")
            }
            var turnReq = full
            turnReq.messages = Array(req.messages[...i])
            let turn = Array(try render(turnReq).utf8)
            let turnEnd = ChatRenderer.rstripEnd(turn, from: prefix.count)
            var end: Int
            if bytes.starts(with: turn[..<turnEnd]) {
                end = turnEnd
            } else if let e = ChatRenderer.findTurnEnd(in: bytes, from: prefix.count, turn: Array(turn[prefix.count..<turnEnd]),
                                                      content: m["content"]?.stringValue) {
                end = e
            } else {
                throw JinjaError(.input, "cannot derive assistant spans: assistant message \(i) renders differently inside the conversation than at its end",
                                 hint: "add {% generation %} markers to the template")
            }
            end = max(end, prefix.count)
            spans.append(AssistantSpan(messageIndex: i, characters: 0..<0, utf8: prefix.count..<end))
        }
        let scalar = ChatRenderer.scalarOffsets(text, spans.map(\.utf8))
        for k in spans.indices { spans[k].characters = scalar[k] }
        return AssistantRendering(text: text, spans: spans, method: .prefixes)
    }

    /// End of `b[from...]` without trailing Unicode whitespace.
    static func rstripEnd(_ b: [UInt8], from: Int) -> Int {
        let s = Text.string(b[from...])
        return from + Text.strip(s, nil, left: false, right: true).utf8.count
    }

    /// The end of an assistant turn inside `text`, when the turn rendered alone (`turn`) differs from
    /// its rendering inside the conversation: the turn's last line of content plus its closing text
    /// (what follows the content in `turn`, e.g. `<|im_end|>`), searched from `from`.
    static func findTurnEnd(in text: [UInt8], from: Int, turn: [UInt8], content: String?) -> Int? {
        guard let content else { return nil }
        let tail = Text.strip(content, nil, left: false, right: true)
        guard !tail.isEmpty, let c = Text.rfind(turn, Array(tail.utf8)) else { return nil }
        let closing = Array(turn[(c + tail.utf8.count)...])
        let needle = Array(tail.utf8) + closing
        guard let hit = Text.find(text, needle, from: from) else { return nil }
        return hit + needle.count
    }
}

/// Unicode scalar offset → UTF-8 byte offset for one text.
struct Utf8Index {
    var starts: [Int] = []
    init(_ text: String) {
        starts.reserveCapacity(text.utf8.count + 1)
        var b = 0
        for c in text.unicodeScalars { starts.append(b); b += UTF8.width(c) }
        starts.append(b)
    }
    func byte(_ scalar: Int) -> Int { starts[min(max(0, scalar), starts.count - 1)] }
}
