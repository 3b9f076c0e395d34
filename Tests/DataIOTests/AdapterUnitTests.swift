import DataIO
import Foundation
import Records
import TestSupport
import XCTest

/// Each adapter on small hand-written rows: exact output, options, and located errors.
final class AdapterUnitTests: XCTestCase {
    let loc = SourceLocation(file: "data.jsonl", line: 7, byteOffset: 1234)

    func make(_ name: String, fields: [String: String] = [:], options: [String: JSONValue] = [:]) throws -> any RecordAdapter {
        try AdapterRegistry.make(name, config: AdapterConfig(source: "src", fields: fields, options: options))
    }

    func row(_ s: String) throws -> JSONValue { try JSONParser.parse(s) }

    func testGSM8K() throws {
        let a = try make("gsm8k")
        let r = try a.record(from: row(#"{"question":"Q?","answer":"He has 1,000 + 5 = <<1000+5=1005>>1005 apples.\n#### 1,005"}"#), index: 3, location: loc)
        XCTAssertEqual(r.id, "src:3")
        XCTAssertEqual(r.domain, .math)
        XCTAssertEqual(r.messages, [Message(role: .user, content: "Q?"),
                                    Message(role: .assistant, content: "He has 1,000 + 5 = 1005 apples.\n#### 1,005")])
        XCTAssertEqual(r.reference, .answer("1005"))
        let keep = try make("gsm8k", options: ["keep_calculator_annotations": true, "system": "Be brief."])
        let r2 = try keep.record(from: row(#"{"question":"Q","answer":"<<2*3=6>>6\n#### 6"}"#), index: 0, location: loc)
        XCTAssertEqual(r2.messages.map(\.content), ["Be brief.", "Q", "<<2*3=6>>6\n#### 6"])
        XCTAssertEqual(r2.messages[0].role, .system)
        XCTAssertThrowsError(try a.record(from: row(#"{"question":"Q","answer":"no marker"}"#), index: 4, location: loc)) { e in
            let d = e as! DataIOError
            XCTAssertEqual(d.location.line, 7)
            XCTAssertEqual(d.location.record, 4)
            XCTAssertEqual(d.location.field, "answer")
            XCTAssertTrue(d.description.contains("data.jsonl:7"), d.description)
        }
    }

    func testMathBoxedAndFieldMapping() throws {
        let a = try make("math")
        let r = try a.record(from: row(#"{"problem":"P","solution":"so $\\boxed{\\frac{1}{2}}$ and finally \\boxed{\\{1,2\\}}.","level":"Level 5"}"#), index: 0, location: loc)
        XCTAssertEqual(r.reference?.answer, "\\{1,2\\}")
        XCTAssertEqual(r.metadata["level"], "Level 5")
        XCTAssertEqual(AnswerText.lastBoxed("x \\boxed{a{b}c} y"), "a{b}c")
        XCTAssertEqual(AnswerText.lastBoxed("\\boxed 5$"), "5")
        XCTAssertNil(AnswerText.lastBoxed("\\boxed{unclosed"))
        XCTAssertEqual(AnswerText.lastBoxed("\\fbox{3} then \\boxed{4}"), "4")
        // Answer field wins over boxed; numbers render without .0; lists join.
        let r2 = try a.record(from: row(#"{"problem":"P","solution":"\\boxed{7}","answer":36.0}"#), index: 0, location: loc)
        XCTAssertEqual(r2.reference?.answer, "36")
        let svamp = try make("math", fields: ["problem": "Body,Question", "answer": "Answer", "id": "ID"])
        let r3 = try svamp.record(from: row(#"{"Body":"There are 3 apples.","Question":"How many?","Answer":3.0,"ID":"chal-1"}"#), index: 0, location: loc)
        XCTAssertEqual(r3.messages.map(\.content), ["There are 3 apples. How many?"])
        XCTAssertEqual(r3.reference?.answer, "3")
        XCTAssertEqual(r3.id, "chal-1")
        let numina = try make("math")
        let r4 = try numina.record(from: row(#"{"messages":[{"role":"user","content":"P"},{"role":"assistant","content":"so \\boxed{9}"}]}"#), index: 0, location: loc)
        XCTAssertEqual(r4.messages.count, 2)
        XCTAssertEqual(r4.reference?.answer, "9")
        XCTAssertThrowsError(try a.record(from: row(#"{"problem":"P","solution":"no box"}"#), index: 0, location: loc))
        XCTAssertThrowsError(try a.record(from: row(#"{"problem":5}"#), index: 0, location: loc)) { e in
            XCTAssertTrue("\(e)".contains("must be a string, got integer"), "\(e)")
        }
        XCTAssertThrowsError(try make("math", fields: ["nonsense": "x"])) { e in XCTAssertTrue("\(e)".contains("unknown field")) }
        XCTAssertThrowsError(try make("math", options: ["nonsense": 1])) { e in XCTAssertTrue("\(e)".contains("unknown option")) }
        XCTAssertThrowsError(try make("nope")) { e in XCTAssertTrue("\(e)".contains("unknown adapter")) }
    }

    func testMCQLayouts() throws {
        let a = try make("mcq")
        let r = try a.record(from: row(#"{"question":"Q?","options":{"A":"x","B":"y"},"answer_idx":"B"}"#), index: 0, location: loc)
        XCTAssertEqual(r.messages.map(\.content), ["Q?\n\nA. x\nB. y", "The answer is B. y"])
        XCTAssertEqual(r.reference, Reference(kind: .choice, choice: "B", options: [.init(key: "A", text: "x"), .init(key: "B", text: "y")]))
        // List + 0-based index (HF MedMCQA `cop`), comma-joined option columns, text match.
        let hf = try make("mcq", fields: ["options": "opa,opb,opc", "answer_idx": "cop"])
        XCTAssertEqual(try hf.record(from: row(#"{"question":"Q","opa":"x","opb":"y","opc":"z","cop":2}"#), index: 0, location: loc).reference?.choice, "C")
        let list1 = try make("mcq", options: ["index_base": 1])
        XCTAssertEqual(try list1.record(from: row(#"{"question":"Q","options":["x","y"],"answer_idx":1}"#), index: 0, location: loc).reference?.choice, "A")
        XCTAssertEqual(try a.record(from: row(#"{"question":"Q","options":["x","y"],"answer":"y"}"#), index: 0, location: loc).reference?.choice, "B")
        let s = try a.record(from: row(#"{"question":"Q","options":"A) $f(-6)=0$ B) two (2) C) 3. D) D.C.","answer_idx":"(c)"}"#), index: 0, location: loc)
        XCTAssertEqual(s.reference?.options?.map(\.text), ["$f(-6)=0$", "two (2)", "3.", "D.C."])
        XCTAssertEqual(s.reference?.choice, "C")
        XCTAssertThrowsError(try a.record(from: row(#"{"question":"Q","options":{"A":"x"},"answer_idx":"E"}"#), index: 0, location: loc))
        XCTAssertThrowsError(try a.record(from: row(#"{"question":"Q","options":{"A":"x"}}"#), index: 0, location: loc))
        // Templates fill in one pass: a question containing "{options}" is left alone.
        let t = try make("mcq", options: ["prompt_template": "Q: {question}\n{options}", "answer_template": "{key}"])
        XCTAssertEqual(try t.record(from: row(#"{"question":"what is {options}?","options":{"A":"x"},"answer_idx":"A"}"#), index: 0, location: loc).messages.map(\.content),
                       ["Q: what is {options}?\nA. x", "A"])
    }

    func testPubMedQAAndHuatuo() throws {
        let p = try make("pubmedqa")
        let r = try p.record(from: row(#"{"pubid":"1","QUESTION":"Q?","CONTEXTS":["c1","c2"],"LONG_ANSWER":"L.","final_decision":"Maybe"}"#), index: 0, location: loc)
        XCTAssertEqual(r.id, "1")
        XCTAssertEqual(r.messages.map(\.content), ["Context:\nc1\n\nc2\n\nQuestion: Q?\nAnswer yes, no, or maybe.", "L.\n\nThe answer is maybe."])
        XCTAssertEqual(r.reference?.choice, "maybe")
        XCTAssertThrowsError(try p.record(from: row(#"{"QUESTION":"Q","CONTEXTS":"c","final_decision":"perhaps"}"#), index: 0, location: loc))
        let h = try make("huatuo_o1")
        let r2 = try h.record(from: row(#"{"Question":"Q","Complex_CoT":"think","Response":"R"}"#), index: 0, location: loc)
        XCTAssertEqual(r2.messages[1], Message(role: .assistant, content: "R", reasoning: "think"))
        XCTAssertNil(r2.reference)
        let custom = try make("huatuo_o1", fields: ["question": "q", "response": "a", "reasoning": ""])
        let r3 = try custom.record(from: row(#"{"q":"Q","a":"A","Complex_CoT":"ignored"}"#), index: 0, location: loc)
        XCTAssertNil(r3.messages[1].reasoning)
    }

    func testOpenAIToolCallsKeepArgumentOrder() throws {
        let a = try make("openai")
        let text = #"{"id":"x1","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"z\": 1, \"a\": [2.0, \"s\"]}"}}]},{"role":"tool","tool_call_id":"c1","content":"{\"ok\": true}"},{"role":"assistant","content":[{"type":"reasoning","value":"hmm"},{"type":"text","value":"done"}]}],"tools":"[{\"name\":\"f\",\"description\":\"d\",\"parameters\":{\"type\":\"dict\",\"properties\":{\"z\":{\"type\":\"float\"},\"a\":{\"type\":\"tuple\",\"items\":{\"type\":\"dict\"}}}}}]"}"#
        let r = try a.record(from: row(text), index: 0, location: loc)
        XCTAssertEqual(r.id, "x1")
        XCTAssertEqual(r.messages[1].toolCalls, [ToolCall(id: "c1", name: "f", arguments: ["z": 1, "a": [2.0, "s"]])])
        XCTAssertEqual(r.messages[1].toolCalls[0].arguments.objectValue?.keys, ["z", "a"])
        XCTAssertEqual(r.messages[2].toolCallID, "c1")
        XCTAssertEqual(r.messages[3].content, "done")
        XCTAssertEqual(r.messages[3].reasoning, "hmm")
        XCTAssertEqual(JSONWriter().string(r.tools[0]),
                       #"{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object","properties":{"z":{"type":"number"},"a":{"type":"array","items":{"type":"object"}}}}}}"#)
        let bad = #"{"messages":[{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":"{oops"}}]}]}"#
        XCTAssertThrowsError(try a.record(from: row(bad), index: 0, location: loc)) { e in
            XCTAssertTrue("\(e)".contains("not valid JSON"), "\(e)")
        }
        let lenient = try make("openai", options: ["invalid_arguments": "string"])
        XCTAssertEqual(try lenient.record(from: row(bad), index: 0, location: loc).messages[0].toolCalls[0].arguments, "{oops")
        XCTAssertThrowsError(try a.record(from: row(#"{"messages":[{"role":"robot","content":"x"}]}"#), index: 0, location: loc))
    }

    func testShareGPTAndAlpaca() throws {
        let s = try make("sharegpt")
        let text = #"{"conversations":[{"from":"human","value":"hi"},{"from":"function_call","value":"{\"name\": \"f\", \"arguments\": {\"b\": 1, \"a\": 2}}"},{"from":"observation","value":"{\"r\": 3}"},{"from":"gpt","value":"3"}],"tools":"[{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}]","system":"S"}"#
        let r = try s.record(from: row(text), index: 0, location: loc)
        XCTAssertEqual(r.messages.map(\.role), [.system, .user, .assistant, .tool, .assistant])
        XCTAssertEqual(r.messages[2].toolCalls[0].arguments.objectValue?.keys, ["b", "a"])
        XCTAssertEqual(r.messages[3].name, "f")
        XCTAssertEqual(r.tools.count, 1)
        XCTAssertThrowsError(try s.record(from: row(#"{"conversations":[{"from":"alien","value":"x"}]}"#), index: 0, location: loc))
        let a = try make("alpaca")
        let r2 = try a.record(from: row(#"{"instruction":"Do","input":"this","output":"ok","history":[["q1","a1"]]}"#), index: 0, location: loc)
        XCTAssertEqual(r2.messages.map(\.content), ["q1", "a1", "Do\nthis", "ok"])
        XCTAssertEqual(r2.domain, .general)
    }

    func testBFCLAnswersAndPythonCalls() throws {
        let dir = try SharedData.tempDir("bfcl")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ans = dir.appendingPathComponent("ans.json")
        try Data(#"{"id": "simple_0", "ground_truth": [{"calc.area": {"base": [10], "unit": ["units", ""]}}]}"#.utf8).write(to: ans)
        let b = try make("bfcl", options: ["answers": .string(ans.path)])
        let q = #"{"id":"simple_0","question":[[{"role":"user","content":"area?"}]],"function":[{"name":"calc.area","description":"d","parameters":{"type":"dict","properties":{"base":{"type":"integer"},"unit":{"type":"string"}},"required":["base"]}}]}"#
        let r = try b.record(from: row(q), index: 0, location: loc)
        XCTAssertEqual(r.id, "simple_0")
        XCTAssertEqual(r.reference?.kind, .toolCalls)
        XCTAssertEqual(r.reference?.toolCalls, [ToolCall(name: "calc.area", arguments: ["base": [10], "unit": ["units", ""]])])
        XCTAssertEqual(r.tools[0]["function"]?["parameters"]?["type"], "object")
        let other = #"{"id":"simple_1","question":[[{"role":"user","content":"x"}]],"function":[]}"#
        XCTAssertNil(try b.record(from: row(other), index: 1, location: loc).reference)

        let c = try PythonCall.parse(##"post_tweet('it\'s "ok"', tags=['#a', "#b"], n=-1.5e2, d={'k': None}, t=(1, True))"##)
        XCTAssertEqual(c.name, "post_tweet")
        XCTAssertEqual(c.positional, [#"it's "ok""#])
        XCTAssertEqual(c.keywords.map { $0.0 }, ["tags", "n", "d", "t"])
        let expectedValues: [JSONValue] = [["#a", "#b"], -150.0, ["k": nil], [1, true]]
        XCTAssertEqual(c.keywords.map { $0.1 }, expectedValues)
        XCTAssertEqual(try PythonCall.parse("ls()").keywords.count, 0)
        XCTAssertThrowsError(try PythonCall.parse("f(x=os.system('rm'))"))
        XCTAssertThrowsError(try PythonCall.parse("f(a=1, 2)"))
    }

    func testAdapterConfigDecodingIsStrict() throws {
        let ok = try JSONDecoder().decode(AdapterConfig.self, from: Data(#"{"source":"s","fields":{"question":"Q"},"options":{"system":"x"}}"#.utf8))
        XCTAssertEqual(ok, AdapterConfig(source: "s", fields: ["question": "Q"], options: ["system": "x"]))
        XCTAssertThrowsError(try JSONDecoder().decode(AdapterConfig.self, from: Data(#"{"source":"s","feilds":{}}"#.utf8)))
    }

    func testRecordJSONRoundTrip() throws {
        let r = Record(id: "i", source: "s", domain: .agent,
                       messages: [Message(role: .assistant, content: "", reasoning: "r", toolCalls: [ToolCall(id: nil, name: "f", arguments: ["b": 1.0, "a": 2])]),
                                  Message(role: .tool, content: "x", toolCallID: "c", name: "f")],
                       tools: [["type": "function"]], reference: Reference(kind: .choice, choice: "A", options: [.init(key: "A", text: "t")]),
                       metadata: JSONObject([("z", 1), ("a", 2.0)]))
        let text = RecordJSON.line(r)
        XCTAssertEqual(try RecordJSON.decode(JSONParser.parse(text), at: loc), r)
        XCTAssertTrue(text.hasPrefix(#"{"id":"i","source":"s","domain":"agent","messages":[{"role":"assistant","content":"","reasoning":"r","tool_calls":[{"name":"f","arguments":{"b":1.0,"a":2}}]}"#), text)
    }
}

final class RecordReaderTests: XCTestCase {
    func testRecordReaderYieldsRecordsAndErrors() throws {
        let dir = try SharedData.tempDir("recreader")
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = "{\"question\":\"q1\",\"answer\":\"a\\n#### 1\"}\nnot json\n{\"question\":\"q2\"}\n{\"question\":\"q3\",\"answer\":\"#### 3\"}\n"
        let gz = Array(text.utf8).withUnsafeBytes { Codecs.gzipCompress($0) }
        let p = try JSONLTest.write(gz, name: "g.jsonl.gz", in: dir)
        let reader = try RecordReader(path: p, adapter: try AdapterRegistry.make("gsm8k", config: AdapterConfig(source: "g")))
        var got: [String] = []
        while let item = try reader.next() {
            switch item {
            case .record(let r, _): got.append(r.id + "=" + (r.reference?.answer ?? ""))
            case .error(let e, let loc):
                got.append("error@\(loc.line!)")
                XCTAssertEqual(e.location.line, 3)
                XCTAssertEqual(e.location.record, 1)
                XCTAssertEqual(e.location.field, "answer")
                XCTAssertTrue(e.description.contains("g.jsonl.gz:3"), e.description)
            }
        }
        XCTAssertEqual(got, ["g:0=1", "error@3", "g:2=3"])
        XCTAssertEqual(reader.stats.bad[.invalidJSON], 1)
        XCTAssertEqual(reader.records, 2)
        XCTAssertEqual(reader.adapterErrors, 1)
    }
}
