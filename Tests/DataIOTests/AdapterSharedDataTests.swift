import DataIO
import Foundation
import Records
import TestSupport
import XCTest

/// Every dataset under shared/data/{math,medical,tool_use} through an adapter: per-file counts
/// are printed; every failure must be listed in `expectedErrors` with its explanation.
final class AdapterSharedDataTests: XCTestCase {
    struct Case {
        var file: String
        var adapter: String
        var fields: [String: String] = [:]
        var options: [String: JSONValue] = [:]
        var domain: Domain? = nil
        var rows: Int
        /// Rows expected to fail, with the reason (none so far).
        var expectedErrors = 0
    }

    static let bfcl = "data/tool_use/bfcl_v4/"

    static func cases(_ root: URL) -> [Case] {
        func answers(_ n: String) -> [String: JSONValue] {
            ["answers": .string(root.appendingPathComponent(bfcl + "possible_answer/BFCL_v4_\(n).json").path)]
        }
        let q = ["problem": "question"]
        var cs: [Case] = [
            Case(file: "data/math/aime25/test.jsonl", adapter: "math", rows: 25),
            Case(file: "data/math/gsm8k/train.jsonl", adapter: "gsm8k", rows: 7473),
            Case(file: "data/math/gsm8k/test.jsonl", adapter: "gsm8k", rows: 986),
            Case(file: "data/math/gsm8k/test_socratic.jsonl", adapter: "gsm8k", rows: 986),
            Case(file: "data/math/gsm8k/example_model_solutions.jsonl", adapter: "gsm8k", fields: ["answer": "ground_truth"],
                 options: ["answer_marker": "A:"], rows: 986),
            Case(file: "data/math/gsm8k/labelled_solutions_flat.jsonl", adapter: "gsm8k",
                 fields: ["answer": "solution", "reference": "ground_truth_answer"], rows: 3944),
            Case(file: "data/math/math500/test.jsonl", adapter: "math", fields: ["id": "unique_id"], rows: 356),
            Case(file: "data/math/qwen25_math_eval/aime24/test.jsonl", adapter: "math", rows: 22),
            Case(file: "data/math/qwen25_math_eval/amc23/test.jsonl", adapter: "math", rows: 29),
            Case(file: "data/math/qwen25_math_eval/minerva_math/test.jsonl", adapter: "math", fields: ["id": "idx"], rows: 202),
            Case(file: "data/math/qwen25_math_eval/olympiadbench/test.jsonl", adapter: "math",
                 fields: ["problem": "question", "answer": "final_answer"], rows: 507),
            Case(file: "data/math/qwen25_math_eval/gaokao2023en/test.jsonl", adapter: "math", fields: q, rows: 286),
            Case(file: "data/math/qwen25_math_eval/college_math/test.jsonl", adapter: "math", fields: q, rows: 2110),
            Case(file: "data/math/qwen25_math_eval/cmath/test.jsonl", adapter: "math", fields: q, rows: 456),
            Case(file: "data/math/qwen25_math_eval/svamp/test.jsonl", adapter: "math",
                 fields: ["problem": "Body,Question", "answer": "Answer", "id": "ID"], rows: 775),
            Case(file: "data/math/qwen25_math_eval/gaokao2024_I/test.jsonl", adapter: "math", fields: q, rows: 11),
            Case(file: "data/math/qwen25_math_eval/gaokao2024_II/test.jsonl", adapter: "math", fields: q, rows: 10),
            Case(file: "data/math/qwen25_math_eval/gaokao2024_mix/test.jsonl", adapter: "math", fields: ["problem": "question", "id": "idx"], rows: 66),
            Case(file: "data/math/qwen25_math_eval/cn_middle_school/test.jsonl", adapter: "math", fields: ["problem": "question", "id": "idx"], rows: 74),
            Case(file: "data/math/qwen25_math_eval/sat_math/test.jsonl", adapter: "mcq",
                 fields: ["answer_idx": "Answer"], domain: .math, rows: 24),
            Case(file: "data/math/qwen25_math_eval/gaokao_math_cloze/test.jsonl", adapter: "math", fields: q, rows: 89),
            Case(file: "data/math/qwen25_math_labelled/math_cot_100_flat.jsonl", adapter: "math",
                 fields: ["problem": "question", "solution": "response", "answer": "gt_answer"], rows: 616),
            Case(file: "data/medical/huatuogpt_o1/demo_data.jsonl", adapter: "huatuo_o1", rows: 156),
            Case(file: "data/medical/huatuogpt_o1/demo_data.jsonl", adapter: "mcq", rows: 156),
            Case(file: "data/medical/medmcqa/test.jsonl", adapter: "mcq", fields: ["id": "realidx"], rows: 2111),
            Case(file: "data/medical/medqa/test.jsonl", adapter: "mcq", fields: ["id": "realidx"], rows: 970),
            Case(file: "data/medical/medqa_5options/test.jsonl", adapter: "mcq", rows: 970),
            Case(file: "data/medical/pubmedqa/pqal.jsonl", adapter: "pubmedqa", rows: 883),
            Case(file: "data/tool_use/glaive_toolcall/glaive_toolcall_en_demo.openai.jsonl", adapter: "openai", rows: 224),
            Case(file: "data/tool_use/glaive_toolcall/glaive_toolcall_zh_demo.openai.jsonl", adapter: "openai", rows: 225),
            Case(file: "data/tool_use/glaive_toolcall/glaive_toolcall_en_demo.sharegpt.jsonl", adapter: "sharegpt", rows: 224),
            Case(file: "data/tool_use/glaive_toolcall/glaive_toolcall_zh_demo.sharegpt.jsonl", adapter: "sharegpt", rows: 226),
            Case(file: "data/tool_use/reason_tool_use/reason_tool_use_demo_50.jsonl", adapter: "openai", rows: 40),
        ]
        let withAnswers = ["simple_python": 305, "simple_java": 72, "simple_javascript": 32, "multiple": 152, "parallel": 150,
                           "parallel_multiple": 155, "live_simple": 191, "live_multiple": 790, "live_parallel": 12,
                           "live_parallel_multiple": 18]
        for (n, rows) in withAnswers.sorted(by: { $0.key < $1.key }) {
            cs.append(Case(file: bfcl + "BFCL_v4_\(n).json", adapter: "bfcl", options: answers(n), rows: rows))
        }
        // Irrelevance / relevance sets have no possible_answer file: records without reference.
        for (n, rows) in [("irrelevance", 166), ("live_irrelevance", 669), ("live_relevance", 12)] {
            cs.append(Case(file: bfcl + "BFCL_v4_\(n).json", adapter: "bfcl", rows: rows))
        }
        var mt = answers("multi_turn_base")
        mt["func_doc_dir"] = .string(root.appendingPathComponent(bfcl + "multi_turn_func_doc").path)
        cs.append(Case(file: bfcl + "BFCL_v4_multi_turn_base.json", adapter: "bfcl", options: mt, rows: 150))
        return cs
    }

    func load(_ c: Case, root: URL) throws -> (records: [Record], errors: [DataIOError], stats: JSONLStats) {
        let path = root.appendingPathComponent(c.file).path
        let adapter = try AdapterRegistry.make(c.adapter, config: AdapterConfig(
            source: (c.file as NSString).lastPathComponent, domain: c.domain, fields: c.fields, options: c.options))
        let it = try RowSource.open(path: path)
        var recs: [Record] = [], errs: [DataIOError] = []
        var i = 0
        while let (row, loc) = try it.next() {
            do { recs.append(try adapter.record(from: row, index: i, location: loc)) } catch let e as DataIOError { errs.append(e) }
            i += 1
        }
        return (recs, errs, it.stats)
    }

    func testEverySharedDatasetLoads() throws {
        let root = try SharedData.require("data").deletingLastPathComponent()
        var totalRecords = 0
        for c in Self.cases(root) {
            let (recs, errs, stats) = try load(c, root: root)
            let withRef = recs.filter { $0.reference != nil }.count
            print(String(format: "[adapters] %-62@ %-9@ rows %5d  records %5d  with-reference %5d  bad-lines %d  adapter-errors %d",
                         c.file as NSString, c.adapter as NSString, stats.rows, recs.count, withRef, stats.badTotal, errs.count))
            for e in errs.prefix(3) { print("    error: \(e)") }
            XCTAssertEqual(stats.rows, c.rows, c.file)
            XCTAssertEqual(stats.badTotal, 0, c.file)
            XCTAssertEqual(errs.count, c.expectedErrors, "\(c.file): \(errs.first.map { "\($0)" } ?? "")")
            XCTAssertEqual(recs.count, c.rows - c.expectedErrors, c.file)
            for r in recs {
                XCTAssertFalse(r.messages.isEmpty, "\(c.file) \(r.id)")
                XCTAssertTrue(r.messages.contains { $0.role == .user }, "\(c.file) \(r.id)")
            }
            if !c.file.contains("irrelevance") && !c.file.contains("relevance") && c.adapter != "openai" && c.adapter != "sharegpt" {
                XCTAssertEqual(withRef, recs.count, "\(c.file): every record should carry a reference")
            }
            // Records round-trip exactly through their order-preserving JSON form, and that
            // form has the same keys as the Codable encoding.
            for r in recs.prefix(300) {
                let text = RecordJSON.line(r)
                let back = try RecordJSON.decode(try JSONParser.parse(text), at: SourceLocation(file: c.file))
                if back != r { XCTFail("\(c.file): \(r.id) does not round-trip"); break }
            }
            if let r = recs.first {
                let coded = try JSONParser.parse(try JSONEncoder().encode(r))
                XCTAssertEqual(Set(coded.objectValue!.keys), Set(RecordJSON.encode(r).objectValue!.keys), c.file)
                // (Foundation's JSONEncoder does not keep JSONValue key order, so compare the text parts.)
                let viaCodable = try RecordJSON.decode(coded, at: SourceLocation(file: c.file))
                XCTAssertEqual(viaCodable.messages.map(\.content), r.messages.map(\.content), c.file)
                XCTAssertEqual(viaCodable.id, r.id, c.file)
            }
            totalRecords += recs.count
        }
        print("[adapters] total records: \(totalRecords)")
    }
}
