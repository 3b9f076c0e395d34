import DataIO
import Foundation
import Pipeline
import TestSupport
import Records
import XCTest

final class AuditTests: XCTestCase {
    /// Gradient-norm approximation: exact when the non-target mass is on one token or spread evenly.
    func testGradNormApproximation() {
        for p in [0.01, 0.3, 0.9] {
            let r = 1 - p
            let hb = -p * log(p) - r * log(r)
            XCTAssertEqual(Auditor.gradNorm(p: p, h: hb), r * 2.0.squareRoot(), accuracy: 1e-12)  // one other token
            for m in [2.0, 10, 1000] {  // rest spread evenly over m tokens: true norm r·sqrt(1 + 1/m)
                XCTAssertEqual(Auditor.gradNorm(p: p, h: hb + r * log(m)), r * (1 + 1 / m).squareRoot(), accuracy: 1e-12)
            }
        }
        XCTAssertEqual(Auditor.gradNorm(p: 1, h: 0), 0)
    }

    /// Known conflicts: source `hot` has 10 confident-conflict tokens of 50, `cold` none.
    func testConflictRatesPerSource() throws {
        let dir = try SharedData.tempDir("audit").path
        var samples: [ShardSample] = []
        var rng = ShardRNG(s: 5)
        for i in 0..<10 {
            let hot = i < 5
            let t = 11
            var lp: [Float] = [0], h: [Float] = [0], g: [Float] = [0]
            for k in 1..<t {
                if hot && k <= 2 { lp.append(log(0.02)); h.append(0.2) }  // conflict under both definitions
                else { lp.append(log(0.3 + 0.7 * rng.unit())); h.append(1.0 + 2 * rng.unit()) }
                g.append(h.last! / 3)
            }
            samples.append(ShardSample(meta: ShardSampleMeta(id: "s\(i)", source: hot ? "hot" : "cold", domain: "math"),
                                       ids: (0..<TokenID(t)).map { $0 }, lossMask: [0] + [UInt8](repeating: 1, count: t - 1),
                                       stats: TokenStats(logprob: lp, gate: g, topKEntropy: h, entropy: h)))
        }
        let w = ShardWriter(directory: dir)
        for s in samples { try w.append(s) }
        var m = ShardManifest(topK: 20)
        m.shards = try w.finish()
        m.samples = 10; m.tokens = 110; m.labelTokens = 100
        try m.write(directory: dir)

        let rep = try Auditor.audit(directory: dir)
        XCTAssertEqual(rep.dataset.labelTokens, 100)
        XCTAssertEqual(rep.entropy, "full")
        XCTAssertEqual(rep.dataset.conflictRateAbsolute, 0.10, accuracy: 1e-12)
        XCTAssertEqual(rep.bySource["hot"]?.conflictRateAbsolute ?? -1, 0.2, accuracy: 1e-12)
        XCTAssertEqual(rep.bySource["cold"]?.conflictRateAbsolute ?? -1, 0, accuracy: 1e-12)
        // Percentile thresholds: the bottom 15% holds the 10 conflicts plus a few others.
        XCTAssertGreaterThanOrEqual(rep.dataset.conflictRatePercentile, 0.10)
        XCTAssertLessThanOrEqual(rep.dataset.conflictRatePercentile, 0.15)
        XCTAssertEqual(rep.bySource["hot"]?.labelTokens, 50)
        XCTAssertEqual(rep.topConflictingSamples.first?.source, "hot")
        XCTAssertEqual(rep.topConflictingSamples.first?.conflictTokens, 2)
        // Conflict tokens carry a larger share of the gradient than of the tokens.
        XCTAssertGreaterThan(rep.dataset.gradShareConflictAbsolute, 0.10)
        XCTAssertEqual(rep.density.flatMap { $0 }.reduce(0, +), 100)
        XCTAssertEqual(rep.gateHistogram.reduce(0, +), 100)
        // JSON keys the brief requires, per source.
        let json = try JSONSerialization.jsonObject(with: Data(try rep.jsonBytes())) as! [String: Any]
        let hot = (json["by_source"] as! [String: Any])["hot"] as! [String: Any]
        for k in ["label_tokens", "mean_gate", "conflict_rate_percentile", "conflict_rate_absolute"] { XCTAssertNotNil(hot[k], k) }
        // Rates are JSON floats even when zero (`cold` has no conflicts): 0.0, never 0.
        let v = try JSONParser.parse(try rep.jsonBytes())
        XCTAssertEqual(v["by_source"]?["cold"]?["conflict_rate_absolute"], .double(0))
        XCTAssertEqual(v["by_source"]?["cold"]?["grad_share_conflict_absolute"], .double(0))
        func noIntRates(_ v: JSONValue, _ path: String) {
            if let o = v.objectValue {
                for (k, e) in o.entries {
                    let isRate = k.contains("rate") || k.contains("share") || k.hasPrefix("mean_") || k.hasSuffix("quantiles") || k.hasSuffix("threshold")
                    if isRate { for x in e.arrayValue ?? [e] { if case .int = x { XCTFail("\(path).\(k) is an integer") } } }
                    noIntRates(e, path + "." + k)
                }
            } else if let a = v.arrayValue { for (i, e) in a.enumerated() { noIntRates(e, path + "[\(i)]") } }
        }
        noIntRates(v, "$")
        let html = rep.html()
        XCTAssertTrue(html.contains("<svg") && html.contains("</html>"))
        XCTAssertTrue(rep.markdown().contains("| source `hot` |"))
    }
}

struct ShardRNG {
    var s: UInt64
    mutating func unit() -> Float {
        s = s &* 6364136223846793005 &+ 1442695040888963407
        return Float(s >> 40) / Float(1 << 24)
    }
}
