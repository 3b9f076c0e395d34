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
        // Loss change from the first to the last evaluation, pooled over the sets (token-weighted).
        func delta(_ match: (String) -> Bool) -> Double? {
            let e = state.evals.filter { match($0.set) }
            guard let s0 = e.first?.step, let s1 = e.last?.step, s1 > s0 else { return nil }
            func pooled(_ step: Int) -> Double {
                let r = e.filter { $0.step == step }
                return r.reduce(0.0) { $0 + $1.loss * Double($1.labelTokens) } / Double(max(1, r.reduce(0) { $0 + $1.labelTokens }))
            }
            return pooled(s1) - pooled(s0)
        }
        forgetting = delta { $0 == "general" || $0.hasPrefix("general:") }; targetDelta = delta { $0 == "target" }
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
        func pts(_ p: [(Double, Double)]) -> [[Double]] { p.map { [$0.0, $0.1] } }
        var series = [LineChart.Series(name: "train loss", color: "#1f77b4", points: pts(history.map { (Double($0.step), $0.loss) }))]
        let palette = [("#2ca02c", "#98df8a"), ("#d62728", "#ff9896"), ("#9467bd", "#c5b0d5"), ("#8c564b", "#c49c94")]
        var names: [String] = []
        for e in evals where !names.contains(e.set) { names.append(e.set) }
        for (si, set) in names.enumerated() {
            let e = evals.filter { $0.set == set }
            let (c1, c2) = palette[si % palette.count]
            series.append(.init(name: "\(set) eval", color: c1, points: pts(e.map { (Double($0.step), $0.loss) })))
            series.append(.init(name: "\(set) H≥2 (base)", color: c2, dash: "dashed",
                                points: pts(e.compactMap { r in r.highEntropyLoss.map { (Double(r.step), $0) } })))
            series.append(.init(name: "\(set) H≤0.5 (base)", color: c2, dash: "dotted",
                                points: pts(e.compactMap { r in r.lowEntropyLoss.map { (Double(r.step), $0) } })))
        }
        return LineChart(xLabel: "optimizer step", series: series.filter { !$0.points.isEmpty }).svg()
    }
}
