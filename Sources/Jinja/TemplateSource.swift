import Foundation
import Records

/// Where a model's chat template comes from: a template file, a `tokenizer_config.json`
/// (`chat_template` as a string or as a list of `{name, template}`), or a model folder
/// (`chat_template.jinja`, else its `tokenizer_config.json`). Special tokens come from the config
/// as transformers passes them (`bos_token`, `eos_token`, `unk_token`, `pad_token`, … as strings).
public struct TemplateSource: Sendable, Equatable {
    /// Named templates; a single template is named `default`.
    public var templates: [(name: String, source: String)]
    /// Special tokens read from the tokenizer config (empty for a bare template file).
    public var specialTokens: JSONObject
    /// The file the template was read from.
    public var path: String

    public static func == (a: TemplateSource, b: TemplateSource) -> Bool {
        a.path == b.path && a.specialTokens == b.specialTokens
            && a.templates.map(\.name) == b.templates.map(\.name) && a.templates.map(\.source) == b.templates.map(\.source)
    }

    /// Loads from a `.jinja` file, a `tokenizer_config.json`, or a folder holding either.
    public static func load(path: String) throws -> TemplateSource {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw JinjaError(.input, "no such file or folder: \(path)")
        }
        if isDir.boolValue {
            let dir = URL(fileURLWithPath: path)
            let jinja = dir.appendingPathComponent("chat_template.jinja")
            let config = dir.appendingPathComponent("tokenizer_config.json")
            if FileManager.default.fileExists(atPath: config.path) {
                var s = try load(path: config.path)
                if FileManager.default.fileExists(atPath: jinja.path) {
                    s.templates = [("default", try read(jinja.path))]
                    s.path = jinja.path
                }
                return s
            }
            if FileManager.default.fileExists(atPath: jinja.path) { return try load(path: jinja.path) }
            throw JinjaError(.input, "\(path) has neither chat_template.jinja nor tokenizer_config.json")
        }
        let text = try read(path)
        if path.hasSuffix(".json") { return try fromConfig(text, path: path) }
        return TemplateSource(templates: [("default", text)], specialTokens: JSONObject(), path: path)
    }

    static func read(_ path: String) throws -> String {
        guard let d = FileManager.default.contents(atPath: path) else { throw JinjaError(.input, "cannot read \(path)") }
        return String(decoding: d, as: UTF8.self)
    }

    /// Parses a `tokenizer_config.json`.
    public static func fromConfig(_ text: String, path: String) throws -> TemplateSource {
        let v: JSONValue
        do { v = try JSONParser.parse(text) } catch { throw JinjaError(.input, "\(path): \(error)") }
        var templates: [(String, String)] = []
        switch v["chat_template"] {
        case .string(let s)?: templates = [("default", s)]
        case .array(let list)?:
            for item in list {
                guard let n = item["name"]?.stringValue, let t = item["template"]?.stringValue else {
                    throw JinjaError(.input, "\(path): chat_template list entries need \"name\" and \"template\"")
                }
                templates.append((n, t))
            }
        default:
            throw JinjaError(.input, "\(path) has no chat_template", hint: "pass a .jinja file with --template")
        }
        var special = JSONObject()
        for key in ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"] {
            switch v[key] {
            case .string(let s)?: special[key] = .string(s)
            case .object(let o)?: if let c = o["content"]?.stringValue { special[key] = .string(c) }
            default: break
            }
        }
        return TemplateSource(templates: templates, specialTokens: special, path: path)
    }

    /// The template transformers would pick: `name` if given; else `tool_use` when tools are passed
    /// and the config has one; else `default`. Reference: `PreTrainedTokenizerBase.get_chat_template`.
    public func select(name: String? = nil, withTools: Bool = false) throws -> String {
        if let name {
            guard let t = templates.first(where: { $0.name == name }) else {
                throw JinjaError(.input, "no chat template named \(name) in \(path) (has \(templates.map(\.name).joined(separator: ", ")))")
            }
            return t.source
        }
        if templates.count == 1 { return templates[0].source }
        if withTools, let t = templates.first(where: { $0.name == "tool_use" }) { return t.source }
        if let t = templates.first(where: { $0.name == "default" }) { return t.source }
        throw JinjaError(.input, "\(path) has several chat templates and none named default", hint: "choose one with --name")
    }
}
