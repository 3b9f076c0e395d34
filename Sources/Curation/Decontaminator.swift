import Core
import Foundation
import Records

/// One benchmark item whose text must not leak into training data.
public struct BenchmarkItem: Sendable, Equatable {
    public var id: String
    public var text: String
    public init(id: String, text: String) {
        self.id = id
        self.text = text
    }
}

/// A named benchmark (e.g. `gsm8k-test`) and its items (questions and answers).
public struct Benchmark: Sendable, Equatable {
    public var name: String
    public var items: [BenchmarkItem]
    public init(name: String, items: [BenchmarkItem]) {
        self.name = name
        self.items = items
    }

    /// Problem-statement fields read from benchmark JSONL rows when present (string or list
    /// of strings): the default, since worked solutions share generic phrases ("find the
    /// total number of students") with unrelated training solutions.
    public static let defaultFields = ["question", "problem", "Question", "Problem", "Body"]
    /// Problem statements plus solutions / answers.
    public static let questionAndSolutionFields = defaultFields + ["answer", "solution", "final_answer"]

    /// Loads a JSON Lines benchmark file. `fields` are keys or dotted paths (`a.b`) whose
    /// string (or list of strings) values make an item's text; with `required`, a row with none
    /// of them is an error. Item ids are `id` / `unique_id` / `idx` / `realidx` / `ID` when
    /// present, else `row <n>` (0-based). Bad lines throw with file and line.
    public static func load(jsonl url: URL, name: String, fields: [String] = defaultFields,
                            required: Bool = false) throws -> Benchmark {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CurationError("cannot read benchmark file", at: SourceLocation(file: url.path))
        }
        var items: [BenchmarkItem] = []
        var row = 0
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            try LineReader.forEachLine(in: raw) { lineNo, line in
                if LineReader.isBlank(line) { return }
                let v: JSONValue
                do { v = try JSONParser.parse(line) } catch {
                    throw CurationError("\(error)", at: SourceLocation(file: url.path, line: lineNo, record: row))
                }
                var texts: [String] = []
                for f in fields {
                    switch v.lookup(path: f) {
                    case .string(let s)?: texts.append(s)
                    case .array(let a)?: texts += a.compactMap(\.stringValue)
                    default: break
                    }
                }
                if required && texts.isEmpty {
                    throw CurationError("benchmark row has no string field \(fields.map { "'\($0)'" }.joined(separator: " or "))",
                                        at: SourceLocation(file: url.path, line: lineNo, record: row, field: fields.first))
                }
                var id = "row \(row)"
                for k in ["id", "unique_id", "idx", "realidx", "ID"] {
                    if let x = v[k], !x.isNull { id = x.stringValue ?? "\(x)"; break }
                }
                items.append(BenchmarkItem(id: id, text: texts.joined(separator: "\n")))
                row += 1
            }
        }
        return Benchmark(name: name, items: items)
    }
}

/// Decontamination against benchmark sets by word n-gram overlap (13-grams by default, as
/// in GPT-3's and lm-evaluation-harness' decontamination,
/// https://github.com/EleutherAI/lm-evaluation-harness/blob/main/lm_eval/decontamination/decontaminate.py):
/// every n-gram of every benchmark item (normalised words: NFC, lowercase, punctuation
/// stripped) goes into a hash index; a record that contains any indexed n-gram is dropped with
/// the benchmark name and item id. Items shorter than `n` words (but at least `minWords`)
/// are indexed whole and matched against record k-grams of their exact length.
/// Benchmark n-grams with fewer than `minAlphabeticWords` words containing a letter are not
/// indexed: number runs from worked arithmetic ("3 2 5 100 5 20 …", GSM8K's `<<3+2=5>>`
/// annotations) are shared by unrelated problems and would cause false drops.
/// Memory: 8 B key + a 4 B item reference per distinct benchmark n-gram.
public struct Decontaminator: Sendable {
    public var n: Int
    public var minWords: Int
    public var minAlphabeticWords: Int
    public let benchmarks: [Benchmark]
    /// n-gram (or short-item) hash → (benchmark index, item index), packed.
    private var index = U64Map()
    private var shortLengths: [Int] = []
    public var threads: Int

    /// Builds the index. `n` = n-gram length in words; `minWords` = shortest item indexed.
    public init(benchmarks: [Benchmark], n: Int = 13, minWords: Int = 8, minAlphabeticWords: Int = 7,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        precondition(n > 0, "n-gram length must be positive")
        self.n = n
        self.minWords = minWords
        self.minAlphabeticWords = minAlphabeticWords
        self.benchmarks = benchmarks
        self.threads = max(1, threads)
        var lengths = Set<Int>()
        for (b, bench) in benchmarks.enumerated() {
            for (i, item) in bench.items.enumerated() {
                let (words, alpha) = TextNormalizer.words(item.text)
                let ref = UInt64(b) << 32 | UInt64(i)
                if words.count >= n {
                    // running count of alphabetic words in the window
                    var letters = alpha[0..<n].filter { $0 }.count
                    for (start, h) in TextNormalizer.ngramHashes(words, n: n).enumerated() {
                        if start > 0 { letters += (alpha[start + n - 1] ? 1 : 0) - (alpha[start - 1] ? 1 : 0) }
                        if letters >= min(minAlphabeticWords, n) { index.insertIfAbsent(h, ref) }
                    }
                } else if words.count >= minWords {
                    index.insertIfAbsent(TextNormalizer.ngramHashes(words, n: words.count)[0], ref)
                    lengths.insert(words.count)
                }
            }
        }
        shortLengths = lengths.sorted()
    }

    /// Number of distinct indexed n-grams.
    public var indexSize: Int { index.count }

    /// The benchmark item a text overlaps with, if any: (benchmark name, item id, matched n).
    public func match(_ text: String) -> (benchmark: String, item: String, ngram: Int)? {
        let words = TextNormalizer.wordHashes(text)
        for h in TextNormalizer.ngramHashes(words, n: n) {
            if let ref = index.get(h) { return describe(ref, n) }
        }
        for k in shortLengths where k <= words.count {
            for h in TextNormalizer.ngramHashes(words, n: k) {
                if let ref = index.get(h) { return describe(ref, k) }
            }
        }
        return nil
    }

    private func describe(_ ref: UInt64, _ k: Int) -> (String, String, Int) {
        let b = Int(ref >> 32), i = Int(ref & 0xFFFF_FFFF)
        return (benchmarks[b].name, benchmarks[b].items[i].id, k)
    }

    /// Keep, or drop with `contaminated: <benchmark> item <id> (<n>-gram overlap)`.
    public func decide(text: String) -> FilterDecision {
        guard let m = match(text) else { return .keep }
        return .drop(DropReason("contaminated", "\(m.benchmark) item \(m.item) (\(m.ngram)-gram overlap)"))
    }

    public func decide(_ record: Record) -> FilterDecision { decide(text: CurationText.text(of: record)) }

    /// Decisions for many texts, computed in parallel over fixed chunks (order preserved).
    public func decideAll(texts: [String]) -> [FilterDecision] {
        let n = texts.count
        var out = [FilterDecision](repeating: .keep, count: n)
        out.withUnsafeMutableBufferPointer { op in
            let o = op
            Parallel.forChunks(n, threads: threads) { range in
                for i in range { o[i] = decide(text: texts[i]) }
            }
        }
        return out
    }
}
