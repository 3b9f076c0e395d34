import Curation
import Foundation
import Records
import TestSupport
import XCTest

final class DecontaminationTests: XCTestCase {
    /// Every math test set under shared/data/math (as `eaft bench verify` uses).
    static func mathBenchmarks(fields: [String] = Benchmark.defaultFields) throws -> [Benchmark] {
        let base = try SharedData.require("data/math")
        var files: [(String, URL)] = [
            ("gsm8k-test", base.appendingPathComponent("gsm8k/test.jsonl")),
            ("math500", base.appendingPathComponent("math500/test.jsonl")),
            ("aime25", base.appendingPathComponent("aime25/test.jsonl")),
        ]
        let q = base.appendingPathComponent("qwen25_math_eval")
        for d in try FileManager.default.contentsOfDirectory(atPath: q.path).sorted() {
            files.append(("qwen25-\(d)", q.appendingPathComponent(d).appendingPathComponent("test.jsonl")))
        }
        return try files.map { try Benchmark.load(jsonl: $0.1, name: $0.0, fields: fields) }
    }

    static func rows(_ relative: String) throws -> [JSONValue] {
        let url = try SharedData.require(relative)
        let data = try Data(contentsOf: url)
        return try data.split(separator: 10).map { try JSONParser.parse(Array($0)) }
    }

    func testSmallFixtureFindsCopiesEditsAndEmbeddings() {
        let q = "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?"
        let dec = Decontaminator(benchmarks: [Benchmark(name: "toy", items: [BenchmarkItem(id: "q1", text: q)])])
        XCTAssertEqual(dec.decide(text: q).reason?.code, "contaminated")
        XCTAssertEqual(dec.decide(text: q.uppercased().replacingOccurrences(of: " ", with: "  ")).reason?.code, "contaminated")
        let embedded = "Here is a problem for you to solve carefully. " + q + " Think step by step and show all your work."
        XCTAssertEqual(dec.decide(text: embedded).reason?.detail, "toy item q1 (13-gram overlap)")
        XCTAssertTrue(dec.decide(text: "Natalia sold clips to her friends. How many clips were sold?").isKeep)
    }

    func testPlantedBenchmarkItemsAreAllFoundAndCleanDataIsKept() throws {
        let benches = try Self.mathBenchmarks()
        let dec = Decontaminator(benchmarks: benches)
        // Plant 60 items: 20 copied, 20 lightly edited (one word changed every 20 words,
        // punctuation and case changed), 20 embedded in longer text.
        var planted: [(String, String, String)] = []  // text, benchmark, item
        var k = 0
        for b in benches where b.items.count > 5 {
            for j in stride(from: 0, to: b.items.count, by: max(1, b.items.count / 4)).prefix(4) {
                let item = b.items[j]
                guard item.text.split(separator: " ").count >= 20 else { continue }
                var text = item.text
                switch k % 3 {
                case 0: break
                case 1:
                    var words = text.split(separator: " ").map(String.init)
                    for w in stride(from: 5, to: words.count, by: 20) { words[w] = "EDITED" }
                    text = words.joined(separator: " ").uppercased().replacingOccurrences(of: ",", with: " ;")
                default:
                    text = "User: please help with my homework, I am stuck.\n" + text + "\nThanks a lot, I tried twice already."
                }
                planted.append((text, b.name, item.id))
                k += 1
            }
        }
        XCTAssertGreaterThanOrEqual(planted.count, 40)
        for (text, bench, item) in planted {
            guard let m = dec.match(text) else { XCTFail("planted \(bench) item \(item) not found"); continue }
            // Several benchmarks share items (e.g. the same problem in two sets); report, but
            // the matched item must carry the same text.
            if m.benchmark != bench || m.item != item {
                let other = benches.first { $0.name == m.benchmark }!.items.first { $0.id == m.item }!
                XCTAssertNotNil(dec.match(other.text), "\(bench)/\(item) matched \(m.benchmark)/\(m.item)")
            }
        }
        // Clean data: GSM8K train questions+answers against all math test sets.
        let train = try Self.rows("data/math/gsm8k/train.jsonl")
        let texts = train.map { ($0["question"]?.stringValue ?? "") + "\n" + ($0["answer"]?.stringValue ?? "") }
        let decisions = dec.decideAll(texts: texts)
        let drops = decisions.enumerated().filter { !$0.element.isKeep }
        for (i, d) in drops { print("gsm8k train row \(i): \(d.reason!) :: \(texts[i].prefix(120))") }
        // Exactly the two genuine template overlaps (see BENCHMARKS.md): train 20 ("Bella bought
        // stamps…snowflake design…") = test row 471 ("Max bought stamps…"), train 406 = test row 433
        // (the "Joseph and his friends watched two movies" template).
        XCTAssertEqual(drops.map(\.offset), [20, 406], "unexpected decontamination drops on GSM8K train")
        XCTAssertEqual(drops.map { $0.element.reason!.detail }, ["gsm8k-test item row 471 (13-gram overlap)", "gsm8k-test item row 433 (13-gram overlap)"])
    }
}
