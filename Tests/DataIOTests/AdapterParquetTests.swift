import DataIO
import Foundation
import Records
import TestSupport
import XCTest

/// The Parquet copies in shared/data/parquet normalise to the same Records as their JSONL
/// originals (same adapter, same mapping; only `source` differs).
final class AdapterParquetTests: XCTestCase {
    func records(_ path: String, _ adapter: String, fields: [String: String] = [:]) throws -> [Record] {
        let a = try AdapterRegistry.make(adapter, config: AdapterConfig(source: "s", fields: fields))
        let reader = try RecordReader(path: path, adapter: a)
        var out: [Record] = []
        while let item = try reader.next() {
            switch item {
            case .record(let r, _): out.append(r)
            case .error(let e, _): XCTFail("\(e)")
            }
        }
        return out
    }

    func testParquetMatchesJSONL() throws {
        let root = try SharedData.require("data/parquet").deletingLastPathComponent()
        func p(_ s: String) -> String { root.appendingPathComponent(s).path }
        let cases: [(String, String, String, [String: String], [String: String])] = [
            ("parquet/gsm8k_train.snappy.parquet", "math/gsm8k/train.jsonl", "gsm8k", [:], [:]),
            ("parquet/math500_test.nodict_pagev2.parquet", "math/math500/test.jsonl", "math", ["id": "unique_id"], ["id": "unique_id"]),
            ("parquet/medqa_test.uncompressed_rg128.parquet", "medical/medqa/test.jsonl", "mcq", ["id": "realidx"], ["id": "realidx"]),
            ("parquet/pubmedqa_pqal.gzip.parquet", "medical/pubmedqa/pqal.jsonl", "pubmedqa",
             ["question": "question", "contexts": "contexts", "long_answer": "long_answer"], [:]),
            ("parquet/glaive_toolcall_en_openai.zstd.parquet", "tool_use/glaive_toolcall/glaive_toolcall_en_demo.openai.jsonl", "openai", [:], [:]),
        ]
        for (pq, jl, adapter, pqFields, jlFields) in cases {
            let a = try records(p(pq), adapter, fields: pqFields)
            let b = try records(p(jl), adapter, fields: jlFields)
            print("[parquet-vs-jsonl] \(pq): \(a.count) records, \(b.count) from JSONL")
            XCTAssertEqual(a.count, b.count, pq)
            for (x, y) in zip(a, b) where x.messages != y.messages || x.reference != y.reference || x.tools != y.tools || x.id != y.id {
                XCTFail("\(pq): record \(x.id) differs from JSONL\n\(RecordJSON.line(x))\n\(RecordJSON.line(y))")
                break
            }
        }
    }
}
