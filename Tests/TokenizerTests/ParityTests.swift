import Foundation
import Records
import TestSupport
import XCTest
import Tokenizer

/// Exact id equality with HF tokenizers 0.23.3 on the shared parity goldens and the llama.cpp vectors.
final class ParityTests: XCTestCase {
    static var cache: [String: Tokenizer] = [:]

    static func tokenizer(_ name: String) throws -> Tokenizer {
        if let t = cache[name] { return t }
        let url = try SharedData.require("tokenizers/\(name)/tokenizer.json")
        let t = try Tokenizer.load(path: url.path)
        cache[name] = t
        return t
    }

    func checkParity(_ name: String) throws {
        let tok = try Self.tokenizer(name)
        let url = try SharedData.require("data/tokenizer-parity/\(name).jsonl")
        let data = try Data(contentsOf: url)
        var lines = 0, bad = 0, roundTripBad = 0
        for (k, line) in data.split(separator: 0x0A).enumerated() {
            let v = try JSONParser.parse(Data(line))
            guard let text = v["text"]?.stringValue, let ids = v["ids"]?.arrayValue else {
                XCTFail("\(name):\(k + 1): missing text/ids"); continue
            }
            let want = ids.map { Int32($0.intValue!) }
            let got = tok.encode(text)
            lines += 1
            if got != want {
                bad += 1
                if bad <= 5 {
                    let i = (0..<min(got.count, want.count)).first { got[$0] != want[$0] } ?? min(got.count, want.count)
                    XCTFail("\(name):\(k + 1): first difference at token \(i): got \(Array(got[i..<min(i + 6, got.count)])) want \(Array(want[i..<min(i + 6, want.count)])) text \(String(text.prefix(120)).debugDescription)")
                }
            }
            let expectedText = tok.normalizesNFC ? UnicodeNFC.normalize(text) : text
            let dec = tok.decode(want)
            if Array(dec.utf8) != Array(expectedText.utf8) {
                roundTripBad += 1
                if roundTripBad <= 3 { XCTFail("\(name):\(k + 1): decode(ids) != text: \(String(text.prefix(80)).debugDescription)") }
            }
        }
        XCTAssertEqual(lines, 1982)
        XCTAssertEqual(bad, 0, "\(name): \(bad) of \(lines) lines differ")
        XCTAssertEqual(roundTripBad, 0, "\(name): \(roundTripBad) of \(lines) lines do not round-trip")
        print("parity \(name): \(lines - bad)/\(lines) lines exact")
    }

    func testParityGPT2() throws { try checkParity("gpt2") }
    func testParityQwen25() throws { try checkParity("qwen2.5") }
    func testParityQwen3() throws { try checkParity("qwen3") }
    func testParityLlama3() throws { try checkParity("llama3") }

    func checkVectors(_ vocab: String, _ names: [String]) throws {
        let dir = try SharedData.require("data/tokenizer-vectors/llama.cpp")
        let inp = try String(contentsOf: dir.appendingPathComponent("ggml-vocab-\(vocab).gguf.inp"), encoding: .utf8)
        let out = try String(contentsOf: dir.appendingPathComponent("ggml-vocab-\(vocab).gguf.out"), encoding: .utf8)
        var cases = inp.components(separatedBy: "\n__ggml_vocab_test__\n")
        if cases.last == "" { cases.removeLast() }
        let expected = out.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.split(separator: " ").map { Int32($0)! }
        }
        XCTAssertGreaterThanOrEqual(expected.count, cases.count)
        for name in names {
            let tok = try Self.tokenizer(name)
            for (k, text) in cases.enumerated() {
                XCTAssertEqual(tok.encode(text), expected[k], "\(name) vector \(k): \(text.debugDescription)")
            }
        }
        print("llama.cpp vectors \(vocab): \(cases.count) cases × \(names)")
    }

    func testLlamaCppVectors() throws {
        try checkVectors("gpt-2", ["gpt2"])
        try checkVectors("qwen2", ["qwen2.5", "qwen3"])
        try checkVectors("llama-bpe", ["llama3"])
    }
}
