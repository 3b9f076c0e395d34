import DataIO
import Foundation
import Pipeline
import Records
import TestSupport
import Tokenizer
import XCTest

/// The audit's conflict view: (label → expected) pairs, the token view in a real headless
/// Chromium, the terminal sample view, and a recount of the pairs by the Python reader.
final class AuditTokenViewTests: XCTestCase {
    /// Known data: in source `hot`, positions 1 and 2 of five samples are confident conflicts
    /// where the model expected ids 101 and 102.
    func testConflictPairsOnKnownData() throws {
        let dir = try SharedData.tempDir("auditpairs").path
        var rng = ShardRNG(s: 9)
        let w = ShardWriter(directory: dir)
        for i in 0..<10 {
            let hot = i < 5, t = 11
            var lp: [Float] = [0], h: [Float] = [0], g: [Float] = [0], eid: [TokenID] = [0], elp: [Float] = [0]
            for k in 1..<t {
                let conflict = hot && k <= 2
                if conflict { lp.append(log(0.02)); h.append(0.2) } else { lp.append(log(0.3 + 0.7 * rng.unit())); h.append(1 + 2 * rng.unit()) }
                g.append(h.last! / 3)
                eid.append(conflict ? TokenID(100 + k) : TokenID(k))
                elp.append(conflict ? log(0.9) : lp.last!)
            }
            try w.append(ShardSample(meta: ShardSampleMeta(id: "s\(i)", source: hot ? "hot" : "cold", domain: "math"),
                                     ids: (0..<TokenID(t)).map { $0 }, lossMask: [0] + [UInt8](repeating: 1, count: t - 1),
                                     stats: TokenStats(logprob: lp, gate: g, topKEntropy: h, entropy: h, expectedID: eid, expectedLogprob: elp)))
        }
        var m = ShardManifest(topK: 20)
        m.shards = try w.finish()
        m.samples = 10; m.tokens = 110; m.labelTokens = 100
        try m.write(directory: dir)
        let rep = try Auditor.audit(directory: dir)
        XCTAssertTrue(rep.hasExpected)
        let hot = try XCTUnwrap(rep.topConflictPairs["hot"])
        XCTAssertEqual(hot.prefix(2).map { "\($0.labelID)->\($0.expectedID) x\($0.count)" }, ["1->101 x5", "2->102 x5"])
        XCTAssertEqual(hot.first?.exampleID, "s0")
        XCTAssertEqual(hot.first?.label, "⟨1⟩", "no tokenizer: ids shown")
        XCTAssertTrue(hot.dropFirst(2).allSatisfy { $0.count < 5 })
        // The token view: the hot samples first, each position with its values.
        XCTAssertEqual(rep.tokenView.first?.source, "hot")
        let v = try XCTUnwrap(rep.tokenView.first)
        XCTAssertEqual(v.tokens.count, 10)
        XCTAssertEqual(v.tokens[0].expected, "⟨101⟩")
        XCTAssertTrue(v.tokens[0].conflict && v.tokens[1].conflict && !v.tokens[5].conflict)
        XCTAssertEqual(v.conflictTokens, 2)
        // JSON and Markdown carry the pairs.
        let j = try JSONParser.parse(try rep.jsonBytes())
        XCTAssertEqual(j["top_conflict_pairs"]?["hot"]?[0]?["count"], .int(5))
        XCTAssertTrue(rep.markdown().contains("| hot | `⟨1⟩` (1) | `⟨101⟩` (101) | 5 | `s0` |"), rep.markdown())
        // Terminal view of one sample.
        let text = AuditSampleText.render(v, color: false)
        XCTAssertTrue(text.contains("LBL!") && text.contains("\"⟨101⟩\""), text)
    }

    /// Byte-level tokens that split a character: the pieces concatenate to the decoded text.
    func testTokenPiecesConcatenateToTheText() throws {
        let tok = try Tokenizer.load(path: try SharedData.require("tokenizers/qwen3/tokenizer.json").path)
        for text in ["数学题：小明有 3 个苹果 😀🧪", "café naïve — ∑ x² ≤ 𝔼[y]", "plain ascii\n\ttabs"] {
            let ids = tok.encode(text)
            let pieces = TokenText.pieces(ids, tokenizer: tok)
            XCTAssertEqual(pieces.count, ids.count)
            XCTAssertEqual(pieces.joined(), text)
        }
    }

    /// Real shards (reference Qwen3 model, real tokenizer): the HTML loads in headless Chromium
    /// without console errors, its script runs, every token element carries the four data
    /// attributes with the shard's values; the pairs equal a recount by the Python reader.
    func testTokenViewInChromiumAndPythonRecount() throws {
        let gsm = try SharedData.require("data/math/gsm8k/train.jsonl").path
        let tokPath = try SharedData.require("tokenizers/qwen3/tokenizer.json").path
        let model = try SharedData.require("reference/qwen3-tiny-fullvocab").path
        let out = try SharedData.tempDir("auditview").path + "/shards"
        let spec = try PipelineSpec.parse(yaml: """
            name: audit-view
            seed: 3
            inputs:
              - {path: \(gsm), adapter: gsm8k, source: gsm8k-train, domain: math, limit: 6}
            template: {kind: qwen3, tokenizer: \(tokPath)}
            stages:
              - filter: {max_tokens: 400}
              - score: {model: \(model), top_k: 20, batch_tokens: 1024}
            output: {dir: \(out), unit_samples: 3, block_kb: 16}
            """)
        var o = RunOptions()
        let p = ResolvedPipeline(spec: spec, threads: 2)
        _ = try Executor.run(p, components: try ComponentLoader.load(p), options: o)
        var opts = AuditOptions()
        opts.tokenizer = try AuditTokenizer.load(directory: out, explicit: nil)
        XCTAssertNotNil(opts.tokenizer, "the manifest's tokenizer is found")
        let rep = try Auditor.audit(directory: out, options: opts)
        XCTAssertTrue(rep.hasExpected)
        XCTAssertFalse(rep.tokenView.isEmpty)
        let html = out + "/../audit.html", json = out + "/../audit.json"
        try rep.html().write(toFile: html, atomically: true, encoding: .utf8)
        try Data(try rep.jsonBytes()).write(to: URL(fileURLWithPath: json))

        // Python recount of every listed pair.
        let recount = try runTool(["/usr/bin/env", "python3", SharedData.repo("scripts/audit_recount.py").path, out, json])
        XCTAssertEqual(recount.status, 0, recount.err)
        let counts = try JSONParser.parse(recount.out)
        var pairs = 0
        for (source, list) in rep.topConflictPairs {
            for p in list {
                XCTAssertEqual(counts[source]?["\(p.labelID)->\(p.expectedID)"]?.intValue, Int64(p.count), "\(source) \(p.labelID)->\(p.expectedID)")
                pairs += 1
            }
        }
        XCTAssertGreaterThan(pairs, 0)

        // Chromium: DOM after the page's script ran, and its console.
        guard let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("chromium is not installed (scripts/setup.sh installs it): the browser half of this test did not run")
        }
        let r = try runTool([browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                             "--dump-dom", "file://" + URL(fileURLWithPath: html).standardized.path])
        XCTAssertEqual(r.status, 0, r.err)
        let consoleErrors = r.err.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
        XCTAssertEqual(consoleErrors, [], "console output")
        XCTAssertTrue(r.out.contains("data-ready=\"1\""), "the page's script did not run to its end")
        let ds = try ShardDataset(directory: out)
        var seen = 0
        for v in rep.tokenView {
            let s = try ds.sample(v.index)
            // The DOM's spans of this sample, in order (the first span is token 0, no data).
            guard let start = r.out.range(of: "data-sample=\"\(v.id)\"") else { XCTFail("sample \(v.id) not in the DOM"); continue }
            let rest = r.out[start.upperBound...]
            let div = rest[..<(rest.range(of: "</div>")?.lowerBound ?? rest.endIndex)]
            let spans = Self.dataSpans(String(div))
            XCTAssertEqual(spans.count, v.tokens.count, "token elements of \(v.id)")
            for (k, a) in spans.enumerated() {
                let t = k + 1
                let st = s.stats!
                let h = st.entropy ?? st.topKEntropy
                func close(_ x: Double?, _ y: Float, _ what: String) {
                    // 6 significant digits in the attribute: 1e-5 relative (plus 1e-12 for zeros).
                    XCTAssertEqual(x ?? .nan, Double(y), accuracy: abs(Double(y)) * 1e-5 + 1e-12, "\(v.id) t=\(t) \(what)")
                }
                close(a["data-p"].flatMap(Double.init), exp(st.logprob[t]), "p")
                close(a["data-h"].flatMap(Double.init), h[t], "H")
                close(a["data-gate"].flatMap(Double.init), st.gate[t], "gate")
                XCTAssertEqual(a["data-expected"], TokenText.single(st.expectedID![t], tokenizer: opts.tokenizer), "\(v.id) t=\(t) expected")
                seen += 1
            }
        }
        XCTAssertGreaterThan(seen, 100)
    }

    /// `data-*` attributes of each span that has `data-gate`, HTML entities decoded.
    static func dataSpans(_ html: String) -> [[String: String]] {
        var out: [[String: String]] = []
        let pattern = try! NSRegularExpression(pattern: "<span [^>]*data-gate=[^>]*>")
        let attr = try! NSRegularExpression(pattern: "(data-[a-z]+)=\"([^\"]*)\"")
        let ns = html as NSString
        for m in pattern.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
            let tag = ns.substring(with: m.range) as NSString
            var d: [String: String] = [:]
            for a in attr.matches(in: tag as String, range: NSRange(location: 0, length: tag.length)) {
                let v = tag.substring(with: a.range(at: 2)).replacingOccurrences(of: "&quot;", with: "\"")
                    .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                    .replacingOccurrences(of: "&nbsp;", with: "\u{00A0}").replacingOccurrences(of: "&#13;", with: "\r").replacingOccurrences(of: "&amp;", with: "&")
                d[tag.substring(with: a.range(at: 1))] = v
            }
            out.append(d)
        }
        return out
    }

    func runTool(_ argv: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        try p.run()
        var err = Data()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { err = e.fileHandleForReading.readDataToEndOfFile(); done.signal() }
        let out = o.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
