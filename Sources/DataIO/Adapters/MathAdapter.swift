import Records

/// MATH / NuminaMath / Qwen2.5-Math eval layouts: a problem, an optional worked solution and
/// a final answer — or a `messages` list (NuminaMath-CoT).
///
/// - user = problem (or the conversation from `messages`); assistant = solution when present
///   (a list of solutions, as in OlympiadBench, is joined with blank lines; set
///   `first_solution: true` to keep only the first).
/// - reference (.answer) = the `answer` field (numbers rendered without `.0`, lists joined with
///   ", "); else the last `\boxed{}` in the solution (brace-matched). A row with neither is an
///   error unless `require_answer: false`.
public struct MathAdapter: RecordAdapter {
    public static let name = "math"
    public static let defaultDomain = Domain.math
    public static let fieldSpecs = [
        FieldSpec("problem", "problem", required: true, "problem text (user turn); not needed when messages is used"),
        FieldSpec("solution", "solution", required: false, "worked solution (assistant turn); string or list of strings"),
        FieldSpec("answer", "answer", required: false, "final answer; string, number or list"),
        FieldSpec("messages", "messages", required: false, "[{role, content}] conversation instead of problem/solution"),
        FieldSpec("id", "id", required: false, "record id"),
    ]
    public static let optionKeys = ["boxed_fallback", "require_answer", "first_solution", "include_solution"]

    let ctx: AdapterContext
    let boxedFallback: Bool
    let requireAnswer: Bool
    let firstSolution: Bool
    let includeSolution: Bool

    public init(config: AdapterConfig) throws {
        ctx = try Self.context(config)
        boxedFallback = try ctx.bool("boxed_fallback", default: true)
        requireAnswer = try ctx.bool("require_answer", default: true)
        firstSolution = try ctx.bool("first_solution", default: false)
        includeSolution = try ctx.bool("include_solution", default: true)
    }

    public func record(from row: JSONValue, index: Int, location: SourceLocation) throws -> Record {
        var r = try ctx.row(row, index: index, location: location)
        var msgs: [Message]
        var solution: String?
        if let m = r.raw("messages") {
            msgs = try ChatParsing.plainMessages(m, field: "messages", row: r)
            solution = msgs.last(where: { $0.role == .assistant })?.content
            if !includeSolution, let i = msgs.lastIndex(where: { $0.role == .assistant }) { msgs.removeSubrange(i...) }
        } else {
            let problem = try r.string("problem")
            msgs = [Message(role: .user, content: problem)]
            if let v = r.raw("solution") {
                if firstSolution, case .array(let a) = v, let first = a.first {
                    guard case .string(let s) = first else { throw r.error("solution", "list must hold strings") }
                    solution = s
                } else {
                    solution = try r.text(v, field: "solution", separator: "\n\n")
                }
            }
            if let s = solution, includeSolution { msgs.append(Message(role: .assistant, content: s)) }
        }
        var answer = try r.optionalAnswer("answer")
        if answer == nil, boxedFallback, let s = solution { answer = AnswerText.lastBoxed(s) }
        if answer == nil && requireAnswer {
            throw r.error("answer", "is missing and the solution has no \\boxed{} answer",
                          hint: "map fields.answer, or set options.require_answer: false")
        }
        return try ctx.finish(&r, index: index, messages: msgs, reference: answer.map { .answer($0) })
    }
}
