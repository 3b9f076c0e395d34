import Foundation
import Records

/// Multiple-choice questions (MedQA, MedMCQA, HuatuoGPT-o1 demo, SAT math, ...).
///
/// Options may be a dict `{A: text, ...}` (keys kept in source order), a list (keys A, B, C...),
/// a string with lettered options (`"A) x B) y"`, `"A. x\nB. y"`), or several paths joined by
/// commas in the mapping (`options: "opa,opb,opc,opd"` for the HF MedMCQA layout). The correct
/// option is `answer_idx`: a key (`"C"`, `"(c)"`), or an integer index (`index_base`, default 0,
/// as HF MedMCQA's `cop`); without it, the option whose text equals `answer`.
///
/// - user = `prompt_template` with `{question}` and `{options}` (one `option_format` line each).
/// - assistant = `answer_template` with `{key}` and `{text}` (default "The answer is C. <text>").
/// - reference = .choice with the key and all options.
public struct MCQAdapter: RecordAdapter {
    public static let name = "mcq"
    public static let defaultDomain = Domain.medical
    public static let fieldSpecs = [
        FieldSpec("question", "question", required: true, "question stem"),
        FieldSpec("options", "options", required: true, "dict, list, lettered string, or comma-joined paths"),
        FieldSpec("answer_idx", "answer_idx", required: false, "correct key or index"),
        FieldSpec("answer", "answer", required: false, "correct option text (used when answer_idx is absent)"),
        FieldSpec("id", "id", required: false, "record id"),
    ]
    public static let optionKeys = ["prompt_template", "option_format", "answer_template", "index_base", "include_answer"]

    let ctx: AdapterContext
    let promptTemplate: String
    let optionFormat: String
    let answerTemplate: String
    let indexBase: Int
    let includeAnswer: Bool

    public init(config: AdapterConfig) throws {
        ctx = try Self.context(config)
        promptTemplate = try ctx.string("prompt_template", default: "{question}\n\n{options}")!
        optionFormat = try ctx.string("option_format", default: "{key}. {text}")!
        answerTemplate = try ctx.string("answer_template", default: "The answer is {key}. {text}")!
        indexBase = try ctx.int("index_base", default: 0)
        includeAnswer = try ctx.bool("include_answer", default: true)
    }

    static let letters = (0..<26).map { String(UnicodeScalar(UInt8(65 + $0))) }

    public func record(from row: JSONValue, index: Int, location: SourceLocation) throws -> Record {
        var r = try ctx.row(row, index: index, location: location)
        let question = try r.string("question")
        let options = try readOptions(&r)
        let key = try correctKey(&r, options: options)
        let text = options.first { $0.key == key }?.text ?? ""
        let rendered = options.map { fill(optionFormat, ["key": $0.key, "text": $0.text]) }.joined(separator: "\n")
        var msgs = [Message(role: .user, content: fill(promptTemplate, ["question": question, "options": rendered]))]
        if includeAnswer { msgs.append(Message(role: .assistant, content: fill(answerTemplate, ["key": key, "text": text]))) }
        return try ctx.finish(&r, index: index, messages: msgs,
                              reference: Reference(kind: .choice, choice: key, options: options))
    }

    func readOptions(_ r: inout RowFields) throws -> [Reference.Option] {
        guard let path = r.path("options") else { throw r.error("options", "is not mapped") }
        var opts: [Reference.Option] = []
        if path.utf8.contains(UInt8(ascii: ",")) {
            for (i, p) in path.split(separator: ",").enumerated() {
                let p = p.trimmingCharacters(in: .whitespaces)
                guard let v = r.value.lookup(path: p), !v.isNull, let s = RowFields.scalarText(v) else {
                    throw r.error("options", "component '\(p)' is missing or not text")
                }
                opts.append(.init(key: Self.letters[i], text: s))
            }
            _ = r.raw("options")
        } else {
            let v = try r.require("options")
            switch v {
            case .object(let o):
                for e in o.entries {
                    guard let s = RowFields.scalarText(e.value) else { throw r.error("options", "option '\(e.key)' must be text, got \(e.value.typeName)") }
                    opts.append(.init(key: e.key, text: s))
                }
            case .array(let a):
                guard a.count <= 26 else { throw r.error("options", "has \(a.count) options; at most 26 are supported") }
                for (i, e) in a.enumerated() {
                    guard let s = RowFields.scalarText(e) else { throw r.error("options", "option \(i) must be text, got \(e.typeName)") }
                    opts.append(.init(key: Self.letters[i], text: s))
                }
            case .string(let s):
                opts = Self.parseLettered(s)
                if opts.count < 2 { throw r.error("options", "is a string without lettered options (\"A) ... B) ...\")") }
            default:
                throw r.error("options", "must be a dict, list or string, got \(v.typeName)")
            }
        }
        if opts.isEmpty { throw r.error("options", "is empty") }
        return opts
    }

    func correctKey(_ r: inout RowFields, options: [Reference.Option]) throws -> String {
        if let v = r.raw("answer_idx") {
            switch v {
            case .int, .bigInt, .double:
                guard let i = v.intValue, Int(i) - indexBase >= 0, Int(i) - indexBase < options.count else {
                    throw r.error("answer_idx", "index \(v) is out of range for \(options.count) options (index_base \(indexBase))")
                }
                return options[Int(i) - indexBase].key
            case .string(let s):
                let t = s.trimmingCharacters(in: CharacterSet(charactersIn: " ().:\n\t"))
                if let o = options.first(where: { $0.key == t }) ?? options.first(where: { $0.key.lowercased() == t.lowercased() }) {
                    return o.key
                }
                if let i = Int(t), i - indexBase >= 0, i - indexBase < options.count { return options[i - indexBase].key }
                throw r.error("answer_idx", "'\(s)' is not one of the option keys \(options.map(\.key).joined(separator: ", "))")
            default:
                throw r.error("answer_idx", "must be a key or an index, got \(v.typeName)")
            }
        }
        if let a = try r.optionalAnswer("answer") {
            let t = a.trimmingCharacters(in: .whitespacesAndNewlines)
            if let o = options.first(where: { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) == t }) { return o.key }
            if let o = options.first(where: { $0.key == t }) { return o.key }
            throw r.error("answer", "'\(a.prefix(80))' matches no option text")
        }
        throw r.error("answer_idx", "is missing (and no answer text to match)", hint: "map fields.answer_idx or fields.answer")
    }

    /// Splits "A) x B) y", "(A) x (B) y" or "A. x\nB. y" into options; markers must come in
    /// letter order and be preceded by the start or whitespace.
    static func parseLettered(_ s: String) -> [Reference.Option] {
        let u = Array(s.unicodeScalars)
        var marks: [(key: String, start: Int, textStart: Int)] = []
        var i = 0
        var next = 0
        while i < u.count && next < 26 {
            let want = Unicode.Scalar(UInt8(65 + next))
            let atBoundary = i == 0 || u[i - 1] == " " || u[i - 1] == "\n" || u[i - 1] == "\t" || u[i - 1] == "\u{3000}"
            if atBoundary, u[i] == "(", i + 2 < u.count, u[i + 1] == want, u[i + 2] == ")" {
                marks.append((String(want), i, i + 3)); next += 1; i += 3; continue
            }
            if atBoundary, u[i] == want, i + 1 < u.count, u[i + 1] == ")" || u[i + 1] == "." || u[i + 1] == ":" || u[i + 1] == "．" {
                marks.append((String(want), i, i + 2)); next += 1; i += 2; continue
            }
            i += 1
        }
        var out: [Reference.Option] = []
        for (k, m) in marks.enumerated() {
            let end = k + 1 < marks.count ? marks[k + 1].start : u.count
            var t = String(String.UnicodeScalarView(u[m.textStart..<end]))
            t = t.trimmingCharacters(in: .whitespacesAndNewlines)
            out.append(.init(key: m.key, text: t))
        }
        return out
    }
}

/// Replaces `{name}` placeholders in one pass (values are never re-scanned, so a question
/// containing "{options}" stays as written). Unknown placeholders are left as they are.
func fill(_ template: String, _ values: [String: String]) -> String {
    var out = ""
    var rest = Substring(template)
    while let open = rest.firstIndex(of: "{") {
        out += rest[..<open]
        if let close = rest[open...].firstIndex(of: "}"), let v = values[String(rest[rest.index(after: open)..<close])] {
            out += v
            rest = rest[rest.index(after: close)...]
        } else {
            out.append("{")
            rest = rest[rest.index(after: open)...]
        }
    }
    out += rest
    return out
}
