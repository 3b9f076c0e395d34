import Foundation
import DataIO
import Records
import Tokenizer

/// Options of `eaft audit`.
public struct AuditOptions: Sendable {
    /// Joint-percentile definition: p and H both in the bottom `q`% of the dataset's label tokens.
    public var percentile: Double = 15
    /// Absolute definition: H ≤ `absEntropy` nats and p ≤ `absProbability`.
    public var absEntropy: Double = 0.5
    public var absProbability: Double = 0.1
    /// How many samples to list as most conflicting.
    public var topSamples: Int = 20
    /// How many (label → expected) pairs to list per source.
    public var topPairs: Int = 10
    /// Token view (HTML): the most conflicting samples of each source, at most this many per
    /// source and `tokenViewMax` in all, each cut at `tokenViewMaxTokens` tokens (bounds the HTML size).
    public var tokenViewPerSource: Int = 3
    public var tokenViewMax: Int = 24
    public var tokenViewMaxTokens: Int = 1536
    /// Decodes tokens for the token view and the pairs (ids only without it).
    public var tokenizer: Tokenizer?
    public init() {}
}

/// Statistics of one group of label tokens (the dataset, a source or a domain).
public struct AuditGroup: Sendable, Codable, Equatable {
    public var samples = 0
    public var labelTokens = 0
    public var meanGate = 0.0
    public var meanProbability = 0.0
    public var meanEntropy = 0.0
    /// Quantiles (5, 25, 50, 75, 95 %) of p and of H.
    public var probabilityQuantiles: [Double] = []
    public var entropyQuantiles: [Double] = []
    public var conflictRatePercentile = 0.0
    public var conflictRateAbsolute = 0.0
    /// Share of the summed per-token CE gradient norm carried by conflict tokens (see `gradNorm`).
    public var gradShareConflictPercentile = 0.0
    public var gradShareConflictAbsolute = 0.0

    enum CodingKeys: String, CodingKey {
        case samples
        case labelTokens = "label_tokens"
        case meanGate = "mean_gate"
        case meanProbability = "mean_p"
        case meanEntropy = "mean_entropy"
        case probabilityQuantiles = "p_quantiles"
        case entropyQuantiles = "entropy_quantiles"
        case conflictRatePercentile = "conflict_rate_percentile"
        case conflictRateAbsolute = "conflict_rate_absolute"
        case gradShareConflictPercentile = "grad_share_conflict_percentile"
        case gradShareConflictAbsolute = "grad_share_conflict_absolute"
    }
}

/// One of the most conflicting samples.
public struct AuditSample: Sendable, Codable, Equatable {
    public var index: Int
    public var id: String
    public var source: String
    public var labelTokens: Int
    public var conflictTokens: Int
    public var conflictRate: Double
    enum CodingKeys: String, CodingKey {
        case index, id, source
        case labelTokens = "label_tokens"
        case conflictTokens = "conflict_tokens"
        case conflictRate = "conflict_rate"
    }
}

/// The audit of one shard directory.
public struct AuditReport: Sendable, Codable, Equatable {
    public var directory: String
    /// `full` when every sample stored full-vocabulary entropy, else `top-k` (then H = H^K).
    public var entropy: String
    public var topK: Int
    public var percentile: Double
    public var pThreshold: Double
    public var entropyThreshold: Double
    public var absEntropy: Double
    public var absProbability: Double
    public var gradientNormApproximation: String
    public var dataset: AuditGroup
    public var bySource: [String: AuditGroup]
    public var byDomain: [String: AuditGroup]
    public var topConflictingSamples: [AuditSample]
    /// Figures: density[hBin][pBin] counts (40 bins of H on [0, hMax] × 50 bins of log10 p on [−6, 0],
    /// p < 1e-6 in the first bin), gate histogram (40 bins on [0, 1]).
    public var densityHMax: Double
    public var density: [[Int]]
    public var gateHistogram: [Int]
    /// Whether the shards store the base model's expected token (format v2 scorers).
    public var hasExpected: Bool = false
    /// Per source: the most frequent (label → expected) pairs among percentile-definition conflicts.
    public var topConflictPairs: [String: [AuditConflictPair]] = [:]
    /// The token view of the HTML report (not part of the JSON).
    public var tokenView: [AuditTokenSample] = []

    enum CodingKeys: String, CodingKey {
        case directory, entropy
        case topK = "top_k"
        case percentile
        case pThreshold = "p_threshold"
        case entropyThreshold = "entropy_threshold"
        case absEntropy = "abs_entropy"
        case absProbability = "abs_probability"
        case gradientNormApproximation = "gradient_norm_approximation"
        case dataset
        case bySource = "by_source"
        case byDomain = "by_domain"
        case topConflictingSamples = "top_conflicting_samples"
        case densityHMax = "density_h_max"
        case density
        case gateHistogram = "gate_histogram"
        case hasExpected = "has_expected"
        case topConflictPairs = "top_conflict_pairs"
    }

    public static let approximationNote = """
        Per-token CE gradient norm wrt logits is sqrt((1-p)^2 + sum_{v!=y} p_v^2). Shards store p and H, not the \
        whole distribution, so sum_{v!=y} p_v^2 is approximated by (1-p)^2 * exp(-H_rest), where H_rest = (H - h(p)) / (1-p) \
        is the entropy of the non-target mass (exact grouping identity, h = binary entropy) and exp(-H_rest) lower-bounds \
        its collision probability (Renyi-2 <= Shannon), tight when that mass is spread evenly. The estimate lies in \
        [(1-p), sqrt(2)(1-p)] like the true norm. With top-K entropy only, H^K stands in for H.
        """
}

/// Computes audits from shards.
public enum Auditor {
    /// Approximate per-token CE gradient norm (see `AuditReport.approximationNote`).
    public static func gradNorm(p: Double, h: Double) -> Double {
        let r = max(0, 1 - p)
        guard r > 1e-12 else { return 0 }
        let hb = (p > 0 ? -p * log(p) : 0) - r * log(r)
        let hRest = max(0, (h - hb) / r)
        return r * (1 + exp(-hRest)).squareRoot()
    }

    static func quantile(_ sorted: [Float], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let x = q * Double(sorted.count - 1)
        let i = Int(x), f = x - Double(i)
        return i + 1 < sorted.count ? Double(sorted[i]) * (1 - f) + Double(sorted[i + 1]) * f : Double(sorted[i])
    }

    public static func audit(directory: String, options: AuditOptions = AuditOptions()) throws -> AuditReport {
        let ds = try ShardDataset(directory: directory)
        var ps: [Float] = [], hs: [Float] = [], gs: [Float] = []
        var tokSample: [Int32] = []
        var sampleSource: [Int32] = [], sampleDomain: [Int32] = []
        var sampleIDs: [String] = []
        var sources: [String] = [], domains: [String] = []
        var srcIndex: [String: Int32] = [:], domIndex: [String: Int32] = [:]
        var allFull = true, allExpected = true
        var tokLabel: [TokenID] = [], tokExpected: [TokenID] = []
        var sampleGlobal: [Int] = []
        var n = 0, global = -1
        try ds.forEach { s in
            global += 1
            guard let st = s.stats else { return }
            sampleGlobal.append(global)
            let si = srcIndex[s.meta.source] ?? { let k = Int32(sources.count); sources.append(s.meta.source); srcIndex[s.meta.source] = k; return k }()
            let di = domIndex[s.meta.domain] ?? { let k = Int32(domains.count); domains.append(s.meta.domain); domIndex[s.meta.domain] = k; return k }()
            sampleSource.append(si); sampleDomain.append(di); sampleIDs.append(s.meta.id)
            if st.entropy == nil { allFull = false }
            if st.expectedID == nil { allExpected = false }
            let h = st.entropy ?? st.topKEntropy
            for t in 1..<max(1, s.ids.count) where s.lossMask[t] != 0 {
                ps.append(exp(st.logprob[t])); hs.append(h[t]); gs.append(st.gate[t]); tokSample.append(Int32(n))
                tokLabel.append(s.ids[t]); tokExpected.append(st.expectedID?[t] ?? 0)
            }
            n += 1
        }
        guard !ps.isEmpty else {
            throw PipelineError("no scored label tokens in \(directory)", hint: "the pipeline needs a score stage")
        }
        let q = options.percentile / 100
        let pSorted = ps.sorted(), hSorted = hs.sorted()
        let pT = quantile(pSorted, q), hT = quantile(hSorted, q)
        let hMax = max(0.5, Double(hSorted.last!))

        // A sample's label tokens are contiguous, so distinct samples are counted by change of sample.
        struct Acc { var samples = 0, lastSample: Int32 = -1; var n = 0; var g = 0.0, p = 0.0, h = 0.0, cp = 0, ca = 0, gn = 0.0, gnp = 0.0, gna = 0.0
            var pv: [Float] = [], hv: [Float] = [] }
        var all = Acc()
        var bySrc = [Acc](repeating: Acc(), count: sources.count), byDom = [Acc](repeating: Acc(), count: domains.count)
        var perSample = [(Int, Int)](repeating: (0, 0), count: n)
        var density = [[Int]](repeating: [Int](repeating: 0, count: 50), count: 40)
        var gateHist = [Int](repeating: 0, count: 40)
        var pairs = ConflictPairCounter()
        func add(_ a: inout Acc, _ i: Int, _ cpB: Bool, _ caB: Bool, _ gn: Double, keepValues: Bool) {
            if tokSample[i] != a.lastSample { a.samples += 1; a.lastSample = tokSample[i] }
            a.n += 1
            a.g += Double(gs[i]); a.p += Double(ps[i]); a.h += Double(hs[i])
            if cpB { a.cp += 1; a.gnp += gn }
            if caB { a.ca += 1; a.gna += gn }
            a.gn += gn
            if keepValues { a.pv.append(ps[i]); a.hv.append(hs[i]) }
        }
        for i in 0..<ps.count {
            let p = Double(ps[i]), h = Double(hs[i])
            let cpB = p <= pT && h <= hT, caB = h <= options.absEntropy && p <= options.absProbability
            let gn = gradNorm(p: p, h: h)
            add(&all, i, cpB, caB, gn, keepValues: false)
            let s = Int(tokSample[i])
            add(&bySrc[Int(sampleSource[s])], i, cpB, caB, gn, keepValues: true)
            add(&byDom[Int(sampleDomain[s])], i, cpB, caB, gn, keepValues: true)
            perSample[s].0 += 1
            if cpB {
                perSample[s].1 += 1
                if allExpected { pairs.add(source: sampleSource[s], label: tokLabel[i], expected: tokExpected[i], sample: Int32(s)) }
            }
            density[min(39, Int(h / hMax * 40))][min(49, max(0, Int((log10(max(p, 1e-6)) + 6) / 6 * 50)))] += 1
            gateHist[min(39, max(0, Int(Double(gs[i]) * 40)))] += 1
        }
        func group(_ a: Acc, pSorted: [Float]?, hSorted: [Float]?) -> AuditGroup {
            var g = AuditGroup()
            let ps = pSorted ?? a.pv.sorted(), hs = hSorted ?? a.hv.sorted()
            g.samples = a.samples
            g.labelTokens = a.n
            let d = Double(max(1, a.n))
            g.meanGate = a.g / d; g.meanProbability = a.p / d; g.meanEntropy = a.h / d
            g.probabilityQuantiles = [0.05, 0.25, 0.5, 0.75, 0.95].map { quantile(ps, $0) }
            g.entropyQuantiles = [0.05, 0.25, 0.5, 0.75, 0.95].map { quantile(hs, $0) }
            g.conflictRatePercentile = Double(a.cp) / d
            g.conflictRateAbsolute = Double(a.ca) / d
            g.gradShareConflictPercentile = a.gn > 0 ? a.gnp / a.gn : 0
            g.gradShareConflictAbsolute = a.gn > 0 ? a.gna / a.gn : 0
            return g
        }
        var top = (0..<n).filter { perSample[$0].1 > 0 }.map { i in
            AuditSample(index: i, id: sampleIDs[i], source: sources[Int(sampleSource[i])], labelTokens: perSample[i].0,
                        conflictTokens: perSample[i].1, conflictRate: Double(perSample[i].1) / Double(max(1, perSample[i].0)))
        }
        top.sort { ($0.conflictTokens, $0.conflictRate, -$0.index) > ($1.conflictTokens, $1.conflictRate, -$1.index) }
        // Token view: the most conflicting samples of each source (in `top` order), bounded.
        var view: [AuditTokenSample] = []
        var perSource: [String: Int] = [:]
        for t in top where view.count < options.tokenViewMax && perSource[t.source, default: 0] < options.tokenViewPerSource {
            perSource[t.source, default: 0] += 1
            let s = try ds.sample(sampleGlobal[t.index])
            view.append(tokenView(of: s, index: t.index, pThreshold: pT, hThreshold: hT, tokenizer: options.tokenizer,
                                  maxTokens: options.tokenViewMaxTokens))
        }
        var report = AuditReport(
            directory: directory, entropy: allFull ? "full" : "top-k", topK: ds.manifest.topK, percentile: options.percentile,
            pThreshold: pT, entropyThreshold: hT, absEntropy: options.absEntropy, absProbability: options.absProbability,
            gradientNormApproximation: AuditReport.approximationNote,
            dataset: group(all, pSorted: pSorted, hSorted: hSorted),
            bySource: Dictionary(uniqueKeysWithValues: sources.enumerated().map { ($1, group(bySrc[$0], pSorted: nil, hSorted: nil)) }),
            byDomain: Dictionary(uniqueKeysWithValues: domains.enumerated().map { ($1, group(byDom[$0], pSorted: nil, hSorted: nil)) }),
            topConflictingSamples: Array(top.prefix(options.topSamples)), densityHMax: hMax, density: density, gateHistogram: gateHist)
        report.hasExpected = allExpected
        report.topConflictPairs = allExpected
            ? pairs.top(options.topPairs, sources: sources, sampleIDs: sampleIDs, tokenizer: options.tokenizer) : [:]
        report.tokenView = view
        return report
    }
}

extension AuditReport {
    /// Pretty JSON with sorted keys; every rate, mean, quantile and threshold is a JSON float
    /// (`0.0`, never `0`), see `AuditJSON`.
    public func jsonBytes() throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return AuditJSON.pretty(AuditJSON.floatingDoubles(try JSONParser.parse(Array(try e.encode(self)))))
    }

    /// A Markdown summary.
    public func markdown() -> String {
        func pct(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }
        func f(_ x: Double) -> String { String(format: "%.4g", x) }
        var s = "# Confident-conflict audit: \(directory)\n\n"
        s += "Entropy: \(entropy == "full" ? "full vocabulary" : "top-\(topK)") (nats). Percentile definition: p ≤ \(f(pThreshold)) and H ≤ \(f(entropyThreshold)) "
        s += "(bottom \(Int(percentile))% of the dataset's label tokens). Absolute definition: H ≤ \(absEntropy) and p ≤ \(absProbability).\n\n"
        s += "| group | samples | label tokens | mean gate | median p | median H | conflicts (pct) | conflicts (abs) | grad share (pct) | grad share (abs) |\n"
        s += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        func row(_ name: String, _ g: AuditGroup) -> String {
            "| \(name) | \(g.samples) | \(g.labelTokens) | \(f(g.meanGate)) | \(f(g.probabilityQuantiles[2])) | \(f(g.entropyQuantiles[2])) | \(pct(g.conflictRatePercentile)) | \(pct(g.conflictRateAbsolute)) | \(pct(g.gradShareConflictPercentile)) | \(pct(g.gradShareConflictAbsolute)) |\n"
        }
        s += row("**all**", dataset)
        for k in bySource.keys.sorted() { s += row("source `\(k)`", bySource[k]!) }
        for k in byDomain.keys.sorted() { s += row("domain `\(k)`", byDomain[k]!) }
        s += "\n## Most conflicting samples (percentile definition)\n\n| # | id | source | conflict tokens | label tokens | rate |\n|---:|---|---|---:|---:|---:|\n"
        for t in topConflictingSamples { s += "| \(t.index) | `\(t.id)` | \(t.source) | \(t.conflictTokens) | \(t.labelTokens) | \(pct(t.conflictRate)) |\n" }
        s += "\n## Top conflict patterns (label token → what the base model expected)\n\n"
        if !hasExpected {
            s += "These shards do not store the model's expected token (shard format v1, or a scorer without it).\n"
        } else {
            s += "| source | label | expected | count | example |\n|---|---|---|---:|---|\n"
            func code(_ t: String) -> String { "`" + t.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "`", with: "'") + "`" }
            for k in topConflictPairs.keys.sorted() {
                for p in topConflictPairs[k]! { s += "| \(k) | \(code(p.label)) (\(p.labelID)) | \(code(p.expected)) (\(p.expectedID)) | \(p.count) | `\(p.exampleID)` |\n" }
            }
        }
        s += "\nGradient share: \(gradientNormApproximation)\n"
        return s
    }
}
