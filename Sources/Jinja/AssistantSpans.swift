import Records

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
    /// * Otherwise each assistant message *i* is located by rendering prefixes of the conversation:
    ///   - start: after the turn header, i.e. after the generation prompt of `render(messages[..<i],
    ///     add_generation_prompt: true)` up to its first line break(s) (`<|im_start|>assistant\n`,
    ///     `<|start_header_id|>assistant<|end_header_id|>\n\n`), as far as the full rendering agrees with
    ///     it; what a prompt forces after its header (Qwen3-Thinking's `<think>\n`) is in the span;
    ///   - end: the end of `render(messages[...i])` with trailing whitespace removed, so the end-of-turn
    ///     token (`<|im_end|>`, `<|eot_id|>`, `<end_of_turn>`) is inside and the newline after it is not.
    ///   Templates that render a turn differently once later messages follow (Qwen3 drops the reasoning
    ///   of turns before the last user query) are handled by finding, in the full text, the longest
    ///   opening of the generation prompt after the previous turn, and the longest ending of the turn as
    ///   rendered alone.
    ///
    /// Throws a `JinjaError` of kind `.input` with `continueFinalMessage` (transformers refuses that
    /// combination too) or when a turn cannot be located. See schemas/chat-templates.md.
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
        let t = Array(text.utf8)
        var spans: [AssistantSpan] = []
        var prevEnd = 0
        func rendered(_ msgs: ArraySlice<JSONValue>, prompt: Bool) throws -> [UInt8] {
            var r = full
            r.messages = Array(msgs)
            r.kwargs["add_generation_prompt"] = .bool(prompt)
            return Array(try render(r).utf8)
        }
        for (i, m) in req.messages.enumerated() where m["role"]?.stringValue == "assistant" {
            // The messages before the turn, and the generation prompt that opens it.
            let ctxP = try rendered(req.messages[..<i], prompt: true), ctxN = try rendered(req.messages[..<i], prompt: false)
            let cut = ChatRenderer.commonPrefix(ctxP, ctxN)
            let context = Array(ctxP[..<cut]), prompt = Array(ctxP[cut...])
            // The turn as rendered when it is the last message: from after its opening to before the
            // conversation's closing text (e.g. an eos_token added without a generation prompt).
            let alone = try rendered(req.messages[...i], prompt: false), aloneP = try rendered(req.messages[...i], prompt: true)
            let turnEnd = ChatRenderer.rstripEnd(alone, upTo: ChatRenderer.commonPrefix(alone, aloneP))
            var turnStart: Int
            if alone.starts(with: context) {
                turnStart = context.count + ChatRenderer.backoff(ChatRenderer.commonPrefix(Array(alone[context.count...]), prompt), prompt)
            } else {
                let empty = try rendered(req.messages[..<i] + [JSONValue.object(JSONObject([("role", .string("assistant")), ("content", .string(""))]))], prompt: false)
                turnStart = ChatRenderer.commonPrefix(alone, empty)
            }
            turnStart = min(turnStart, turnEnd)
            let turn = Array(alone[turnStart..<turnEnd])
            var start: Int, end: Int
            if t.starts(with: context) && context.count >= prevEnd {
                start = context.count + ChatRenderer.backoff(ChatRenderer.commonPrefix(Array(t[context.count...]), prompt), prompt)
                if t.count >= start + turn.count && t[start..<(start + turn.count)].elementsEqual(turn) {
                    end = start + turn.count
                } else if let found = ChatRenderer.longestSuffixFound(turn, in: t, from: start) {
                    end = found.0 + found.1
                } else {
                    end = start
                }
            } else if let found = ChatRenderer.longestSuffixFound(turn, in: t, from: prevEnd) {
                let (at, n) = found
                end = at + n
                start = at
                if n < turn.count {
                    // Only the ending was found (the turn renders differently inside the conversation):
                    // the turn starts after the nearest opening of the generation prompt before it.
                    let line = Array(prompt.prefix(through: prompt.firstIndex(of: 0x0A) ?? max(0, prompt.count - 1)))
                    // (The found ending may begin inside the header, e.g. with its `\n`.)
                    if !line.isEmpty, let occ = Text.rfind(Array(t[prevEnd..<min(end, at + line.count)]), line) {
                        let o = prevEnd + occ
                        start = o + ChatRenderer.backoff(ChatRenderer.commonPrefix(Array(t[o...]), prompt), prompt)
                        start = min(start, end)
                    }
                }
            } else {
                throw JinjaError(.input, "cannot locate assistant message \(i) in the rendering",
                                 hint: "add {% generation %} markers to the template")
            }
            start = max(start, prevEnd)
            end = max(end, start)
            spans.append(AssistantSpan(messageIndex: i, characters: 0..<0, utf8: start..<end))
            prevEnd = end
        }
        let scalar = ChatRenderer.scalarOffsets(text, spans.map(\.utf8))
        for k in spans.indices { spans[k].characters = scalar[k] }
        return AssistantRendering(text: text, spans: spans, method: .prefixes)
    }

    /// A partial match of the generation prompt ends at its last line break (or `>` / `]`), so a turn
    /// never starts inside a tag such as `<think>` that the text only begins like.
    static func backoff(_ matched: Int, _ prompt: [UInt8]) -> Int {
        // The turn header is the prompt up to its first run of line breaks; what the prompt adds after
        // it (Qwen3-Thinking's `<think>\n`) is the opening of the assistant's own text.
        if let nl = prompt.firstIndex(of: 0x0A) {
            var h = nl
            while h < prompt.count && prompt[h] == 0x0A { h += 1 }
            if matched >= h { return h }
        }
        if matched >= prompt.count { return matched }
        var k = matched
        while k > 0 {
            let c = prompt[k - 1]
            if c == 0x0A || c == UInt8(ascii: ">") || c == UInt8(ascii: "]") { return k }
            k -= 1
        }
        return 0
    }

    static func commonPrefix(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var i = 0
        let n = min(a.count, b.count)
        while i < n && a[i] == b[i] { i += 1 }
        return i
    }

    /// End of `b[..<upTo]` without trailing Unicode whitespace.
    static func rstripEnd(_ b: [UInt8], upTo: Int) -> Int {
        Text.strip(Text.string(b[..<upTo]), nil, left: false, right: true).utf8.count
    }

    /// The longest opening `needle[..<n]` that occurs in `text` at or after `from`: (position, n).
    /// (If an opening occurs, every shorter one does, so the length is found by bisection.)
    static func longestPrefixFound(_ needle: [UInt8], in text: [UInt8], from: Int) -> (Int, Int)? {
        var lo = 0, hi = needle.count, best: (Int, Int)? = nil
        while lo <= hi {
            let mid = (lo + hi) / 2
            if mid == 0 { lo = 1; continue }
            if let at = Text.find(text, Array(needle[..<mid]), from: from) { best = (at, mid); lo = mid + 1 } else { hi = mid - 1 }
        }
        return best
    }

    /// The longest ending `needle[(count-n)...]` that occurs in `text` at or after `from`: (position, n).
    static func longestSuffixFound(_ needle: [UInt8], in text: [UInt8], from: Int) -> (Int, Int)? {
        var lo = 1, hi = needle.count, best: (Int, Int)? = nil
        while lo <= hi {
            let mid = (lo + hi) / 2
            if let at = Text.find(text, Array(needle[(needle.count - mid)...]), from: from) { best = (at, mid); lo = mid + 1 } else { hi = mid - 1 }
        }
        return best
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
