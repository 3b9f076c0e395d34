import Foundation
import Records
import TestSupport
import Verify
import XCTest

final class ChoiceVerifierTests: XCTestCase {
    let v = ChoiceVerifier()
    let opts = [("A", "Iron deficiency"), ("B", "Folate deficiency"), ("C", "Parvovirus B19 infection"), ("D", "Vitamin B12 deficiency")]
        .map { Reference.Option(key: $0.0, text: $0.1) }

    func testLetterForms() {
        for r in ["C", "(C)", "C.", "C)", "Answer: C", "The answer is C.", "the answer is (C)", "**C**", "**C. Parvovirus B19 infection**",
                  "Final answer: **(C)**", "After weighing everything, the correct answer is option C.", "$\\boxed{C}$",
                  "Parvovirus B19 infection", "The answer is Parvovirus B19 infection.", "C. Parvovirus B19 infection"] {
            let verdict = v.verify(response: r, reference: "C", options: opts)
            XCTAssertTrue(verdict.passed, "\(r): \(verdict)")
            XCTAssertEqual(verdict.extracted, "C", r)
        }
        // Reference given as the option text.
        XCTAssertTrue(v.verify(response: "C", reference: "Parvovirus B19 infection", options: opts).passed)
    }

    func testWrongAndAmbiguous() {
        let wrong = v.verify(response: "The answer is B.", reference: "C", options: opts)
        XCTAssertEqual(wrong.reason, "mismatch")
        XCTAssertEqual(wrong.detail, "\"B\" vs \"C\"")
        let amb = v.verify(response: "The answer is B. On reflection, the answer is C.", reference: "C", options: opts)
        XCTAssertEqual(amb.reason, "ambiguous")
        XCTAssertEqual(v.verify(response: "The answer is A or C", reference: "C", options: opts).reason, "ambiguous")
        XCTAssertEqual(v.verify(response: "I am not sure.", reference: "C", options: opts).reason, "no_answer_found")
        XCTAssertEqual(v.verify(response: "Folate deficiency", reference: "C", options: opts).reason, "mismatch")
        // "a" as an English article is not option A.
        XCTAssertEqual(v.verify(response: "The answer is a viral infection: Parvovirus B19 infection", reference: "C", options: opts).extracted, "C")
    }

    func testPubMedQA() {
        XCTAssertTrue(v.verify(response: "yes", reference: "yes", options: []).passed)
        XCTAssertTrue(v.verify(response: "Yes. Mitochondria play a role.", reference: "yes", options: []).passed)
        XCTAssertTrue(v.verify(response: "The answer is maybe.", reference: "maybe", options: []).passed)
        XCTAssertFalse(v.verify(response: "No, they do not.", reference: "yes", options: []).passed)
    }

    /// Gold answers of every medical file in several surface forms pick the reference
    /// option; a different option in the same forms is rejected.
    func testGoldAnswersOfMedicalFiles() throws {
        for file in ["medqa/test.jsonl", "medqa_5options/test.jsonl", "medmcqa/test.jsonl", "huatuogpt_o1/demo_data.jsonl"] {
            let rows = try MathAgreementTests.rows("data/medical/" + file)
            var checked = 0, skippedText = 0
            for (k, row) in rows.enumerated() {
                let options = try ChoiceVerifier.options(from: row["options"])
                guard let gold = row["answer_idx"]?.stringValue, let text = row["answer"]?.stringValue else {
                    XCTFail("\(file) row \(k) lacks answer_idx/answer"); continue
                }
                // Option texts that are themselves option letters ("A": "B") cannot be told apart
                // from a letter answer; duplicated option texts cannot be resolved by text.
                let textIsLetter = options.contains { $0.key == text.trimmingCharacters(in: .whitespaces) }
                let textIsUnique = options.filter { ChoiceVerifier.canonicalText($0.text) == ChoiceVerifier.canonicalText(text) }.count == 1
                var forms = [gold, "(\(gold))", "Answer: \(gold)", "The answer is \(gold).", "**\(gold)**", "\(gold). \(text)"]
                if !textIsLetter && textIsUnique { forms.append(text) } else { skippedText += 1 }
                for form in forms {
                    let verdict = v.verify(response: form, reference: gold, options: options)
                    XCTAssertTrue(verdict.passed, "\(file) row \(k): \"\(form)\" → \(verdict)")
                }
                if let wrong = options.first(where: { $0.key != gold && ChoiceVerifier.canonicalText($0.text) != ChoiceVerifier.canonicalText(text) }) {
                    var wrongForms = [wrong.key, "The answer is \(wrong.key).", "(\(wrong.key)) \(wrong.text)"]
                    if !options.contains(where: { $0.key == wrong.text }) { wrongForms.append(wrong.text) }
                    for form in wrongForms {
                        let verdict = v.verify(response: form, reference: gold, options: options)
                        XCTAssertFalse(verdict.passed, "\(file) row \(k): wrong \"\(form)\" accepted")
                    }
                }
                checked += 1
            }
            print("\(file): \(checked) rows checked (\(skippedText) without the option-text form)")
        }
        let rows = try MathAgreementTests.rows("data/medical/pubmedqa/pqal.jsonl")
        for (k, row) in rows.enumerated() {
            let gold = row["final_decision"]!.stringValue!
            for form in [gold, gold.capitalized + ".", "The answer is \(gold)."] {
                XCTAssertTrue(v.verify(response: form, reference: gold, options: []).passed, "pubmedqa row \(k) \(form)")
            }
            let wrong = gold == "yes" ? "no" : "yes"
            XCTAssertFalse(v.verify(response: "The answer is \(wrong).", reference: gold, options: []).passed)
        }
    }
}
