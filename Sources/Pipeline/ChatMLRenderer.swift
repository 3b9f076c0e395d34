import Foundation
import Records
import Tokenizer

/// STOPGAP until `ChatTemplate` (tokenizer branch) is merged: a plain ChatML rendering
/// (`<|im_start|>role\ncontent<|im_end|>\n`) for the Qwen templates, loss on assistant content
/// and its `<|im_end|>`. It does not render tools, `<think>` blocks or tool calls the Qwen3 way.
/// Segments are encoded separately at special-token / newline boundaries, where the Qwen
/// pre-tokenizer splits anyway.
struct TemplateRenderer: ConversationRendering {
    let tokenizer: Tokenizer

    init(spec: PipelineSpec.Template) throws {
        guard spec.kind == "qwen3" || spec.kind == "qwen25" else {
            throw PipelineError("chat template '\(spec.kind)' is not available in this build", hint: "use qwen3 or qwen25")
        }
        if let o = spec.options, !o.isEmpty { throw PipelineError("template options are not supported by the ChatML stopgap") }
        tokenizer = try Tokenizer.load(path: spec.tokenizer)
    }

    func render(_ record: Record) throws -> RenderedConversation {
        var ids: [UInt32] = [], mask: [UInt8] = []
        func add(_ text: String, _ m: UInt8) {
            let e = tokenizer.encode(text)
            ids += e.map { UInt32(bitPattern: $0) }
            mask += [UInt8](repeating: m, count: e.count)
        }
        for msg in record.messages {
            switch msg.role {
            case .assistant:
                add("<|im_start|>assistant\n", 0)
                var content = msg.content
                for c in msg.toolCalls {
                    content += "\n<tool_call>\n{\"name\": \"\(c.name)\", \"arguments\": \(JSONWriter().string(c.arguments))}\n</tool_call>"
                }
                add(content, 1)
                add("<|im_end|>", 1)
                add("\n", 0)
            default:
                add("<|im_start|>\(msg.role == .tool ? "user" : msg.role.rawValue)\n\(msg.content)<|im_end|>\n", 0)
            }
        }
        return RenderedConversation(ids: ids, mask: mask)
    }
}
