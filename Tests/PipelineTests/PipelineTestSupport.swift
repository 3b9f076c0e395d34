import DataIO
import Foundation
import Pipeline
import Records
import TestSupport

/// Small in-test implementations of the pipeline protocols.
final class ArrayStream: RecordStream {
    var items: [StreamItem]
    var i = 0
    init(_ items: [StreamItem]) { self.items = items }
    func next() throws -> StreamItem? {
        defer { i += 1 }
        return i < items.count ? items[i] : nil
    }
}

/// Byte-level "tokenizer": `<u>` prompt `<a>` response; the response bytes are labels.
struct ByteRenderer: ConversationRendering {
    func render(_ r: Record) throws -> RenderedConversation {
        var ids: [TokenID] = [1], mask: [UInt8] = [0]
        for m in r.messages {
            ids.append(m.role == .assistant ? 3 : 2); mask.append(0)
            for b in m.content.utf8 { ids.append(TokenID(b) + 10); mask.append(m.role == .assistant ? 1 : 0) }
        }
        if r.messages.contains(where: { $0.content.contains("BADTEMPLATE") }) { throw PipelineError("template failure") }
        return RenderedConversation(ids: ids, mask: mask)
    }
}

/// Correct when the last number of the response equals the reference answer.
struct LastNumberVerifier: RecordVerifying {
    func verify(_ r: Record) -> (verdict: String, reason: String) {
        guard let ref = r.reference?.answer else { return ("unverifiable", "no reference") }
        let nums = (r.finalAssistantContent ?? "").split(whereSeparator: { !$0.isNumber })
        guard let last = nums.last else { return ("incorrect", "no number in response") }
        return last == ref ? ("correct", "answer \(last) matches") : ("incorrect", "answer \(last) != \(ref)")
    }
}

/// A fake causal LM whose statistics are a pure function of (previous token, token).
final class HashScorer: Scorer {
    var maxPositions: Int { 400 }
    func score(batch: [[TokenID]], topK: Int) throws -> [TokenStats] {
        batch.map { ids in
            var c = TokenStats(count: ids.count, entropy: true, expected: false)
            for t in 1..<max(1, ids.count) {
                let h = StableHash.mix(UInt64(ids[t - 1]) << 32 | UInt64(ids[t]))
                let u = Float(h >> 40) / Float(1 << 24), v = Float((h >> 8) & 0xFFFF) / 65536
                c.logprob[t] = -u * 8
                c.topKEntropy[t] = v * log(Float(topK))
                c.gate[t] = v
                c.entropy![t] = v * 6
            }
            return c
        }
    }
}

enum PipelineFixtures {
    /// Thrown by the `crashAfter` hook: simulates a crash after that many committed units.
    struct Crash: Error {}

    /// Run options for `out`; with `crashAfter`, the run throws `Crash` once that many units are committed.
    static func options(out: String, resume: Bool = false, crashAfter: Int? = nil) -> RunOptions {
        var o = RunOptions()
        o.outDir = out
        o.resume = resume
        final class Counter: @unchecked Sendable { var n = 0; let lock = NSLock() }
        let commits = Counter()
        if let c = crashAfter {
            o.onUnitCommitted = { _ in
                commits.lock.lock(); defer { commits.lock.unlock() }
                commits.n += 1
                if commits.n >= c { throw Crash() }
            }
        }
        return o
    }

    /// Math-like records: some wrong answers, duplicates, one contaminated prompt, one bad row.
    static func records(_ n: Int, source: String) -> [StreamItem] {
        var out: [StreamItem] = []
        for i in 0..<n {
            let a = i % 97, b = (i * 7) % 13
            let right = i % 5 != 0
            let q = i % 10 == 3 ? nearCopy(i) : i % 11 == 0 ? "What is \(a % 10) plus \(b)?"
                : "Tom has \(a) apples and buys \(b) more. How many apples (case \(source) \(i)) \(tag(i, source))?"
            let resp = "He has \(a) + \(b) = \(right ? a + b : a + b + 1) apples. Answer: \(right ? a + b : a + b + 1)"
            let r = Record(id: "\(source)-\(i)", source: source, domain: .math,
                           messages: [Message(role: .user, content: q), Message(role: .assistant, content: resp)],
                           reference: .answer(String(a + b)))
            out.append(.record(r, SourceLocation(file: source + ".jsonl", line: i + 1)))
            if i == 3 { out.append(.bad(reason: "invalid_json", detail: "unexpected byte", SourceLocation(file: source + ".jsonl", line: 4))) }
        }
        return out
    }

    /// One of 8 random 45-word paragraphs with one word replaced: near-copies across records
    /// and sources (3-gram Jaccard between two copies ≈ 0.78) for the MinHash dedup stage.
    static func nearCopy(_ i: Int) -> String {
        let base = (i / 10) % 8
        var words = (0..<45).map { j in "w\(StableHash.mix(UInt64(base * 1000 + j)) % 500)" }
        words[i % 45] = "edit\(i)"
        return words.joined(separator: " ") + "?"
    }

    /// Six random words, so that the templated prompts are not near-duplicates of each other.
    static func tag(_ i: Int, _ source: String) -> String {
        (0..<6).map { j in "t\(StableHash.string(source, seed: UInt64(i * 31 + j)) % 5000)" }.joined(separator: " ")
    }

    static func components(_ data: [String: [StreamItem]]) -> PipelineComponents {
        PipelineComponents(openInput: { input in ArrayStream(data[input.path] ?? []) }, renderer: ByteRenderer(),
                           verifier: LastNumberVerifier(), makeScorer: { HashScorer() })
    }

    static let yaml = """
        name: test
        seed: 42
        inputs:
          - {path: a, adapter: fields, source: alpha, domain: math}
          - {path: b, adapter: fields, source: beta, domain: math, limit: 300}
        template: {kind: qwen3, tokenizer: none}
        stages:
          - verify: {keep: [correct]}
          - dedup: {key: prompt, near: {preset: short_text}}
          - decontaminate: {against: [{path: BENCH, field: question}], ngram: 13}
          - filter: {min_tokens: 10, max_tokens: 380, min_label_tokens: 5}
          - sample: {n: 260}
          - score: {model: fake, top_k: 20, batch_tokens: 700}
        output: {dir: OUT, shard_mb: 0.02, block_kb: 8, unit_samples: 16}
        """

    static func spec(bench: String) throws -> PipelineSpec {
        try PipelineSpec.parse(yaml: yaml.replacingOccurrences(of: "BENCH", with: bench))
    }

    static func data() -> [String: [StreamItem]] {
        ["a": records(250, source: "alpha"), "b": records(400, source: "beta")]
    }

    static let benchPath: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("eaft-bench-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let p = dir.appendingPathComponent("bench.jsonl").path
        try? #"{"question": "Tom has 12 apples and buys 6 more. How many apples (case alpha 12)?"}"#.appending("\n")
            .write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }()

    static func bench() throws -> String { benchPath }

    /// Every file under `dir` (relative path → bytes).
    static func snapshot(_ dir: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        let e = FileManager.default.enumerator(atPath: dir)!
        while let f = e.nextObject() as? String {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: dir + "/" + f, isDirectory: &isDir)
            if !isDir.boolValue { out[f] = try AtomicFile.read(dir + "/" + f) }
        }
        return out
    }
}

/// Compares two snapshots without dumping bytes; returns a description of the first difference.
func snapshotDiff(_ a: [String: [UInt8]], _ b: [String: [UInt8]]) -> String? {
    if a.keys.sorted() != b.keys.sorted() { return "files differ: \(a.keys.sorted()) vs \(b.keys.sorted())" }
    for k in a.keys.sorted() where a[k]! != b[k]! {
        let n = min(a[k]!.count, b[k]!.count)
        let first = (0..<n).first { a[k]![$0] != b[k]![$0] } ?? n
        return "\(k) differs (sizes \(a[k]!.count) vs \(b[k]!.count), first at byte \(first))"
    }
    return nil
}
