import Records
import Tokenizer

/// The spec's chat template (`ChatTemplate`, Tokenizer module) over the real tokenizer:
/// ids plus the assistant-only loss mask.
struct TemplateRenderer: ConversationRendering {
    let template: ChatTemplate
    let options: ChatTemplate.Options

    init(spec: PipelineSpec.Template) throws {
        guard let kind = ChatTemplate.Kind(rawValue: spec.kind ?? "") else {
            throw PipelineError("unknown chat template '\(spec.kind ?? "")'", at: SourceLocation(file: "", field: "template.kind"),
                                hint: "one of \(ChatTemplate.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        template = try ChatTemplate(kind: kind, tokenizer: try Tokenizer.load(path: spec.tokenizer))
        var o = ChatTemplate.Options()
        for (k, v) in (spec.options ?? [:]).sorted(by: { $0.key < $1.key }) {
            switch k {
            case "mask":
                guard let m = v.stringValue.flatMap(ChatTemplate.MaskMode.init(rawValue:)) else {
                    throw PipelineError("template option mask must be all_assistant or last_assistant",
                                        at: SourceLocation(file: "", field: "template.options.mask"))
                }
                o.mask = m
            case "enable_thinking":
                guard let b = v.boolValue else {
                    throw PipelineError("enable_thinking must be true or false", at: SourceLocation(file: "", field: "template.options.enable_thinking"))
                }
                o.enableThinking = b
            default:
                throw PipelineError("unknown template option '\(k)'", at: SourceLocation(file: "", field: "template.options.\(k)"),
                                    hint: "mask, enable_thinking")
            }
        }
        options = o
    }

    func render(_ record: Record) throws -> RenderedConversation {
        let r = try template.render(messages: record.messages, tools: record.tools, options: options)
        return RenderedConversation(ids: r.ids, mask: r.lossMask)
    }
}
