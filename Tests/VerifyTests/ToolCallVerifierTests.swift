import Foundation
import Records
import TestSupport
import Verify
import XCTest

final class ToolCallVerifierTests: XCTestCase {
    let weather: [FunctionSchema] = try! ToolSchema.functions(from: JSONParser.parse("""
        [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
          "properties": {"city": {"type": "string"}, "days": {"type": "integer"}, "unit": {"type": "string", "enum": ["c", "f"]},
                         "hours": {"type": "array", "items": {"type": "integer"}},
                         "where": {"type": "object", "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}, "required": ["lat"]},
                         "precise": {"type": "boolean"}},
          "required": ["city"]}}}]
        """))

    func testParsingForms() throws {
        let qwen = try ToolCallParser.calls(fromText: "I'll check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 2}}\n</tool_call>")
        XCTAssertEqual(qwen, [ToolCall(name: "get_weather", arguments: ["city": "Paris", "days": 2])])
        let openai = try ToolCallParser.calls(from: JSONParser.parse(
            "[{\"id\": \"call_1\", \"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Oslo\\\"}\"}}]"))
        XCTAssertEqual(openai, [ToolCall(id: "call_1", name: "get_weather", arguments: ["city": "Oslo"])])
        let py = try ToolCallParser.pythonCalls("[get_weather(city='Paris', days=3, hours=[1, 2], where={'lat': 1.5, 'lon': -2}, precise=True), math.sqrt(x=2.0, note=None, v=some_var)]")
        XCTAssertEqual(py.count, 2)
        XCTAssertEqual(py[0].arguments, ["city": "Paris", "days": 3, "hours": [1, 2], "where": ["lat": 1.5, "lon": -2], "precise": true])
        XCTAssertEqual(py[1].name, "math.sqrt")
        XCTAssertEqual(py[1].arguments, ["x": 2.0, "note": nil, "v": "some_var"])
        XCTAssertThrowsError(try ToolCallParser.pythonCalls("[f(a=1"))
        XCTAssertThrowsError(try ToolCallParser.calls(fromText: "<tool_call>{not json}</tool_call>"))
    }

    func testSchemaViolations() {
        let v = ToolCallVerifier()
        func reason(_ args: JSONValue, name: String = "get_weather") -> String {
            v.verify(calls: [ToolCall(name: name, arguments: args)], functions: weather).reason
        }
        XCTAssertEqual(reason(["city": "Paris", "days": 2, "unit": "c", "hours": [1], "where": ["lat": 1, "lon": 2.5], "precise": false]), "extracted")
        XCTAssertEqual(reason(["days": 2]), "missing_required")
        XCTAssertEqual(reason(["city": "Paris", "days": "two"]), "wrong_type")
        XCTAssertEqual(reason(["city": "Paris", "days": 2.5]), "wrong_type")  // integer vs number
        XCTAssertEqual(reason(["city": 7]), "wrong_type")
        XCTAssertEqual(reason(["city": "Paris", "hours": [1, "x"]]), "wrong_type")
        XCTAssertEqual(reason(["city": "Paris", "where": ["lon": 2]]), "missing_required")
        XCTAssertEqual(reason(["city": "Paris", "where": ["lat": "north"]]), "wrong_type")
        XCTAssertEqual(reason(["city": "Paris", "unit": "kelvin"]), "bad_enum")
        XCTAssertEqual(reason(["city": "Paris", "mood": "sunny"]), "unknown_argument")
        XCTAssertEqual(reason(["city": "Paris"], name: "get_wether"), "unknown_function")
        XCTAssertEqual(v.verify(calls: [], functions: weather).reason, "no_answer_found")
        // BFCL variables: a string stands for a variable of any type when allowed.
        XCTAssertEqual(ToolCallVerifier(allowVariables: true).verify(
            calls: [ToolCall(name: "get_weather", arguments: ["city": "Paris", "days": "n_days"])], functions: weather).reason, "extracted")
    }

    func testMatchingLikeBFCL() throws {
        let v = ToolCallVerifier()
        let expected = try ToolCallParser.groundTruth(JSONParser.parse("""
            [{"get_weather": {"city": ["Paris", "paris, france"], "days": [3, ""], "unit": ["c"]}},
             {"get_weather": {"city": ["New York", "NYC"], "unit": ["f", ""]}}]
            """))
        // order-free parallel calls; "" = may be omitted; string standardisation ("new-york" ≡ "New York")
        let calls = [ToolCall(name: "get_weather", arguments: ["city": "new-york"]),
                     ToolCall(name: "get_weather", arguments: ["city": "Paris, France", "unit": "c", "days": 3])]
        XCTAssertTrue(v.verify(calls: calls, functions: weather, expected: expected).passed)
        let wrongValue = [calls[0], ToolCall(name: "get_weather", arguments: ["city": "Paris", "unit": "c", "days": 4])]
        XCTAssertEqual(v.verify(calls: wrongValue, functions: weather, expected: expected).reason, "wrong_value")
        let missing = [calls[0], ToolCall(name: "get_weather", arguments: ["city": "Paris"])]
        XCTAssertEqual(v.verify(calls: missing, functions: weather, expected: expected).reason, "missing_required")
        XCTAssertEqual(v.verify(calls: [calls[0]], functions: weather, expected: expected).reason, "wrong_count")
    }

    // MARK: - BFCL data

    static let classFiles = ["GorillaFileSystem": "gorilla_file_system", "MathAPI": "math_api", "MessageAPI": "message_api",
                             "TwitterAPI": "posting_api", "TicketAPI": "ticket_api", "TradingBot": "trading_bot",
                             "TravelAPI": "travel_booking", "VehicleControlAPI": "vehicle_control"]

    static func jsonl(_ relative: String) throws -> [JSONValue] { try MathAgreementTests.rows(relative) }

    /// Every BFCL ground truth validates against its question's functions (BFCL semantics:
    /// a string may name a variable); planted violations are caught with the right reason.
    func testBFCLGroundTruthsValidateAndPlantedViolationsAreCaught() throws {
        let dir = "data/tool_use/bfcl_v4/"
        let files = try FileManager.default.contentsOfDirectory(atPath: SharedData.require(dir + "possible_answer").path).sorted()
        let lenient = ToolCallVerifier(allowVariables: true), strict = ToolCallVerifier()
        var total = 0, dataIssues = 0
        var invalid: [String] = []
        var planted: [String: Int] = [:]
        for file in files where file.hasSuffix(".json") && !file.contains("multi_turn") {
            let questions = Dictionary(uniqueKeysWithValues: try Self.jsonl(dir + file).map { ($0["id"]!.stringValue!, $0) })
            let answers = try Self.jsonl(dir + "possible_answer/" + file)
            var strictFailures = 0
            let invalidBefore = invalid.count
            for a in answers {
                let id = a["id"]!.stringValue!
                let q = try XCTUnwrap(questions[id], "\(file): no question \(id)")
                let functions = try ToolSchema.functions(from: q["function"]!)
                let gt = try ToolCallParser.groundTruth(a["ground_truth"]!)
                let (verdict, issues) = lenient.validateGroundTruthDetailed(gt, functions: functions)
                if !verdict.passed { invalid.append("\(id)\t\(verdict)") }
                for issue in issues { print("  BFCL data issue \(file) \(id): \(issue)"); dataIssues += 1 }
                if !strict.validateGroundTruth(gt, functions: functions).passed { strictFailures += 1 }
                total += 1
                try plantViolations(gt, functions: functions, where: "\(file) \(id)", counts: &planted)
            }
            print("\(file): \(answers.count - (invalid.count - invalidBefore))/\(answers.count) ground truths valid (\(strictFailures) use a variable name for a non-string argument)")
        }
        // Multi-turn: each turn's call strings against the involved classes' functions.
        let mtQuestions = Dictionary(uniqueKeysWithValues: try Self.jsonl(dir + "BFCL_v4_multi_turn_base.json").map { ($0["id"]!.stringValue!, $0) })
        var docs: [String: [FunctionSchema]] = [:]
        for (cls, f) in Self.classFiles {
            docs[cls] = try Self.jsonl(dir + "multi_turn_func_doc/\(f).json").map { try ToolSchema.functions(from: $0)[0] }
        }
        var mtCalls = 0, mtStrictFailures = 0
        for a in try Self.jsonl(dir + "possible_answer/BFCL_v4_multi_turn_base.json") {
            let id = a["id"]!.stringValue!
            let q = try XCTUnwrap(mtQuestions[id])
            let functions = q["involved_classes"]!.arrayValue!.flatMap { docs[$0.stringValue!] ?? [] }
            for turn in a["ground_truth"]!.arrayValue! {
                for callText in turn.arrayValue! {
                    let calls = try ToolCallParser.pythonCalls(callText.stringValue!)
                    // BFCL executes multi-turn calls in Python without type checks; its data passes
                    // e.g. ticket_id='ticket_001' for an integer: accepted as a variable, counted.
                    let verdict = lenient.verify(calls: calls, functions: functions)
                    XCTAssertTrue(verdict.passed, "multi_turn \(id) \(callText): \(verdict)")
                    if !strict.verify(calls: calls, functions: functions).passed { mtStrictFailures += 1 }
                    mtCalls += calls.count
                }
            }
        }
        // Ground truths that no schema-valid call can satisfy (BFCL's checker ignores enums and
        // undeclared optional arguments). Committed list: any change is a regression or a fix.
        let known = try String(contentsOf: SharedData.repo("Tests/Fixtures/verify/bfcl_invalid_ground_truths.tsv"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        for line in invalid { print("  invalid ground truth: \(line)") }
        XCTAssertEqual(invalid, known, "BFCL ground truths failing validation changed")
        print("BFCL: \(dataIssues) ground-truth alternatives do not fit their schema (listed above)")
        print("BFCL: \(total) single-turn ground truths and \(mtCalls) multi-turn calls valid; planted violations caught: \(planted)")
        print("BFCL multi-turn: \(mtStrictFailures) call strings use a string where the schema declares another type")
        print("BFCL: \(total - invalid.count)/\(total) single-turn ground truths validate")
        XCTAssertLessThanOrEqual(planted["unplantable"] ?? 0, invalid.count * 2, "valid ground truths gave invalid calls")
        for code in ["missing_required", "wrong_type", "unknown_function", "unknown_argument", "bad_enum", "wrong_value"] {
            XCTAssertGreaterThan(planted[code] ?? 0, 10, "too few planted \(code) cases")
        }
    }

    /// Builds a concrete call from each expected call (first allowed value), checks that it
    /// passes schema and BFCL matching, then breaks it in one way at a time.
    func plantViolations(_ gt: [ExpectedCall], functions: [FunctionSchema], where loc: String, counts: inout [String: Int]) throws {
        let strict = ToolCallVerifier(allowVariables: true)
        for exp in gt {
            guard let f = functions.first(where: { $0.name == exp.name }) else { continue }
            var args = JSONObject()
            var nested = false
            for a in exp.arguments {
                // first alternative that fits the schema (BFCL data has a few that do not)
                let ps = f.properties[a.key]
                let fitting = a.allowed.first { v in
                    v != .string("") && !v.isNull
                        && ToolSchema.kindFits(ToolCallVerifier.concreteValue(v, schema: ps), schema: ps ?? .null)
                }
                let fallback = a.allowed.contains(.string("")) ? nil : a.allowed.first(where: { $0 != .string("") && !$0.isNull })
                if let v = fitting ?? fallback {
                    let c = ToolCallVerifier.concreteValue(v, schema: ps)
                    if c != v { nested = true }
                    args[a.key] = c
                }
            }
            let good = ToolCall(name: exp.name, arguments: .object(args))
            let base = strict.verify(calls: [good], functions: functions, expected: nested ? nil : [exp])
            // Ground truths with no schema-valid alternative (the committed invalid list) cannot
            // give a valid base call; everything else must.
            guard base.passed else { counts["unplantable", default: 0] += 1; continue }
            func expect(_ code: String, _ call: ToolCall) {
                let v = strict.verify(calls: [call], functions: functions)
                XCTAssertEqual(v.reason, code, "\(loc): \(call) → \(v)")
                if v.reason == code { counts[code, default: 0] += 1 }
            }
            if let r = f.required.first(where: { args[$0] != nil }) {
                var a2 = args
                a2[r] = nil
                expect("missing_required", ToolCall(name: exp.name, arguments: .object(a2)))
            }
            expect("unknown_function", ToolCall(name: exp.name + "_x", arguments: .object(args)))
            var a3 = args
            a3["zz_not_declared"] = 1
            expect("unknown_argument", ToolCall(name: exp.name, arguments: .object(a3)))
            // wrong type: a boolean where a string/number/array/object is declared, a list where a boolean is
            if let (k, t) = args.entries.lazy.compactMap({ e -> (String, String)? in
                guard let t = f.properties[e.key]?["type"]?.stringValue, ToolSchema.kind(of: t) != .any,
                      f.properties[e.key]?["enum"] == nil else { return nil }
                return (e.key, t)
            }).first {
                var a4 = args
                a4[k] = ToolSchema.kind(of: t) == .boolean ? .array([]) : .bool(true)
                expect("wrong_type", ToolCall(name: exp.name, arguments: .object(a4)))
            }
            if let (k, en) = f.properties.entries.first(where: { $0.value["enum"]?.arrayValue?.isEmpty == false })
                .map({ ($0.key, $0.value["enum"]!.arrayValue!) }) {
                var a5 = args
                // a value of the enum's own type that is not in it
                let bad: JSONValue = en[0].stringValue != nil ? "zz-not-an-enum-value" : en[0].doubleValue != nil ? 987_654 : .bool(true)
                a5[k] = f.properties[k]?["type"]?.stringValue.flatMap(ToolSchema.kind(of:)) == .array ? .array([bad]) : bad
                expect("bad_enum", ToolCall(name: exp.name, arguments: .object(a5)))
            }
            if !nested, let e = args.entries.first(where: { $0.value.stringValue != nil && f.properties[$0.key]?["enum"] == nil }) {
                var a6 = args
                a6[e.key] = .string((e.value.stringValue ?? "") + " zz-changed")
                let v = strict.verify(calls: [ToolCall(name: exp.name, arguments: .object(a6))], functions: functions, expected: [exp])
                XCTAssertEqual(v.reason, "wrong_value", "\(loc): \(v) base \(args)")
                if v.reason == "wrong_value" { counts["wrong_value", default: 0] += 1 }
            }
        }
    }
}
