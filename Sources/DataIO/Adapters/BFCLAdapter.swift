import Foundation
import Records

/// Berkeley Function-Calling Leaderboard v4 question files
/// (https://github.com/ShishirPatil/gorilla/tree/main/berkeley-function-call-leaderboard).
///
/// - messages = every message of every turn of `question` (a list of turns, each a list of
///   `{role, content}`), in order; `metadata.turn_starts` gives the index of each turn's first message.
/// - tools = `function` in OpenAI form, Gorilla types mapped to JSON Schema (`dict` → object,
///   `float` → number, ...; `schema_types: keep` disables). Multi-turn entries have no `function`:
///   with `func_doc_dir` (BFCL's `multi_turn_func_doc` folder) the docs of `involved_classes`
///   are loaded, minus `excluded_function`.
/// - reference = with `answers` (a possible_answer file), the entry with the same id as a
///   .toolCalls reference: single-turn `{func: {arg: [allowed values]}}` become calls whose
///   arguments map each name to its list of allowed values; multi-turn ground truth (per-turn lists
///   of Python call strings) is parsed, positional arguments named by the schema's parameter
///   order, and each value wrapped in a one-element list; `metadata.turn_call_counts` splits the
///   calls by turn. Ids absent from the answer file (irrelevance, relevance) get no reference.
public struct BFCLAdapter: RecordAdapter {
    public static let name = "bfcl"
    public static let defaultDomain = Domain.agent
    public static let fieldSpecs = [
        FieldSpec("question", "question", required: true, "list of turns, each a list of messages"),
        FieldSpec("function", "function", required: false, "function docs (Gorilla schema)"),
        FieldSpec("id", "id", required: true, "entry id (joins the answer file)"),
    ]
    public static let optionKeys = ["answers", "func_doc_dir", "schema_types"]

    /// BFCL's class → doc file table (bfcl_eval/constants: MULTI_TURN_FUNC_DOC_FILE_MAPPING).
    static let docFiles: [String: String] = [
        "GorillaFileSystem": "gorilla_file_system.json", "MathAPI": "math_api.json", "MessageAPI": "message_api.json",
        "TwitterAPI": "posting_api.json", "TicketAPI": "ticket_api.json", "TradingBot": "trading_bot.json",
        "TravelAPI": "travel_booking.json", "VehicleControlAPI": "vehicle_control.json", "WebSearchAPI": "web_search.json",
        "MemoryAPI_kv": "memory_kv.json", "MemoryAPI_vector": "memory_vector.json", "MemoryAPI_rec_sum": "memory_rec_sum.json",
    ]

    let ctx: AdapterContext
    let openAPI: Bool
    let answers: [String: JSONValue]?
    let docDir: String?

    public init(config: AdapterConfig) throws {
        ctx = try Self.context(config)
        openAPI = try ctx.choice("schema_types", ["openapi", "keep"], default: "openapi") == "openapi"
        docDir = try ctx.string("func_doc_dir", default: nil)
        if let path = try ctx.string("answers", default: nil) {
            var map: [String: JSONValue] = [:]
            let it = try JSONLRowIterator(path: path)
            while let (row, loc) = try it.next() {
                guard let id = row["id"]?.stringValue, let gt = row["ground_truth"] else {
                    throw DataIOError("answer entry without id / ground_truth", at: loc)
                }
                map[id] = gt
            }
            if it.stats.badTotal > 0 {
                throw DataIOError("answer file has \(it.stats.badTotal) bad lines", at: SourceLocation(file: path))
            }
            answers = map
        } else {
            answers = nil
        }
    }

    public func record(from row: JSONValue, index: Int, location: SourceLocation) throws -> Record {
        var r = try ctx.row(row, index: index, location: location)
        let id = try r.string("id")
        let qv = try r.require("question")
        guard case .array(var turns) = qv else { throw r.error("question", "must be a list of turns, got \(qv.typeName)") }
        if let first = turns.first, case .object = first { turns = [.array(turns)] }  // a single turn given flat
        var msgs: [Message] = []
        var turnStarts: [JSONValue] = []
        for (t, turn) in turns.enumerated() {
            guard case .array(let ms) = turn else { throw r.error("question", "turn \(t) must be a list of messages") }
            turnStarts.append(.int(Int64(msgs.count)))
            for (k, m) in ms.enumerated() {
                guard let rn = m["role"]?.stringValue, let role = ChatParsing.role(rn), let c = m["content"]?.stringValue else {
                    throw r.error("question", "turn \(t) message \(k) needs a known role and string content")
                }
                msgs.append(Message(role: role, content: c))
            }
        }
        var tools: [JSONValue]
        if let f = r.raw("function") {
            tools = try ChatParsing.tools(f, row: r, field: "function", openAPITypes: openAPI)
        } else if let classes = row["involved_classes"]?.arrayValue {
            guard let docDir else {
                throw r.error("function", "is missing (multi-turn entry)", hint: "set options.func_doc_dir to BFCL's multi_turn_func_doc folder")
            }
            let excluded = Set((row["excluded_function"]?.arrayValue ?? []).compactMap(\.stringValue))
            var docs: [JSONValue] = []
            for c in classes {
                guard let cn = c.stringValue, let file = Self.docFiles[cn] else { throw r.error("function", "unknown involved class \(c)") }
                let it = try JSONLRowIterator(path: (docDir as NSString).appendingPathComponent(file))
                while let (d, _) = try it.next() {
                    if !excluded.contains(d["name"]?.stringValue ?? "") { docs.append(d) }
                }
            }
            tools = try ChatParsing.tools(.array(docs), row: r, field: "function", openAPITypes: openAPI)
        } else {
            throw r.error("function", "is missing")
        }
        var extra = JSONObject([("turn_starts", .array(turnStarts))])
        var ref: Reference?
        if let answers, let gt = answers[id] {
            let (calls, perTurn) = try referenceCalls(gt, tools: tools, r)
            ref = Reference(kind: .toolCalls, toolCalls: calls)
            if let perTurn { extra["turn_call_counts"] = .array(perTurn.map { .int(Int64($0)) }) }
        }
        return try ctx.finish(&r, index: index, messages: msgs, tools: tools, reference: ref, extra: extra)
    }

    func referenceCalls(_ gt: JSONValue, tools: [JSONValue], _ r: RowFields) throws -> ([ToolCall], [Int]?) {
        guard case .array(let items) = gt else { throw r.recordError("ground truth must be a list") }
        if items.allSatisfy({ if case .array = $0 { return true } else { return false } }) && !items.isEmpty {
            var calls: [ToolCall] = []
            var counts: [Int] = []
            for turn in items {
                let strs = turn.arrayValue ?? []
                counts.append(strs.count)
                for s in strs {
                    guard let text = s.stringValue else { throw r.recordError("multi-turn ground truth holds a \(s.typeName), expected call strings") }
                    let pc: PythonCall
                    do { pc = try PythonCall.parse(text) } catch {
                        throw r.recordError("cannot parse ground-truth call '\(text)': \(error)")
                    }
                    let params = paramNames(pc.name, tools)
                    var args = JSONObject()
                    for (k, v) in pc.positional.enumerated() {
                        guard k < params.count else { throw r.recordError("call '\(text)' has more positional arguments than \(pc.name) has parameters") }
                        args[params[k]] = .array([v])
                    }
                    for (k, v) in pc.keywords { args[k] = .array([v]) }
                    calls.append(ToolCall(name: pc.name, arguments: .object(args)))
                }
            }
            return (calls, counts)
        }
        var calls: [ToolCall] = []
        for item in items {
            guard case .object(let o) = item, o.count == 1, let e = o.entries.first, case .object = e.value else {
                throw r.recordError("ground-truth entry must be {function: {arg: [allowed values]}}, got \(item)")
            }
            calls.append(ToolCall(name: e.key, arguments: e.value))
        }
        return (calls, nil)
    }

    func paramNames(_ fn: String, _ tools: [JSONValue]) -> [String] {
        for t in tools where t["function"]?["name"]?.stringValue == fn {
            return t["function"]?["parameters"]?["properties"]?.objectValue?.keys ?? []
        }
        return []
    }
}
