import Foundation
import Records
import TestSupport
import Verify
import XCTest

/// Agreement of `MathVerifier` with dataset labels and with Math-Verify 0.9.0's verdicts
/// (committed in Tests/Fixtures/verify/math_verify_verdicts.json by
/// scripts/verify_math_agreement.py). Thresholds: ≥ 99% each.
final class MathAgreementTests: XCTestCase {
    static func rows(_ relative: String) throws -> [JSONValue] {
        let url = try SharedData.require(relative)
        return try Data(contentsOf: url).split(separator: 10).map { try JSONParser.parse(Array($0)) }
    }

    static func mathVerifyVerdicts(_ dataset: String) throws -> [Bool] {
        let url = SharedData.repo("Tests/Fixtures/verify/math_verify_verdicts.json")
        let v = try JSONParser.parse(Data(contentsOf: url))
        guard let s = v["verdicts"]?[dataset]?.stringValue else { throw XCTSkip("no Math-Verify verdicts for \(dataset)") }
        return s.map { $0 == "1" }
    }

    func check(_ name: String, pairs: [(String, String)], labels: [Bool], file: StaticString = #filePath, line: UInt = #line) throws {
        let v = MathVerifier()
        let ours = pairs.map { v.verify(response: $0.0, reference: $0.1).passed }
        let mv = try Self.mathVerifyVerdicts(name)
        XCTAssertEqual(mv.count, ours.count, "fixture out of date: rerun scripts/verify_math_agreement.py", file: file, line: line)
        let n = Double(ours.count)
        let withLabels = Double(zip(ours, labels).filter { $0 == $1 }.count) / n
        let withMV = Double(zip(ours, mv).filter { $0 == $1 }.count) / n
        print("\(name): agreement with labels \(withLabels), with Math-Verify \(withMV) over \(ours.count) rows")
        for (k, (o, l)) in zip(ours, labels).enumerated() where o != l {
            print("  row \(k): eaft \(o), label \(l), reference \(pairs[k].1)")
        }
        XCTAssertGreaterThanOrEqual(withLabels, 0.99, name, file: file, line: line)
        XCTAssertGreaterThanOrEqual(withMV, 0.99, name, file: file, line: line)
    }

    func testGSM8KLabelledSolutions() throws {
        let rows = try Self.rows("data/math/gsm8k/labelled_solutions_flat.jsonl")
        try check("gsm8k labelled_solutions_flat",
                  pairs: rows.map { ($0["solution"]?.stringValue ?? "", $0["ground_truth_answer"]?.stringValue ?? "") },
                  labels: rows.map { $0["is_correct"]?.boolValue ?? false })
    }

    func testQwenMathCoT100() throws {
        let rows = try Self.rows("data/math/qwen25_math_labelled/math_cot_100_flat.jsonl")
        try check("qwen25 math_cot_100_flat",
                  pairs: rows.map { ($0["response"]?.stringValue ?? "", $0["gt_answer"]?.stringValue ?? "") },
                  labels: rows.map { $0["score"]?.boolValue ?? false })
    }

    func testMATH500SolutionsMatchAnswers() throws {
        let rows = try Self.rows("data/math/math500/test.jsonl")
        try check("math500 solution vs answer",
                  pairs: rows.map { ($0["solution"]?.stringValue ?? "", $0["answer"]?.stringValue ?? "") },
                  labels: rows.map { _ in true })
        // And no false positives against another problem's answer.
        let n = rows.count
        let shifted = (0..<n).map { (rows[$0]["solution"]?.stringValue ?? "", rows[($0 + 7) % n]["answer"]?.stringValue ?? "") }
        let labels = (0..<n).map {
            rows[$0]["answer"]?.stringValue?.trimmingCharacters(in: .whitespaces) == rows[($0 + 7) % n]["answer"]?.stringValue?.trimmingCharacters(in: .whitespaces)
        }
        try check("math500 solution vs other row's answer", pairs: shifted, labels: labels)
    }
}
