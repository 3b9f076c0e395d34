import DataIO
import Foundation
import Records
import TestSupport
import XCTest

/// Compares the reader's verdict on every line of Tests/Fixtures/ingest/mixed.jsonl(.gz) with
/// Python's `json.loads` (mixed.expected.jsonl, written by scripts/make_ingest_fixtures.py).
final class JSONLFixtureTests: XCTestCase {
    /// Python-semantics equality: numbers compared as doubles when either side is not an
    /// Int64 (Python keeps big integers exact; JSONValue widens them to Double), NaN equals
    /// NaN, and duplicate object keys resolve to the last value as in a Python dict.
    func same(_ e: JSONValue, _ a: JSONValue) -> Bool {
        switch (e, a) {
        case (.object(let eo), .object(let ao)):
            guard Set(eo.keys) == Set(ao.keys) else { return false }
            return eo.keys.allSatisfy { same(eo[$0]!, ao[$0]!) }
        case (.array(let ea), .array(let aa)):
            return ea.count == aa.count && zip(ea, aa).allSatisfy { same($0, $1) }
        default:
            if let x = e.doubleValue, let y = a.doubleValue {
                if x.isNaN && y.isNaN { return true }
                if case .int(let i) = e, case .int(let j) = a { return i == j }
                return x == y
            }
            return e == a
        }
    }

    func testAgreesWithPythonJSON() throws {
        let expected = try String(contentsOf: SharedData.repo("Tests/Fixtures/ingest/mixed.expected.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONParser.parse(String($0)) }
        for name in ["mixed.jsonl", "mixed.jsonl.gz"] {
            let r = try JSONLTest.readAll(SharedData.repo("Tests/Fixtures/ingest/\(name)").path)
            XCTAssertNil(r.error)
            var rowsByLine: [Int: JSONValue] = [:]
            for (v, l) in zip(r.rows, r.locs) { rowsByLine[l.line!] = v }
            let badLines = Set(r.bad.map { $0.location.line! })
            var blank = 0
            for e in expected {
                let line = Int(e["line"]!.intValue!)
                switch e["kind"]!.stringValue! {
                case "row":
                    guard let got = rowsByLine[line] else { XCTFail("\(name):\(line) should be a row"); continue }
                    XCTAssertTrue(same(e["value"]!, got), "\(name):\(line): \(got) vs python \(e["value"]!)")
                case "bad": XCTAssertTrue(badLines.contains(line), "\(name):\(line) should be rejected")
                default: blank += 1
                }
            }
            XCTAssertEqual(r.stats.blankLines, blank)
            XCTAssertEqual(r.rows.count + r.bad.count + blank, expected.count)
            XCTAssertEqual(Set(r.bad.map(\.reason)), [.invalidJSON, .invalidUTF8, .notObject])
        }
    }
}
