import Foundation
import Pipeline
import Records
import TestSupport
import XCTest

final class AdapterStreamTests: XCTestCase {
    /// Bad lines keep their place in the stream (also at the end), rows are never lost.
    func testBadLinesInOrder() throws {
        let dir = try SharedData.tempDir("stream")
        let p = dir.appendingPathComponent("g.jsonl").path
        let good = #"{"question": "Q?", "answer": "A\n#### 1"}"#
        try [good, "{not json", good, good, "[1,2", "{\"question\": 3}", ""].joined(separator: "\n").write(toFile: p, atomically: true, encoding: .utf8)
        let spec = try PipelineSpec.parse(yaml: "name: t\ninputs: [{path: \(p), adapter: gsm8k, domain: math}]\noutput: {dir: /tmp/unused}")
        let c = try ComponentLoader.load(ResolvedPipeline(spec: spec))
        let s = try c.openInput(ResolvedPipeline(spec: spec).inputs[0])
        var kinds: [String] = []
        while let item = try s.next() {
            switch item {
            case .record(let r, let loc): kinds.append("r\(loc.line ?? -1)"); XCTAssertEqual(r.source, "g.jsonl")
            case .bad(let reason, _, let loc): kinds.append("b\(loc.line ?? -1):\(reason)")
            }
        }
        XCTAssertEqual(kinds.count, 6, "\(kinds)")
        XCTAssertEqual(kinds.filter { $0.hasPrefix("r") }, ["r1", "r3", "r4"])
        XCTAssertTrue(kinds[1].hasPrefix("b2"), "\(kinds)")
        XCTAssertTrue(kinds.last!.contains("adapter_error"), "\(kinds)")
    }
}
