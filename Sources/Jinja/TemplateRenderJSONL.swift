import Foundation
import Records

/// The `eaft template render` protocol: one chat request per JSON line in (`messages`,
/// optional `tools`, `documents`, `kwargs`, `continue_final_message`, `special_tokens`,
/// `now`), one line out per non-empty input line: `{"text": ...}` (with the spans asked for)
/// or `{"error": ..., "location"?, "kind"?}`. The template's own special tokens fill in those
/// a request does not set. See schemas/chat-templates.md.
public final class TemplateRenderJSONL {
    /// What each output line holds besides the text.
    public enum Spans: Sendable {
        case none
        /// `spans`: the `{% generation %}` spans in Unicode code points.
        case generation
        /// `assistant_spans` (code points), `assistant_spans_utf8` and `assistant_spans_method`.
        case assistant
    }

    /// Counts of one run.
    public struct Summary: Sendable, Equatable {
        public var lines = 0
        public var errors = 0
        /// `{"lines":n,"errors":e}` and a newline, for stderr.
        public var line: String { "{\"lines\":\(lines),\"errors\":\(errors)}\n" }
    }

    let source: TemplateSource
    let name: String?
    let spans: Spans
    let invalidTemplate: (String) -> Error
    var compiled: [String: ChatRenderer] = [:]

    /// Compiles the template for requests without tools now, so a broken template stops
    /// before any data is read; `invalidTemplate` makes that error (`path: reason`).
    public init(source: TemplateSource, name: String?, spans: Spans, invalidTemplate: @escaping (String) -> Error) throws {
        self.source = source
        self.name = name
        self.spans = spans
        self.invalidTemplate = invalidTemplate
        _ = try renderer(withTools: false)
    }

    /// The named template (or the default / tool_use one), compiled once.
    func renderer(withTools: Bool) throws -> ChatRenderer {
        let text = try source.select(name: name, withTools: withTools)
        if let r = compiled[text] { return r }
        do {
            let r = try ChatRenderer(source: text)
            compiled[text] = r
            return r
        } catch let e as JinjaError {
            throw invalidTemplate("\(source.path): \(e)")
        }
    }

    /// Renders every line `next` returns (nil = end of input); output goes to `write` in
    /// chunks of about 1 MiB.
    public func run(next: () throws -> [UInt8]?, write: (Data) throws -> Void) throws -> Summary {
        var summary = Summary()
        var out = Data()
        while let line = try next() {
            summary.lines += 1
            if line.isEmpty { continue }
            var result = JSONObject()
            do {
                var req = try ChatRequest(json: try JSONParser.parse(line))
                for e in source.specialTokens.entries where req.specialTokens[e.key] == nil { req.specialTokens[e.key] = e.value }
                let r = try renderer(withTools: req.tools != nil)
                switch spans {
                case .assistant:
                    let a = try r.renderWithAssistantSpans(req)
                    result["text"] = .string(a.text)
                    result["assistant_spans"] = .array(a.spans.map { [.int(Int64($0.characters.lowerBound)), .int(Int64($0.characters.upperBound))] })
                    result["assistant_spans_utf8"] = .array(a.spans.map { [.int(Int64($0.utf8.lowerBound)), .int(Int64($0.utf8.upperBound))] })
                    result["assistant_spans_method"] = .string(a.method.rawValue)
                case .generation:
                    let (text, s) = try r.renderWithGenerationSpans(req)
                    result["text"] = .string(text)
                    result["spans"] = .array(s.map { [.int(Int64($0.lowerBound)), .int(Int64($0.upperBound))] })
                case .none:
                    result["text"] = .string(try r.render(req))
                }
            } catch let e as JinjaError {
                summary.errors += 1
                result["error"] = .string(e.reason)
                if e.hasLocation { result["location"] = .string(e.location.description) }
                result["kind"] = .string(e.kind.rawValue)
            } catch {
                summary.errors += 1
                result["error"] = .string("line \(summary.lines): \(error)")
            }
            out.append(contentsOf: JSONWriter().string(.object(result)).utf8)
            out.append(0x0A)
            if out.count > 1 << 20 { try write(out); out.removeAll(keepingCapacity: true) }
        }
        try write(out)
        return summary
    }
}
