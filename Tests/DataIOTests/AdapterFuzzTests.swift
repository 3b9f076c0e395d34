import DataIO
import Foundation
import Records
import TestSupport
import XCTest

/// Seeded mutation fuzzing: real rows with random values replaced by values of other types,
/// keys removed, and strings cut. Every adapter must return a record or throw a located
/// `DataIOError` — never trap. Also fuzzes `PythonCall.parse` and `AnswerText.lastBoxed`.
final class AdapterFuzzTests: XCTestCase {
    struct RNG: RandomNumberGenerator {
        var s: UInt64
        mutating func next() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let junk: [JSONValue] = [.null, true, 0, -1, 7, 2.5, "", "x", "#### 5", "\\boxed{", [], [1, "a"], ["A": "t"], [["role": "user"]],
                                    [[["role": "user", "content": "hi"]]], "{\"name\": 1}", "[{\"name\":\"f\"}]"]

    func mutate(_ v: JSONValue, _ rng: inout RNG, depth: Int = 0) -> JSONValue {
        switch v {
        case .object(var o) where !o.isEmpty:
            let k = Int(rng.next() % UInt64(o.count))
            switch rng.next() % 4 {
            case 0: o.entries.remove(at: k)
            case 1: o.entries[k].value = Self.junk[Int(rng.next() % UInt64(Self.junk.count))]
            default: o.entries[k].value = mutate(o.entries[k].value, &rng, depth: depth + 1)
            }
            return .object(o)
        case .array(var a) where !a.isEmpty:
            let k = Int(rng.next() % UInt64(a.count))
            if rng.next() % 3 == 0 { a.remove(at: k) } else { a[k] = mutate(a[k], &rng, depth: depth + 1) }
            return .array(a)
        case .string(let s):
            let u = Array(s.unicodeScalars)
            return .string(String(String.UnicodeScalarView(u.prefix(Int(rng.next() % UInt64(u.count + 1))))))
        default:
            return Self.junk[Int(rng.next() % UInt64(Self.junk.count))]
        }
    }

    func testAdaptersNeverTrapOnMutatedRows() throws {
        let root = try SharedData.require("data").deletingLastPathComponent()
        let bfcl = root.appendingPathComponent("data/tool_use/bfcl_v4").path
        let cases: [(String, String, [String: JSONValue])] = [
            ("data/math/gsm8k/test.jsonl", "gsm8k", [:]),
            ("data/math/math500/test.jsonl", "math", [:]),
            ("data/medical/medqa_5options/test.jsonl", "mcq", [:]),
            ("data/medical/pubmedqa/pqal.jsonl", "pubmedqa", [:]),
            ("data/medical/huatuogpt_o1/demo_data.jsonl", "huatuo_o1", [:]),
            ("data/tool_use/glaive_toolcall/glaive_toolcall_en_demo.openai.jsonl", "openai", [:]),
            ("data/tool_use/reason_tool_use/reason_tool_use_demo_50.jsonl", "openai", [:]),
            ("data/tool_use/glaive_toolcall/glaive_toolcall_en_demo.sharegpt.jsonl", "sharegpt", [:]),
            ("data/tool_use/bfcl_v4/BFCL_v4_parallel_multiple.json", "bfcl", ["answers": .string(bfcl + "/possible_answer/BFCL_v4_parallel_multiple.json")]),
            ("data/tool_use/bfcl_v4/BFCL_v4_multi_turn_base.json", "bfcl",
             ["answers": .string(bfcl + "/possible_answer/BFCL_v4_multi_turn_base.json"), "func_doc_dir": .string(bfcl + "/multi_turn_func_doc")]),
        ]
        var rng = RNG(s: 2026)
        for (file, name, options) in cases {
            let adapter = try AdapterRegistry.make(name, config: AdapterConfig(source: "f", options: options))
            let it = try RowSource.open(path: root.appendingPathComponent(file).path)
            var rows: [(JSONValue, SourceLocation)] = []
            while let (r, l) = try it.next(), rows.count < 40 { rows.append((r, l)) }
            var ok = 0, errors = 0
            for k in 0..<400 {
                let (row, loc) = rows[k % rows.count]
                var m = row
                for _ in 0..<(1 + Int(rng.next() % 3)) { m = mutate(m, &rng) }
                do { _ = try adapter.record(from: m, index: k, location: loc); ok += 1 } catch let e as DataIOError {
                    errors += 1
                    XCTAssertEqual(e.location.file, loc.file)
                    XCTAssertEqual(e.location.record, k)
                }
            }
            print("[fuzz] \(name) on \(file): 400 mutated rows, \(ok) records, \(errors) located errors")
        }
    }

    func testPythonCallAndBoxedNeverTrap() {
        var rng = RNG(s: 11)
        let seeds = ["f(a=1, b='x', c=[1, (2, 3)], d={'k': None})", "mv(source='a.txt',destination='b')", "g('it\\'s', -1.5e3, True)",
                     "\\boxed{\\frac{1}{2}} and \\fbox{3}", "\\boxed 7$"]
        let alphabet = Array("()[]{}'\",=\\-.e0123456789abcxyz_ \u{00E9}".unicodeScalars)
        for k in 0..<3000 {
            var u = Array(seeds[k % seeds.count].unicodeScalars)
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let pos = Int(rng.next() % UInt64(u.count + 1))
                switch rng.next() % 3 {
                case 0: if pos < u.count { u.remove(at: pos) }
                case 1: u.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: pos)
                default: u = Array(u.prefix(pos))
                }
            }
            let s = String(String.UnicodeScalarView(u))
            _ = try? PythonCall.parse(s)
            _ = AnswerText.lastBoxed(s)
            _ = AnswerText.removeCalculatorAnnotations(s)
            _ = AnswerText.afterMarker(s, marker: "####")
        }
    }
}
