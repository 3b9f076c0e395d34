import Core
import ArgumentParser
import DataIO
import Foundation
import Pipeline
import Records

struct RunPipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline spec (pipelines/*.yaml): read, verify, dedup, decontaminate, filter, sample, score, write shards.",
        discussion: """
            Output: shard-NNNNN.eaft files and manifest.json in the output directory; per-stage counts are \
            printed as JSON. The selected samples are cut into fixed work units that are committed one by one, \
            so an interrupted run (even kill -9) continues with --resume and ends byte-identical to an \
            uninterrupted one. --partition i/N scores only units k ≡ i (mod N); join the N outputs with \
            `eaft merge`. The thread count never changes the output bytes. See schemas/pipeline.md.
            """)

    @Argument(help: "Pipeline spec (YAML).") var spec: String
    @Option(help: "Output directory (default: output.dir of the spec).") var out: String?
    @Flag(help: "Continue an interrupted run, keeping its committed work units.") var resume = false
    @Option(help: "Process partition i of N (e.g. 3/8); leaves parts for `eaft merge`.") var partition: String?
    @Option(help: "Worker threads (default: the spec's `threads`, else 2).") var threads: Int?
    @Option(help: "Write every dropped record with its stage and reason here (JSON Lines).") var rejects: String?

    @Flag(help: "Print the GEMM kernel in use (OpenBLAS core, CPU) once on stderr.") var verbose = false

    func run() throws {
        if verbose { KernelInfo.printOnce() }
        do {
            let s = try PipelineSpec.load(path: spec)
            var o = RunOptions()
            o.outDir = out
            o.resume = resume
            o.rejectsPath = rejects
            if let p = partition {
                let parts = p.split(separator: "/")
                guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else {
                    throw CLIOutput.fail("--partition must look like i/N with 0 ≤ i < N (got \(p))")
                }
                o.partition = (i, n)
            }
            let pipeline = ResolvedPipeline(spec: s, threads: threads)
            let components = try ComponentLoader.load(pipeline)
            let t0 = Date()
            let bar = TerminalProgress()
            o.onProgress = { done, total in bar.update(done: done, total: total, detail: "work units scored and committed") }
            let r: RunResult
            do { r = try Executor.run(pipeline, components: components, options: o) } catch { bar.finish(); throw error }
            bar.finish()
            var summary = "{\"units_processed\": \(r.unitsProcessed), \"units_skipped\": \(r.unitsSkipped), "
            summary += "\"seconds\": \(String(format: "%.2f", Date().timeIntervalSince(t0)))}\n"
            CLIOutput.log(summary)
            if let m = r.manifest {
                CLIOutput.emit(try m.encoded())
            } else {
                let e = JSONEncoder()
                e.outputFormatting = [.sortedKeys, .prettyPrinted]
                CLIOutput.emit(Array(try e.encode(r.journal)) + [0x0A])
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            throw CLIOutput.fail("\(error)")
        }
    }
}
