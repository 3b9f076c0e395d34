import ArgumentParser
import Foundation
import Training

/// `eaft plot CHART.json --out FIG.svg`: draws a `LineChart` (schemas: `LineChart` in
/// Sources/Training/LineChart.swift) as a self-contained SVG. Used by the experiment reports.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a line chart (JSON: {title?, x_label, y_label?, series: [{name, color, dash?, points: [[x, y]], low?, high?}]}) as SVG.")

    @Argument(help: "Chart JSON file.") var input: String
    @Option(help: "Output SVG path (written atomically).") var out: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: input) else { throw TrainError("cannot read chart", at: input) }
        let chart: LineChart
        do { chart = try JSONDecoder().decode(LineChart.self, from: data) } catch {
            throw TrainError("not a chart: \(error)", at: input, hint: "see `eaft plot --help` for the fields")
        }
        try Checkpoint.write(chart.svg(), to: out)
    }
}
