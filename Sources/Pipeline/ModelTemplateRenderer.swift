import Foundation
import Jinja
import Records
import Tokenizer

/// The model's own chat template (Jinja, rendered as transformers' `apply_chat_template`) over
/// the real tokenizer: ids plus the assistant-only loss mask.
///
/// The template comes from `template.source` (a model folder, a `tokenizer_config.json` or a
/// `.jinja` file) with the special tokens of its tokenizer config. Each record's messages become
/// the dicts transformers' chat templates read (`role`, `content`, `reasoning_content`,
/// `tool_calls: [{type: function, function: {name, arguments}}]`, `tool_call_id`, `name`), its
/// tools the `tools` list; `template.options` other than `mask` are template variables
/// (`enable_thinking: false`, …). The loss mask covers each assistant turn's output and its
/// end-of-turn token, located by `ChatRenderer.renderWithAssistantSpans` (the template's
/// `{% generation %}` blocks, else conversation prefixes; schemas/chat-templates.md), and turned
/// into a token mask exactly as the built-in templates do (`ChatTemplate.lossMask`).
struct ModelTemplateRenderer: ConversationRendering {
    let plain: ChatRenderer
    /// The config's `tool_use` template, for records with tools (transformers' choice).
    let withTools: ChatRenderer
    let tokenizer: Tokenizer
    let specialTokens: JSONObject
    let kwargs: JSONObject
    let lastAssistantOnly: Bool

    init(spec: PipelineSpec.Template) throws {
        guard let path = spec.source else { throw PipelineError("template.source is required", at: Self.at("template.source")) }
        do {
            let src = try TemplateSource.load(path: path)
            plain = try ChatRenderer(source: try src.select(name: spec.name, withTools: false))
            withTools = try ChatRenderer(source: try src.select(name: spec.name, withTools: true))
            specialTokens = src.specialTokens
        } catch let e as JinjaError {
            // A malformed template stops the run here, before any data is read.
            throw PipelineError("chat template \(path): \(e)", at: Self.at("template.source"))
        }
        tokenizer = try Tokenizer.load(path: spec.tokenizer)
        var kw = JSONObject()
        var last = false
        for (k, v) in (spec.options ?? [:]).sorted(by: { $0.key < $1.key }) {
            if k == "mask" {
                guard let m = v.stringValue, m == "all_assistant" || m == "last_assistant" else {
                    throw PipelineError("template option mask must be all_assistant or last_assistant", at: Self.at("template.options.mask"))
                }
                last = m == "last_assistant"
            } else {
                kw[k] = v
            }
        }
        kwargs = kw
        lastAssistantOnly = last
    }

    static func at(_ field: String) -> SourceLocation { SourceLocation(file: "", field: field) }

    /// A record's messages as transformers' chat templates read them.
    static func messages(_ record: Record) -> [JSONValue] {
        record.messages.map { m in
            var o = JSONObject()
            o["role"] = .string(m.role.rawValue)
            o["content"] = .string(m.content)
            if let r = m.reasoning { o["reasoning_content"] = .string(r) }
            if !m.toolCalls.isEmpty {
                o["tool_calls"] = .array(m.toolCalls.map { c in
                    var f = JSONObject()
                    f["name"] = .string(c.name)
                    f["arguments"] = c.arguments
                    var call = JSONObject()
                    if let id = c.id { call["id"] = .string(id) }
                    call["type"] = .string("function")
                    call["function"] = .object(f)
                    return .object(call)
                })
            }
            if let id = m.toolCallID { o["tool_call_id"] = .string(id) }
            if let n = m.name { o["name"] = .string(n) }
            return .object(o)
        }
    }

    func render(_ record: Record) throws -> RenderedConversation {
        var req = ChatRequest(messages: Self.messages(record), tools: record.tools.isEmpty ? nil : .array(record.tools),
                              kwargs: kwargs, specialTokens: specialTokens)
        req.kwargs["add_generation_prompt"] = req.kwargs["add_generation_prompt"] ?? .bool(false)
        let r: AssistantRendering
        do {
            r = try (record.tools.isEmpty ? plain : withTools).renderWithAssistantSpans(req)
        } catch let e as JinjaError {
            throw PipelineError("chat template: \(e)", at: SourceLocation(file: record.source, field: "record \(record.id)"))
        }
        let (ids, ends) = tokenizer.encodeWithOffsets(r.text)
        var regions = r.spans.map(\.utf8)
        if lastAssistantOnly { regions = Array(regions.suffix(1)) }
        return RenderedConversation(ids: ids, mask: ChatTemplate.lossMask(tokenEnds: ends, regions: regions))
    }
}
