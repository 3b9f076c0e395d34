import Records
import TestSupport
import Verify
import XCTest

final class MathVerifierTests: XCTestCase {
    let v = MathVerifier()

    func assertEq(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(v.equivalent(a, b), "expected \"\(a)\" ≡ \"\(b)\" (normalised \"\(MathNormalizer.normalize(a))\" vs \"\(MathNormalizer.normalize(b))\")", file: file, line: line)
    }
    func assertNe(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(v.equivalent(a, b), "expected \"\(a)\" ≢ \"\(b)\"", file: file, line: line)
    }

    func testExtraction() {
        let ex = AnswerExtractor()
        XCTAssertEqual(ex.extract("so \\boxed{\\frac{1}{2}} and finally \\boxed{\\frac{a}{\\sqrt{b^{2}}}}.")?.answer, "\\frac{a}{\\sqrt{b^{2}}}")
        XCTAssertEqual(ex.extract("answer \\fbox{42}")?.answer, "42")
        XCTAssertEqual(ex.extract("$\\boxed 7$")?.answer, "7")
        XCTAssertEqual(ex.extract("Natalia sold 48/2 = <<48/2=24>>24 clips.\n#### 72")?.answer, "72")
        XCTAssertEqual(ex.extract("Thus the answer is $\\frac{3}{4}$. Done")?.answer, "\\frac{3}{4}")
        XCTAssertEqual(ex.extract("The final answer is 18 dollars.\nHope it helps")?.answer, "18 dollars")
        XCTAssertEqual(ex.extract("work\nA: 26")?.answer, "26")
        XCTAssertEqual(ex.extract("so we get 12 then 1,000 apples")?.answer, "1,000")
        XCTAssertEqual(ex.extract("so we get 12 then 1,000 apples")?.method, .lastNumber)
        XCTAssertNil(AnswerExtractor(lastNumberFallback: false).extract("so we get 12 apples"))
        XCTAssertNil(ex.extract("no digits here"))
    }

    func testPhrasesListsAndChains() {
        let ex = AnswerExtractor()
        XCTAssertEqual(ex.extract("The answer is $48$, $384$.")?.answer, "$48$, $384$")
        XCTAssertEqual(ex.extract("So the answer is $\\$ 3040$. Bye")?.answer, "\\$ 3040")
        XCTAssertEqual(ex.extract("The answer is 12, which is even.")?.answer, "12")
        // the later of "answer is" and an "Answer:" line wins
        XCTAssertEqual(ex.extract("the answer is the units digit of x.\nFinal answer: 5")?.answer, "5")
        // numbers glued to words are not answers ("-sepehr2010")
        XCTAssertEqual(ex.extract("so 180 + 24 = 204. -sepehr2010")?.answer, "204")
        assertEq("$48$, $384$", "384, 48")
        assertNe("$48$, $384$", "48384")
        assertEq("$5$ or $9$", "9, 5")
        assertEq("2^{5}=32", "32")
        XCTAssertFalse(v.verify(response: "The answer is $1.76 \\times 10^{-10}$.", reference: "25x^{2}-1=0").passed)
        assertNe("1.76 \\times 10^{-10}", "0")
        assertEq("\\sin(\\pi)", "0")
        assertEq("32,\\!348", "32348")
        assertEq("10\\,000", "10000")
        assertEq("2,365,200,000 beats/lifetime", "2365200000")
        XCTAssertTrue(v.verify(response: "The answer is $\\$ 3040$.", reference: "3040").passed)
    }

    func testVerdictReasons() {
        let ok = v.verify(response: "... so \\boxed{18}", reference: "18")
        XCTAssertTrue(ok.passed)
        XCTAssertEqual(ok.reason, "extracted")
        XCTAssertEqual(ok.extracted, "18")
        let bad = v.verify(response: "... so \\boxed{17}", reference: "#### 18")
        XCTAssertFalse(bad.passed)
        XCTAssertEqual(bad.reason, "mismatch")
        XCTAssertEqual(bad.detail, "\"17\" vs \"18\"")
        XCTAssertEqual(bad.extracted, "17")
        let none = v.verify(response: "I do not know", reference: "3")
        XCTAssertEqual(none.reason, "no_answer_found")
        XCTAssertNil(none.extracted)
        XCTAssertEqual(v.verify(response: "x", reference: "\\boxed{5}").reason, "no_answer_found")
    }

    func testFractionsAndRadicals() {
        assertEq("\\frac12", "0.5")
        assertEq("\\dfrac{3}{4}", "\\tfrac34")
        assertEq("3/4", "0.75")
        assertEq("\\frac{6}{8}", "\\frac{3}{4}")
        assertEq("1\\frac{1}{4}", "\\frac{5}{4}")  // mixed number
        assertEq("2\\sqrt{2}", "\\sqrt{8}")
        assertEq("\\sqrt2", "1.41421356237")
        assertEq("\\sqrt[3]{27}", "3")
        assertEq("\\frac{\\sqrt{3}}{2}", "\\frac{1}{2}\\sqrt{3}")
        assertNe("\\frac{3}{8}", "\\frac{5}{16}")
        assertNe("\\frac{1}{3}", "0.333")
        assertEq("8.333333333333334", "\\frac{25}{3}")
        assertNe("10000000000000001", "10000000000000000")  // exact rationals, no float rounding
    }

    func testNumbersUnitsAndFormatting() {
        assertEq("10{,}000", "10000")
        assertEq("1,234,567", "1234567")
        assertEq("\\$32,\\!348", "32348")
        assertEq("\\$18.90", "18.9")
        assertEq("18.00", "18")
        assertEq("25\\%", "25")
        assertEq("30^\\circ", "30")
        assertEq("30^{\\circ}", "30°")
        assertEq("5 \\text{ cm}^2", "5")
        assertEq("10 \\mbox{ dollars}", "10")
        assertEq("12 \\mathrm{inches}", "12")
        assertEq("x = 3", "3")
        assertEq("-.5", "-\\frac{1}{2}")
        assertEq("\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\frac{\\pi}{2})")
        assertEq("7\\pi", "\\pi \\cdot 7")
        assertEq("2\\times 3", "6")
        assertEq("2^{10}", "1024")
        assertEq("5!", "120")
        assertNe("6287000", "6290000")
        assertNe("40", "140")
    }

    func testStructures() {
        assertEq("(1, 2]", "\\left(1,2\\right]")
        assertNe("(1, 2]", "[1, 2]")
        assertEq("(-\\infty, 3) \\cup (5, \\infty)", "(5,\\infty)\\cup(-\\infty,3)")
        assertEq("\\{1, 2, 3\\}", "\\{3, 1, 2\\}")
        assertEq("-2, 1", "1, -2")
        assertEq("(1, 2)", "(1, 2.0)")
        assertNe("(1, 2)", "(2, 1)")
        assertEq("\\begin{pmatrix} 1 \\\\ -\\frac{1}{2} \\end{pmatrix}", "\\begin{pmatrix}1\\\\-0.5\\end{pmatrix}")
        assertNe("\\begin{pmatrix} 1 & 2 \\end{pmatrix}", "\\begin{pmatrix} 2 & 1 \\end{pmatrix}")
    }

    func testSymbolicLite() {
        assertEq("4a-2", "-2+4a")
        assertEq("\\frac{x+2}{7}", "\\frac{x}{7}+\\frac{2}{7}")
        assertEq("x^2+2x+1", "(x+1)^2")
        assertNe("x^2+2x+1", "(x-1)^2")
        assertNe("4t", "4s")
        assertEq("y = 2x + 3", "y - 2x = 3")
        assertEq("\\sin^2 x + \\cos^2 x", "1")
    }

    func testTextAnswers() {
        assertEq("\\text{(C)}", "C")
        assertEq("\\text{Monday}", "monday")
        assertNe("\\text{Monday}", "Tuesday")
    }

    func testRational() {
        XCTAssertEqual(Rational(6, -8), Rational(-3, 4))
        XCTAssertEqual(Rational(decimal: "-3.250"), Rational(-13, 4))
        XCTAssertNil(Rational(1, 0))
        XCTAssertNil(Rational(Int64.max, 1)! * Rational(2, 1)!)  // overflow → nil, no trap
        XCTAssertEqual((Rational(1, 3)! + Rational(1, 6)!), Rational(1, 2))
        XCTAssertEqual(Rational(2)!.power(-2), Rational(1, 4))
    }

    func testRecordAPI() {
        let r = Record(id: "1", source: "t", domain: .math,
                       messages: [Message(role: .user, content: "q"), Message(role: .assistant, content: "so \\boxed{4}")],
                       reference: .answer("4"))
        XCTAssertTrue(v.verify(r).passed)
        var r2 = r
        r2.reference = nil
        XCTAssertEqual(v.verify(r2).reason, "no_reference")
    }
}
