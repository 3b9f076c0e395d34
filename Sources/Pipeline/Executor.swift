import Foundation
import DataIO
import Kernels
import Records

/// Runs a pipeline: selection (read and the per-record stages, then sampling; `Selector`) →
/// unit scoring (the selected samples cut into fixed work units, scored in parallel, each
/// committed atomically; `ScoringStage`) → assembly into shards (`Assembler`).
/// See schemas/pipeline.md, "Execution".
public enum Executor {
    public static func run(_ pipeline: ResolvedPipeline, components: PipelineComponents, options: RunOptions) throws -> RunResult {
        let out = options.outDir ?? pipeline.outputDir
        let fm = FileManager.default
        do { try AtomicFile.makeDirectory(out) } catch let e as CoreError {
            throw PipelineError(e.reason, at: SourceLocation(file: out, field: options.outDir == nil ? "output.dir" : nil), hint: e.hint)
        }
        let partitioned = options.partition != nil
        let (pi, pn) = options.partition ?? (0, 1)
        guard pn >= 1, pi >= 0, pi < pn else { throw PipelineError("partition must be i/N with 0 ≤ i < N") }
        let work = partitioned ? out : out + "/.work"
        let journalPath = work + "/journal.json"

        // Already complete (a finished single run re-invoked with --resume)?
        if !partitioned, options.resume, !fm.fileExists(atPath: work),
           let m = try? ShardManifest.load(directory: out), m.pipelineSpecHash == pipeline.specHash {
            return RunResult(manifest: m, journal: WorkJournal(specHash: m.pipelineSpecHash ?? "", selectionHash: "", units: 0, unitSamples: 0,
                                                               partition: 0, partitions: 1, topK: m.topK, stages: m.stages,
                                                               writer: pipeline.writer, finalStage: "score", complete: true),
                             unitsProcessed: 0, unitsSkipped: 0)
        }

        // Selection.
        var selector = Selector(pipeline: pipeline, components: components)
        if let r = options.rejectsPath { selector.rejects = try RejectSink(path: r) }
        let sel = try selector.run()
        selector.rejects = nil  // closes (flushes) the rejects file before any unit is scored
        let unitSamples = pipeline.unitSamples
        let units = (sel.selected.count + unitSamples - 1) / unitSamples
        var journal = WorkJournal(
            specHash: pipeline.specHash, selectionHash: selectionHash(sel.selected), units: units,
            unitSamples: unitSamples, partition: pi, partitions: pn, topK: pipeline.topK,
            chatTemplate: pipeline.spec.template?.label, tokenizer: components.tokenizer,
            model: pipeline.score == nil ? nil : components.model, scorer: pipeline.score == nil ? nil : components.scorer,
            stages: sel.stages, writer: pipeline.writer, finalStage: pipeline.finalStage)

        // Work directory: keep committed parts only when resuming the same work.
        let partsDir = work + "/parts"
        if let old = WorkJournal.load(journalPath) {
            var o = old; o.complete = false
            if !options.resume || o != journal {
                if options.resume {
                    throw PipelineError("the work directory \(work) belongs to a different spec or selection",
                                        hint: "run without --resume to start over")
                }
                try? fm.removeItem(atPath: partsDir)
            }
        } else if !options.resume {
            try? fm.removeItem(atPath: partsDir)
        }
        try fm.createDirectory(atPath: partsDir, withIntermediateDirectories: true)
        for n in (try? fm.contentsOfDirectory(atPath: partsDir)) ?? [] where n.hasSuffix(".tmp") {
            try? fm.removeItem(atPath: partsDir + "/" + n)
        }
        try journal.write(journalPath)

        // Unit scoring: units of this partition, skipping verified committed parts.
        var todo: [Int] = []
        var skipped = 0
        for k in stride(from: pi, to: units, by: pn) {
            let p = partsDir + "/" + UnitPart.fileName(k)
            if fm.fileExists(atPath: p) {
                if (try? UnitPart.read(path: p)) != nil { skipped += 1; continue }
                try? fm.removeItem(atPath: p)
            }
            todo.append(k)
        }
        try scoreUnits(todo, selected: sel.selected, pipeline: pipeline, components: components, partsDir: partsDir,
                       onCommit: options.onUnitCommitted, onProgress: options.onProgress)
        journal.complete = true
        try journal.write(journalPath)
        if partitioned {
            return RunResult(manifest: nil, journal: journal, unitsProcessed: todo.count, unitsSkipped: skipped)
        }
        let manifest = try Assembler.assemble(workDirs: [work], out: out, specHash: pipeline.specHash)
        try? fm.removeItem(atPath: work)
        return RunResult(manifest: manifest, journal: journal, unitsProcessed: todo.count, unitsSkipped: skipped)
    }

    /// What the shards will hold of each sample (its tokens, mask and verdict), so a source
    /// edited in place after the selection is refused by --resume and by `eaft merge` instead of
    /// mixing units of the old and the new text.
    static func selectionHash(_ selected: [Candidate]) -> String {
        var hashBytes: [UInt8] = []
        for c in selected {
            var content: UInt32 = 0
            if let r = c.rendered {
                content = r.ids.withUnsafeBytes { CRC32C.update(content, $0) }
                content = r.mask.withUnsafeBytes { CRC32C.update(content, $0) }
            }
            hashBytes += Array("\(c.ordinal)\u{1F}\(c.record.source)\u{1F}\(c.record.id)\u{1F}\(c.verdict ?? "")\u{1F}\(c.reason ?? "")\u{1F}\(content)\u{1E}".utf8)
        }
        return String(CRC32C.checksum(hashBytes), radix: 16)
    }

    /// Scores units on `pipeline.threads.workers` workers (one scorer each); every unit is
    /// committed on its own. The thread plan is applied here, once, before any scorer exists:
    /// the GEMM thread count is process-wide (`Threads`).
    static func scoreUnits(_ todo: [Int], selected: [Candidate], pipeline: ResolvedPipeline, components: PipelineComponents,
                           partsDir: String, onCommit: ((Int) throws -> Void)?, onProgress: ((Int, Int) -> Void)? = nil) throws {
        guard !todo.isEmpty else { return }
        if pipeline.score != nil { Threads.use(pipeline.threads.scorerThreads) }
        let lock = NSLock()
        var next = 0, done = 0
        var firstError: Error?
        let workers = min(pipeline.threads.workers, todo.count)
        let unitSamples = pipeline.unitSamples
        Parallel.run(workers) { _ in
            let scorer: Scorer?
            do { scorer = pipeline.score == nil ? nil : try components.makeScorer?() } catch {
                lock.lock(); if firstError == nil { firstError = error }; lock.unlock()
                return
            }
            if pipeline.score != nil && scorer == nil {
                lock.lock(); if firstError == nil { firstError = PipelineError("the score stage needs a model, none was given") }; lock.unlock()
                return
            }
            let stage = ScoringStage(scorer: scorer, topK: pipeline.topK)
            while true {
                lock.lock()
                if firstError != nil || next >= todo.count { lock.unlock(); return }
                let k = todo[next]
                next += 1
                lock.unlock()
                do {
                    let lo = k * unitSamples, hi = min(selected.count, lo + unitSamples)
                    let part = try stage.build(selected[lo..<hi])
                    try AtomicFile.write(part.encoded(), to: partsDir + "/" + UnitPart.fileName(k))
                    try onCommit?(k)
                    lock.lock(); done += 1; let d = done; lock.unlock()
                    onProgress?(d, todo.count)
                } catch {
                    lock.lock(); if firstError == nil { firstError = error }; lock.unlock()
                    return
                }
            }
        }
        if let e = firstError { throw e }
    }
}
