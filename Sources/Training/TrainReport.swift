import Foundation

/// The final training report: `report.json` (summary, per-step history, evaluations,
/// forgetting) and `report.svg` (loss curves; self-contained, no scripts or external assets).
public struct TrainReport: Sendable, Codable, Equatable {
    public var steps: Int
    public var finalLoss: Double?
    public var meanTokensPerS: Double
    public var elapsedS: Double
    /// general-set loss now minus before training (nil without a general set).
    public var forgetting: Double?
    /// target-set loss change (negative = learned).
    public var targetDelta: Double?
    public var checkpoint: String
    public var evals: [EvalResult]
    public var history: [StepMetrics]
    enum CodingKeys: String, CodingKey {
        case steps, finalLoss = "final_loss", meanTokensPerS = "mean_tokens_per_s", elapsedS = "elapsed_s", forgetting
        case targetDelta = "target_delta", checkpoint, evals, history
    }

    public init(state: TrainerState, checkpoint: String) {
        steps = state.step
        finalLoss = state.history.last?.loss
        let toks = state.history.reduce(0) { $0 + $1.tokens }
        elapsedS = state.elapsedS
        meanTokensPerS = state.elapsedS > 0 ? Double(toks) / state.elapsedS : 0
        func delta(_ set: String) -> Double? {
            let e = state.evals.filter { $0.set == set }
            guard let a = e.first, let b = e.last, e.count > 1 else { return nil }
            return b.loss - a.loss
        }
        forgetting = delta("general"); targetDelta = delta("target")
        self.checkpoint = checkpoint
        evals = state.evals; history = state.history
    }

    /// Writes report.json and report.svg into `dir`.
    public func write(to dir: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        try Checkpoint.write(String(decoding: try enc.encode(self), as: UTF8.self) + "\n", to: (dir as NSString).appendingPathComponent("report.json"))
        try Checkpoint.write(svg(), to: (dir as NSString).appendingPathComponent("report.svg"))
    }

    /// Loss curves: training loss per step, eval losses per set, and the base-entropy split.
    public func svg() -> String {
        var series: [(String, String, [(Double, Double)])] = [("train loss", "#1f77b4", history.map { (Double($0.step), $0.loss) })]
        let colors = ["target": ("#2ca02c", "#98df8a"), "general": ("#d62728", "#ff9896")]
        for set in ["target", "general"] {
            let e = evals.filter { $0.set == set }
            if e.isEmpty { continue }
            let (c1, c2) = colors[set]!
            series.append(("\(set) eval", c1, e.map { (Double($0.step), $0.loss) }))
            series.append(("\(set) H≥2 (base)", c2, e.compactMap { r in r.highEntropyLoss.map { (Double(r.step), $0) } }))
            series.append(("\(set) H≤0.5 (base)", c2, e.compactMap { r in r.lowEntropyLoss.map { (Double(r.step), $0) } }))
        }
        let pts = series.flatMap(\.2).filter { $0.1.isFinite }
        let w = 720.0, h = 400.0, l = 60.0, r = 200.0, t = 20.0, b = 40.0
        let x0 = pts.map(\.0).min() ?? 0, x1 = max(pts.map(\.0).max() ?? 1, x0 + 1)
        var y0 = pts.map(\.1).min() ?? 0, y1 = pts.map(\.1).max() ?? 1
        if y1 - y0 < 1e-9 { y0 -= 0.5; y1 += 0.5 }
        func px(_ x: Double) -> Double { l + (x - x0) / (x1 - x0) * (w - l - r) }
        func py(_ y: Double) -> Double { t + (1 - (y - y0) / (y1 - y0)) * (h - t - b) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", l, h - b, w - r, h - b)
        s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", l, t, l, h - b)
        for i in 0...4 {
            let yv = y0 + (y1 - y0) * Double(i) / 4, xv = x0 + (x1 - x0) * Double(i) / 4
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>\n", l - 4, py(yv) + 4, yv)
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>\n", px(xv), h - b + 14, xv)
        }
        s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">optimizer step</text>\n", (l + w - r) / 2, h - 6)
        for (i, (name, color, p)) in series.enumerated() where !p.isEmpty {
            let dash = name.contains("H≥2") ? " stroke-dasharray=\"6 3\"" : name.contains("H≤0.5") ? " stroke-dasharray=\"2 2\"" : ""
            let coords = p.filter { $0.1.isFinite }.map { String(format: "%.1f,%.1f", px($0.0), py($0.1)) }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"\(dash) points=\"\(coords)\"/>\n"
            let ly = t + 14 * Double(i)
            s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"", w - r + 10, ly, w - r + 30, ly)
                + " stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>\n"
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\">", w - r + 34, ly + 4) + name.replacingOccurrences(of: "<", with: "&lt;") + "</text>\n"
        }
        s += "</svg>\n"
        return s
    }
}
