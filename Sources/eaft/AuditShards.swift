import ArgumentParser
import DataIO
import Foundation
import Pipeline

struct AuditShards: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Confident-conflict audit of a shard directory (per dataset, source and domain).",
        discussion: """
            Reports label-token counts, mean gate, quantiles of p and H, confident-conflict rates under the \
            joint-percentile definition (p and H both in the bottom q% of the dataset's label tokens) and the \
            absolute one (H ≤ --abs-entropy and p ≤ --abs-probability), the share of the CE gradient norm on \
            conflict tokens, and the most conflicting samples. JSON goes to stdout unless --json is given.
            """)

    @Argument(help: "Shard directory (with manifest.json).") var directory: String
    @Option(help: "Write the JSON report here.") var json: String?
    @Option(help: "Write a self-contained HTML report (inline SVG figures) here.") var html: String?
    @Option(help: "Write a Markdown report here.") var md: String?
    @Option(help: "Percentile q of the joint-percentile definition.") var percentile: Double = 15
    @Option(help: "Entropy bound (nats) of the absolute definition.") var absEntropy: Double = 0.5
    @Option(help: "Probability bound of the absolute definition.") var absProbability: Double = 0.1
    @Option(help: "How many most-conflicting samples to list.") var top: Int = 20
    @Option(help: "tokenizer.json to decode tokens (default: the manifest's tokenizer, if its checksum still matches).")
    var tokenizer: String?
    @Option(help: "Print this sample's tokens (p, H, gate, expected token) instead of the report.") var sample: String?

    func run() throws {
        var o = AuditOptions()
        o.percentile = percentile
        o.absEntropy = absEntropy
        o.absProbability = absProbability
        o.topSamples = top
        let rep: AuditReport
        do {
            o.tokenizer = try AuditTokenizer.load(directory: directory, explicit: tokenizer)
            if let sample {
                let text = try Auditor.sampleText(directory: directory, id: sample, options: o, color: isatty(1) == 1)
                FileHandle.standardOutput.write(Data(text.utf8))
                return
            }
            rep = try Auditor.audit(directory: directory, options: o)
        } catch {
            throw CLIOutput.fail("\(error)")
        }
        let j = try rep.jsonBytes()
        if let json { try Data(j).write(to: URL(fileURLWithPath: json)) }
        if let html { try rep.html().write(toFile: html, atomically: true, encoding: .utf8) }
        if let md { try rep.markdown().write(toFile: md, atomically: true, encoding: .utf8) }
        if json == nil { CLIOutput.emit(j) } else {
            // A compact summary on stdout.
            var s = "{\"label_tokens\": \(rep.dataset.labelTokens), \"mean_gate\": \(rep.dataset.meanGate), "
            s += "\"conflict_rate_percentile\": \(rep.dataset.conflictRatePercentile), \"conflict_rate_absolute\": \(rep.dataset.conflictRateAbsolute)}\n"
            CLIOutput.emit(Array(s.utf8))
        }
    }
}
