import Foundation
import Records
import TestSupport
import Tokenizer
import XCTest

/// HF `Digits(individual_digits=true)` / `Split(\p{N}, Isolated)` before the GPT-2 ByteLevel
/// split (llama.cpp's `smollm` / `starcoder` pre-tokenizers): the ids must equal the plain
/// GPT-2 tokenizer run on each digit-split piece separately.
final class DigitsPreTokenizerTests: XCTestCase {
    func withDigits(_ pre: JSONValue) throws -> Tokenizer {
        let url = SharedData.repo("Tests/Fixtures/tokenizer/tiny/gpt2.json")
        guard case .object(var obj) = try JSONParser.parse(Data(contentsOf: url)) else { throw XCTSkip("fixture") }
        obj["pre_tokenizer"] = ["type": "Sequence", "pretokenizers": [pre, ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]]]
        var bytes: [UInt8] = []
        JSONWriter().write(.object(obj), into: &bytes)
        return try Tokenizer.load(jsonBytes: bytes)
    }

    /// Pieces of `\p{N}` Isolated: each number scalar alone, the runs between.
    static func pieces(_ s: String) -> [String] {
        var out: [String] = [], cur = ""
        for u in s.unicodeScalars {
            switch u.properties.generalCategory {
            case .decimalNumber, .letterNumber, .otherNumber:
                if !cur.isEmpty { out.append(cur); cur = "" }
                out.append(String(u))
            default: cur.unicodeScalars.append(u)
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    func testDigitsFirstEqualsGPT2OnPieces() throws {
        let plain = try Tokenizer.load(path: SharedData.repo("Tests/Fixtures/tokenizer/tiny/gpt2.json").path)
        let a = try withDigits(["type": "Digits", "individual_digits": true])
        let b = try withDigits(["type": "Split", "pattern": ["Regex": #"\p{N}"#], "behavior": "Isolated", "invert": false])
        let texts = ["abc 123 def", "  1", "x  12\t3\n 45", "٣٤ and ½ and ① 三", "2024-01-01T10:00", "no digits here", "9"]
        for t in texts {
            let want = Self.pieces(t).flatMap { plain.encode($0) }
            XCTAssertEqual(a.encode(t), want, t)
            XCTAssertEqual(b.encode(t), want, t)
        }
        let changed = texts.filter { a.encode($0) != plain.encode($0) }
        XCTAssertFalse(changed.isEmpty, "the digit split must change some ids")
        XCTAssertThrowsError(try withDigits(["type": "Digits", "individual_digits": false]))
    }
}
