import Records
import Verify
import XCTest

/// The one verifier dispatch: the pipeline's (by a record's reference) and `eaft check`'s (by
/// `--kind`, on JSON rows) pick the same verifier and give the same verdict.
final class VerifierSetTests: XCTestCase {
    let set = VerifierSet()

    func record(_ domain: Domain, response: String, reference: Reference?) -> Record {
        var r = Record(id: "r", source: "s", domain: domain,
                       messages: [Message(role: .user, content: "q"), Message(role: .assistant, content: response)])
        r.reference = reference
        return r
    }

    func testRecordAndRowDispatchAgree() throws {
        let cases: [(Record, JSONValue, VerifierSet.Kind)] = [
            (record(.math, response: "so \\boxed{42}", reference: Reference(kind: .answer, answer: "42")),
             ["response": "so \\boxed{42}", "reference": "42"], .math),
            (record(.math, response: "it is 7", reference: Reference(kind: .answer, answer: "#### 8")),
             ["response": "it is 7", "reference": "#### 8"], .math),
            (record(.medical, response: "Answer: B", reference: Reference(kind: .choice, choice: "B")),
             ["response": "Answer: B", "reference": "B"], .choice),
        ]
        for (r, row, kind) in cases {
            XCTAssertEqual(VerifierSet.Kind(r.reference!.kind), kind)
            let byRecord = set.verify(r, kind: kind)
            XCTAssertEqual(byRecord, try set.verify(row: row, kind: kind))
            let (verdict, reason) = set.verify(r)
            XCTAssertEqual(verdict, byRecord.passed ? "correct" : "incorrect")
            XCTAssertEqual(reason, byRecord.description)
        }
    }

    func testUnverifiableRecords() {
        XCTAssertEqual(set.verify(record(.math, response: "x", reference: nil)).verdict, "unverifiable")
        let medical = record(.medical, response: "aspirin", reference: Reference(kind: .answer, answer: "aspirin"))
        XCTAssertEqual(set.verify(medical).verdict, "unverifiable")
        var graded = set
        graded.mathDomains = ["math", "medical"]
        XCTAssertEqual(graded.verify(medical).verdict, "incorrect")
    }

    func testCheckJSONLWritesOneVerdictPerLine() throws {
        var lines: [[UInt8]] = [#"{"response": "\\boxed{3}", "reference": 3}"#, "", "not json", #"{"reference": 1}"#].map { Array($0.utf8) }
        lines.reverse()
        var out: [UInt8] = []
        let s = try CheckJSONL(kind: .math, verifiers: set).run(next: { lines.popLast() }, inputName: "in.jsonl") { out += $0 }
        let rows = String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows[0], #"{"verdict":true,"reason":"extracted: via boxed","extracted":"3"}"#)
        XCTAssertTrue(rows[1].contains("bad_input: in.jsonl:2: blank line"), rows[1])
        XCTAssertTrue(rows[3].contains("bad_input: in.jsonl:4: missing string field 'response'"), rows[3])
        XCTAssertEqual(s.line, "{\"lines\": 4, \"passed\": 1, \"failed\": 3, \"bad_input\": 3}\n")
    }
}
