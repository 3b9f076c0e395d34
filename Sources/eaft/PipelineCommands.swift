import ArgumentParser
import DataIO
import Foundation
import Pipeline

/// Subcommands of the Pipeline area (run, audit, verify, merge). Registered in EAFT.swift.
enum PipelineCommands {
    static let all: [ParsableCommand.Type] = [RunPipeline.self, AuditShards.self, VerifyShards.self, MergeShards.self]
}

/// Writes `text` to stdout.
func emitJSON(_ bytes: [UInt8]) {
    FileHandle.standardOutput.write(Data(bytes))
}

/// Prints an error for the user and exits non-zero (never a stack trace).
func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
    return ExitCode(code)
}

struct VerifyShards: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a shard directory: manifest, file sizes and CRC-32C, headers, index, every block.",
        discussion: "Prints a JSON report; exits 1 and names the corrupt file and block on any problem.")

    @Argument(help: "Shard directory (with manifest.json).") var directory: String

    func run() throws {
        let rep = ShardVerifier.verify(directory: directory)
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var out = Array(try e.encode(rep))
        out.append(0x0A)
        emitJSON(out)
        if !rep.ok {
            for p in rep.problems { FileHandle.standardError.write(Data(("corrupt: " + p + "\n").utf8)) }
            throw ExitCode(1)
        }
    }
}

struct MergeShards: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the outputs of `eaft run --partition i/N` into one shard directory.",
        discussion: """
            Give all N partition directories (any order). The result is byte-identical to an unpartitioned \
            run of the same spec (same shards, same manifest.json).
            """)

    @Argument(help: "Partition output directories.") var directories: [String]
    @Option(name: .long, help: "Output directory.") var out: String

    func run() throws {
        guard !directories.isEmpty else { throw fail("give the partition directories to merge") }
        do {
            let m = try Assembler.assemble(workDirs: directories, out: out)
            emitJSON(try m.encoded())
        } catch let e as PipelineError {
            throw fail(e.description)
        } catch let e as DataIOError {
            throw fail(e.description)
        }
    }
}

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
                // The conflict thresholds come from the whole dataset, so the audit runs first.
                let (i, s) = try Auditor.findSample(directory: directory, id: sample)
                var q = o
                q.tokenViewMax = 0
                let r = try Auditor.audit(directory: directory, options: q)
                let v = Auditor.tokenView(of: s, index: i, pThreshold: r.pThreshold, hThreshold: r.entropyThreshold, tokenizer: o.tokenizer)
                FileHandle.standardOutput.write(Data(AuditSampleText.render(v, color: isatty(1) == 1).utf8))
                return
            }
            rep = try Auditor.audit(directory: directory, options: o)
        } catch {
            throw fail("\(error)")
        }
        let j = try rep.jsonBytes()
        if let json { try Data(j).write(to: URL(fileURLWithPath: json)) }
        if let html { try rep.html().write(toFile: html, atomically: true, encoding: .utf8) }
        if let md { try rep.markdown().write(toFile: md, atomically: true, encoding: .utf8) }
        if json == nil { emitJSON(j) } else {
            // A compact summary on stdout.
            var s = "{\"label_tokens\": \(rep.dataset.labelTokens), \"mean_gate\": \(rep.dataset.meanGate), "
            s += "\"conflict_rate_percentile\": \(rep.dataset.conflictRatePercentile), \"conflict_rate_absolute\": \(rep.dataset.conflictRateAbsolute)}\n"
            emitJSON(Array(s.utf8))
        }
    }
}
