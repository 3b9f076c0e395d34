import Foundation
import Records
import TestSupport
import XCTest
import Tokenizer

/// Core behaviour on committed fixtures (no ../shared needed): HF tokenizers goldens for four small
/// tokenizers (scripts/tokenizer_tiny_fixtures.py), BPE twins, hashing, batching, errors, training.
final class TinyFixtureTests: XCTestCase {
    static let dir = SharedData.repo("Tests/Fixtures/tokenizer/tiny")

    static func tiny(_ name: String) throws -> Tokenizer {
        try Tokenizer.load(path: dir.appendingPathComponent("\(name).json").path)
    }

    func testTinyGoldens() throws {
        let data = try Data(contentsOf: Self.dir.appendingPathComponent("tiny_goldens.jsonl"))
        var toks: [String: Tokenizer] = [:]
        var n = 0
        var perVariant: [String: Int] = [:]
        for line in data.split(separator: 0x0A) {
            let v = try JSONParser.parse(Data(line))
            let name = v["variant"]!.stringValue!
            if toks[name] == nil { toks[name] = try Self.tiny(name) }
            let tok = toks[name]!
            let text = v["text"]!.stringValue!
            let ids = v["ids"]!.arrayValue!.map { Int32($0.intValue!) }
            let idsSpecial = v["ids_special"]!.arrayValue!.map { Int32($0.intValue!) }
            let label = "\(name): \(String(text.prefix(60)).debugDescription)"
            XCTAssertEqual(tok.encode(text), ids, label)
            XCTAssertEqual(tok.encode(text, addSpecialTokens: true), idsSpecial, label)
            XCTAssertEqual(Array(tok.decode(ids).utf8), Array(v["decoded"]!.stringValue!.utf8), label)
            XCTAssertEqual(Array(tok.decode(ids, skipSpecialTokens: true).utf8), Array(v["decoded_skip"]!.stringValue!.utf8), label)
            n += 1
            perVariant[name, default: 0] += 1
        }
        XCTAssertEqual(Set(perVariant.keys), ["qwen", "llama3", "gpt2", "flags"])
        XCTAssertGreaterThan(n, 400)
    }

    func testAddedTokenFlags() throws {
        let tok = try Self.tiny("flags")
        let mask = tok.id(of: "[MASK]")!, sep = tok.id(of: "<sep>")!
        // lstrip swallows the space before; single_word refuses a match glued to letters.
        XCTAssertEqual(tok.encode("a [MASK]").last, mask)
        XCTAssertFalse(tok.encode("foo[MASK]bar").contains(mask))
        // lstrip + rstrip: the spaces around <sep> belong to the token.
        XCTAssertEqual(tok.encode("  <sep>  "), [sep])
        XCTAssertFalse(tok.addedToken(id: sep)!.special)
        XCTAssertEqual(tok.decode(tok.encode("x <sep> y"), skipSpecialTokens: true), "x<sep>y")
    }

    func testVocabLookups() throws {
        let tok = try Self.tiny("qwen")
        XCTAssertEqual(tok.vocabSize, 600)
        XCTAssertEqual(tok.id(of: "<|im_end|>"), 2)
        XCTAssertEqual(tok.id(of: "Ġ"), tok.encode(" ").first)
        for id in Int32(0)..<Int32(600) {
            let s = tok.token(of: id)!
            XCTAssertEqual(tok.id(of: s), id, s)
        }
        XCTAssertNil(tok.id(of: "no such token at all"))
    }

    func testHeapAndArrayMergeAgreeWithNaive() throws {
        let tok = try Self.tiny("qwen")
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("aeinrst ".utf8) + Array("the".utf8)
        for len in [2, 3, 10, 63, 64, 65, 200, 1000] {
            for _ in 0..<5 {
                let bytes = (0..<len).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }
                let (fast, naive) = tok.mergeTwins(bytes)
                XCTAssertEqual(fast, naive, "len \(len)")
            }
        }
    }

    func testSHA256() {
        XCTAssertEqual(Tokenizer.sha256Hex(Array("".utf8)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Tokenizer.sha256Hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Tokenizer.sha256Hex(Array(String(repeating: "a", count: 1000).utf8)),
                       "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    func testBatchIsDeterministicAndOrdered() throws {
        let tok = try Self.tiny("qwen")
        let texts = (0..<500).map { "line \($0): " + String(repeating: "héllo wörld ", count: $0 % 17) }
        let seq = texts.map { tok.encode($0) }
        XCTAssertEqual(tok.encodeBatch(texts, threads: 1), seq)
        XCTAssertEqual(tok.encodeBatch(texts, threads: 2), seq)
        XCTAssertEqual(tok.encodeBatch(texts, threads: 7), seq)
        XCTAssertEqual(tok.encodeBatch([], threads: 2), [])
    }

    func testOffsetsCoverText() throws {
        let tok = try Self.tiny("qwen")
        for text in ["", "abc", "nai\u{308}ve <|im_end|> cafe\u{301}!", "<|im_start|>x\n\ny<|im_end|>"] {
            let (ids, ends) = tok.encodeWithOffsets(text)
            XCTAssertEqual(ids, tok.encode(text))
            XCTAssertEqual(ends.count, ids.count)
            XCTAssertEqual(ends.last ?? 0, text.utf8.count)
            XCTAssertEqual(ends, ends.sorted())
        }
    }

    func testUnsupportedComponentsAreNamed() throws {
        let base = try String(contentsOf: Self.dir.appendingPathComponent("qwen.json"), encoding: .utf8)
        func expectError(_ from: String, _ to: String, mentions: String) {
            let edited = base.replacingOccurrences(of: from, with: to)
            XCTAssertTrue(edited != base, "edit \(from) did not apply")
            XCTAssertThrowsError(try Tokenizer.load(jsonBytes: Array(edited.utf8))) { e in
                XCTAssertTrue("\(e)".contains(mentions), "\(e)")
            }
        }
        expectError(#"{"type": "NFC"}"#, #"{"type": "NFKC"}"#, mentions: "NFKC")
        expectError(#""behavior": "Isolated""#, #""behavior": "Removed""#, mentions: "Removed")
        expectError(#""byte_fallback": false"#, #""byte_fallback": true"#, mentions: "byte_fallback")
        expectError(#""type": "BPE""#, #""type": "WordPiece""#, mentions: "WordPiece")
        expectError(#""end_of_word_suffix": null"#, #""end_of_word_suffix": "</w>""#, mentions: "end_of_word_suffix")
        expectError(#""truncation": null"#, #""truncation": {"max_length": 5}"#, mentions: "truncation")
        expectError(#""decoder": {"type": "ByteLevel""#, #""decoder": {"type": "Metaspace""#, mentions: "Metaspace")
        expectError(#"(?i:'s"#, #"(?i:'z"#, mentions: "regex")
        expectError(#"{"id": 2, "content": "<|im_end|>""#, #"{"id": 2000000000, "content": "<|im_end|>""#, mentions: "outside")
        expectError(#""<|im_end|>": 2,"#, #""<|im_end|>": 99999999999,"#, mentions: "vocab id")
        XCTAssertThrowsError(try Tokenizer.load(jsonBytes: Array(base.prefix(5000).utf8)))
        XCTAssertThrowsError(try Tokenizer.load(path: "/nonexistent/tokenizer.json"))
    }

    func testTrainerIsDeterministicAndRoundTrips() throws {
        var corpus: [String] = []
        for i in 0..<300 {
            corpus.append("The quick brown fox \(i) jumps over the lazy dog. Ça coûte 12,50 €! 你好世界 <|im_end|>\n")
            corpus.append("def f\(i)(x):\n    return x * \(i) + 'don''t'\n")
        }
        func train() throws -> String {
            var t = try BPETrainer(config: .init(vocabSize: 400, specialTokens: ["<|endoftext|>", "<|im_end|>"]))
            for c in corpus { t.feed(c) }
            return t.train().json
        }
        let a = try train(), b = try train()
        XCTAssertEqual(a, b)
        let tok = try Tokenizer.load(jsonBytes: Array(a.utf8))
        XCTAssertGreaterThan(tok.vocabSize, 300)  // min frequency 2 may stop before 400 on this small corpus
        XCTAssertLessThanOrEqual(tok.vocabSize, 400)
        XCTAssertEqual(tok.id(of: "<|im_end|>"), 1)
        for c in corpus.prefix(20) + ["unseen wörds 999 e\u{301}"] {
            let ids = tok.encode(c)
            XCTAssertEqual(tok.decode(ids), UnicodeNFC.normalize(c))
        }
        // Frequent words became single tokens; special tokens were not split into merges.
        XCTAssertEqual(tok.encode(" quick").count, 1)
        XCTAssertEqual(tok.encode("<|im_end|>"), [1])
    }
}

/// NFC against Python unicodedata goldens, and the quick check never skips text NFC would change.
final class NFCQuickCheckTests: XCTestCase {
    func testQuickCheckIsConservative() {
        // Every BMP scalar alone and after a base letter; plus astral samples.
        var changedButSkipped: [UInt32] = []
        var scalars: [UInt32] = Array(0x20..<0xD800) + Array(0xE000..<0x10000)
        scalars += [0x1D15E, 0x1D1BB, 0x2F800, 0x2FA1D, 0x110BA, 0x1F600, 0x20000, 0x16FF0]
        for v in scalars {
            guard let s = Unicode.Scalar(v) else { continue }
            for text in [String(Character(s)), "a" + String(Character(s)), "\u{1100}" + String(Character(s))] {
                let skipped = !UnicodeNFC.mayChange(text)
                let nfc = UnicodeNFC.normalize(text)
                if skipped && Array(nfc.utf8) != Array(text.utf8) {
                    changedButSkipped.append(v)
                }
            }
        }
        XCTAssertEqual(changedButSkipped, [], "scalars NFC changes but the quick check skips")
        XCTAssertFalse(UnicodeNFC.mayChange("plain ascii text – with “quotes” and 中文"))
    }
}

final class NFCGoldenTests: XCTestCase {
    func testMatchesPythonUnicodedata() throws {
        let data = try Data(contentsOf: SharedData.repo("Tests/Fixtures/tokenizer/nfc_goldens.jsonl"))
        var n = 0
        for line in data.split(separator: 0x0A) {
            let v = try JSONParser.parse(Data(line))
            let text = v["text"]!.stringValue!
            let want = v["nfc"]!.stringValue!
            let got = UnicodeNFC.normalize(text)
            XCTAssertEqual(got.unicodeScalars.map(\.value), want.unicodeScalars.map(\.value),
                           "NFC(\(text.unicodeScalars.map { String($0.value, radix: 16) }))")
            n += 1
        }
        XCTAssertGreaterThan(n, 400)
    }

    /// Issue 17: `tokenizer error at : cannot read file` had an empty path.
    func testEmptyAndMissingPathsAreNamed() {
        XCTAssertThrowsError(try Tokenizer.load(path: "")) { XCTAssertTrue("\($0)".contains("empty path"), "\($0)") }
        XCTAssertThrowsError(try Tokenizer.load(path: "/nonexistent/tok.json")) { XCTAssertTrue("\($0)".contains("/nonexistent/tok.json"), "\($0)") }
    }
}
