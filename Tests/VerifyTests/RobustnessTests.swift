import Foundation
import Records
import TestSupport
import Verify
import XCTest

/// Verifiers never crash on odd input: random LaTeX-ish fragments and real texts of every
/// script (the tokenizer parity corpus) go through every verifier.
final class RobustnessTests: XCTestCase {
    static let pieces = ["\\boxed{", "\\fbox", "}", "{", "\\frac", "\\sqrt[", "]", "(", ")", "[", "\\left", "\\right", "^", "_",
                         "1", "23", ".5", "-", "+", "*", "/", "=", ",", "\\{", "\\}", "\\pi", "x", "\\text{", "cm", " ", "$",
                         "####", "the answer is", "A:", "\\begin{pmatrix}", "\\\\", "&", "\\end{pmatrix}", "%", "^\\circ", "!",
                         "\\in", "\\cup", "\\infty", "é", "数", "\n", "\\", "{,}", "<tool_call>", "</tool_call>", "[f(a=", "'", "\""]

    func testRandomFragmentsDoNotCrash() {
        var state: UInt64 = 12345
        func next() -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % 1_000_000)
        }
        let math = MathVerifier(), choice = ChoiceVerifier(), tools = ToolCallVerifier()
        let opts = ["A", "B", "C"].map { Reference.Option(key: $0, text: "option \($0)") }
        for _ in 0..<10_000 {
            let n = 1 + next() % 12
            let s = (0..<n).map { _ in Self.pieces[next() % Self.pieces.count] }.joined()
            let r = (0..<(1 + next() % 4)).map { _ in Self.pieces[next() % Self.pieces.count] }.joined()
            _ = math.verify(response: s, reference: r)
            _ = math.equivalent(s, r)
            _ = choice.verify(response: s, reference: "B", options: opts)
            if let calls = try? ToolCallParser.calls(fromText: s) { _ = tools.verify(calls: calls, functions: []) }
        }
    }

    func testRealTextsOfAllScriptsDoNotCrash() throws {
        let url = try SharedData.require("data/tokenizer-parity/qwen3.jsonl")
        let math = MathVerifier(), choice = ChoiceVerifier()
        var n = 0
        for line in try Data(contentsOf: url).split(separator: 10) {
            guard let text = try JSONParser.parse(Array(line))["text"]?.stringValue else { continue }
            _ = math.verify(response: text, reference: "42")
            _ = choice.verify(response: text, reference: "yes", options: [])
            _ = try? ToolCallParser.calls(fromText: text)
            n += 1
        }
        XCTAssertGreaterThan(n, 1000)
    }
}
