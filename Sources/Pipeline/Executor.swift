import Foundation
import DataIO
import Records

/// Options of one `eaft run`.
public struct RunOptions {
    public var outDir: String?
    public var resume = false
    /// `(i, N)`: process only work units `k` with `k % N == i`, leave parts for `eaft merge`.
    public var partition: (index: Int, count: Int)?
    public var threads: Int?
    public var rejectsPath: String?
    /// Called after each committed unit (tests use it to simulate crashes).
    public var onUnitCommitted: ((Int) throws -> Void)?
    /// Called after each committed unit with (units done, units to do) of this run (progress bar).
    public var onProgress: ((Int, Int) -> Void)?
    public init() {}
}

/// Recorded in the work directory before any unit is scored; identifies the work so that
/// `--resume` and `eaft merge` only combine parts of the very same selection.
public struct WorkJournal: Codable, Equatable, Sendable {
    public var specHash: String
    public var selectionHash: String
    public var units: Int
    public var unitSamples: Int
    public var partition: Int
    public var partitions: Int
    public var topK: Int
    public var chatTemplate: String?
    public var tokenizer: ShardManifest.Fingerprint?
    public var model: ShardManifest.Fingerprint?
    public var scorer: ShardManifest.ScorerInfo?
    public var stages: [ShardManifest.StageStats]
    public var writer: ShardWriterOptions
    /// Name of the last stage's counts (`score`, or `write` when nothing is scored).
    public var finalStage: String
    /// Set once every unit of this partition is committed.
    public var complete = false

    enum CodingKeys: String, CodingKey {
        case specHash = "spec_hash", selectionHash = "selection_hash", units, unitSamples = "unit_samples"
        case partition, partitions, topK = "top_k", chatTemplate = "chat_template", tokenizer, model, scorer, stages, writer, complete
        case finalStage = "final_stage"
    }

    static func load(_ path: String) -> WorkJournal? {
        guard let b = try? AtomicFile.read(path) else { return nil }
        return try? JSONDecoder().decode(WorkJournal.self, from: Data(b))
    }

    func write(_ path: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(Array(try e.encode(self)) + [0x0A], to: path)
    }
}

/// What a run did.
public struct RunResult {
    public var manifest: ShardManifest?
    public var journal: WorkJournal
    public var unitsProcessed: Int
    public var unitsSkipped: Int
}

/// Runs a pipeline: phase A (select) → phase B (score units in parallel, each committed
/// atomically) → assembly into shards. See schemas/pipeline.md, "Execution".
public enum Executor {
    public static func run(spec: PipelineSpec, components: PipelineComponents, options: RunOptions) throws -> RunResult {
        let out = options.outDir ?? spec.output.dir
        let fm = FileManager.default
        do { try AtomicFile.makeDirectory(out) } catch let e as CoreError {
            throw PipelineError(e.reason, at: SourceLocation(file: out, field: options.outDir == nil ? "output.dir" : nil), hint: e.hint)
        }
        let threads = max(1, options.threads ?? spec.threads ?? 2)
        let partitioned = options.partition != nil
        let (pi, pn) = options.partition ?? (0, 1)
        guard pn >= 1, pi >= 0, pi < pn else { throw PipelineError("partition must be i/N with 0 ≤ i < N") }
        let work = partitioned ? out : out + "/.work"
        let journalPath = work + "/journal.json"

        // Already complete (a finished single run re-invoked with --resume)?
        if !partitioned, options.resume, !fm.fileExists(atPath: work),
           let m = try? ShardManifest.load(directory: out), m.pipelineSpecHash == spec.contentHash {
            return RunResult(manifest: m, journal: WorkJournal(specHash: m.pipelineSpecHash ?? "", selectionHash: "", units: 0, unitSamples: 0,
                                                               partition: 0, partitions: 1, topK: m.topK, stages: m.stages,
                                                               writer: spec.writerOptions, finalStage: "score", complete: true),
                             unitsProcessed: 0, unitsSkipped: 0)
        }

        // Phase A.
        var selector = Selector(spec: spec, components: components, threads: threads)
        if let r = options.rejectsPath { selector.rejects = try RejectSink(path: r) }
        let sel = try selector.run()
        let unitSamples = spec.output.unitSamples ?? 256
        let units = (sel.selected.count + unitSamples - 1) / unitSamples
        var hashBytes: [UInt8] = []
        for c in sel.selected {
            // What the shards will hold of each sample (its tokens, mask and verdict), so a source
            // edited in place after the selection is refused by --resume and by `eaft merge`
            // instead of mixing units of the old and the new text.
            var content: UInt32 = 0
            if let r = c.rendered {
                content = r.ids.withUnsafeBytes { CRC32C.update(content, $0) }
                content = r.mask.withUnsafeBytes { CRC32C.update(content, $0) }
            }
            hashBytes += Array("\(c.ordinal)\u{1F}\(c.record.source)\u{1F}\(c.record.id)\u{1F}\(c.verdict ?? "")\u{1F}\(c.reason ?? "")\u{1F}\(content)\u{1E}".utf8)
        }
        var journal = WorkJournal(
            specHash: spec.contentHash, selectionHash: String(CRC32C.checksum(hashBytes), radix: 16), units: units,
            unitSamples: unitSamples, partition: pi, partitions: pn, topK: spec.scoreStage?.topK ?? 20,
            chatTemplate: spec.template?.label, tokenizer: components.tokenizer,
            model: spec.scoreStage == nil ? nil : components.model, scorer: spec.scoreStage == nil ? nil : components.scorer,
            stages: sel.stages, writer: spec.writerOptions,
            finalStage: spec.scoreStage == nil ? "write" : "score")

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

        // Phase B: units of this partition, skipping verified committed parts.
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
        try processUnits(todo, selected: sel.selected, unitSamples: unitSamples, spec: spec, components: components,
                         threads: threads, partsDir: partsDir, onCommit: options.onUnitCommitted, onProgress: options.onProgress)
        journal.complete = true
        try journal.write(journalPath)
        if partitioned {
            return RunResult(manifest: nil, journal: journal, unitsProcessed: todo.count, unitsSkipped: skipped)
        }
        let manifest = try Assembler.assemble(workDirs: [work], out: out, specHash: spec.contentHash)
        try? fm.removeItem(atPath: work)
        return RunResult(manifest: manifest, journal: journal, unitsProcessed: todo.count, unitsSkipped: skipped)
    }

    /// Scores units on `threads` workers (one scorer each); every unit is committed on its own.
    static func processUnits(_ todo: [Int], selected: [Candidate], unitSamples: Int, spec: PipelineSpec,
                             components: PipelineComponents, threads: Int, partsDir: String,
                             onCommit: ((Int) throws -> Void)?, onProgress: ((Int, Int) -> Void)? = nil) throws {
        guard !todo.isEmpty else { return }
        let lock = NSLock()
        var next = 0, done = 0
        var firstError: Error?
        let workers = min(threads, todo.count)
        Parallel.run(workers) { _ in
            let scorer: TokenScoring?
            do { scorer = spec.scoreStage == nil ? nil : try components.makeScorer?() } catch {
                lock.lock(); if firstError == nil { firstError = error }; lock.unlock()
                return
            }
            if spec.scoreStage != nil && scorer == nil {
                lock.lock(); if firstError == nil { firstError = PipelineError("the score stage needs a model, none was given") }; lock.unlock()
                return
            }
            let worker = UnitWorker(spec: spec, scorer: scorer)
            while true {
                lock.lock()
                if firstError != nil || next >= todo.count { lock.unlock(); return }
                let k = todo[next]
                next += 1
                lock.unlock()
                do {
                    let lo = k * unitSamples, hi = min(selected.count, lo + unitSamples)
                    let part = try worker.build(selected[lo..<hi])
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

/// Builds shards + manifest from committed work units (a single run's work directory, or the
/// directories of N partitions). The result depends only on the units, so a merge of
/// partitions is byte-identical to a single run.
public enum Assembler {
    public static func assemble(workDirs: [String], out: String, specHash: String? = nil) throws -> ShardManifest {
        let fm = FileManager.default
        let journals = try workDirs.map { d -> WorkJournal in
            guard let j = WorkJournal.load(d + "/journal.json") else {
                throw PipelineError("no journal.json: not a pipeline work or partition directory", at: SourceLocation(file: d))
            }
            guard j.complete else {
                throw PipelineError("partition \(j.partition)/\(j.partitions) is not complete", at: SourceLocation(file: d), hint: "rerun it with --resume")
            }
            return j
        }
        let j0 = journals[0]
        for (d, j) in zip(workDirs, journals) {
            guard j.specHash == j0.specHash, j.selectionHash == j0.selectionHash, j.units == j0.units,
                  j.partitions == j0.partitions, j.stages == j0.stages, j.writer == j0.writer else {
                throw PipelineError("partition comes from a different spec or selection", at: SourceLocation(file: d))
            }
        }
        let have = Set(journals.map(\.partition))
        guard have.count == journals.count, have == Set(0..<j0.partitions) else {
            let missing = Set(0..<j0.partitions).subtracting(have).sorted()
            throw PipelineError("need each of the \(j0.partitions) partitions exactly once (missing: \(missing))")
        }
        if let specHash, specHash != j0.specHash { throw PipelineError("work directory belongs to another spec") }
        do { try AtomicFile.makeDirectory(out) } catch let e as CoreError { throw PipelineError(e) }
        // Remove a previous result first so a half-written directory never looks complete.
        try? fm.removeItem(atPath: out + "/manifest.json")
        for n in (try? fm.contentsOfDirectory(atPath: out)) ?? [] where n.hasPrefix("shard-") && (n.hasSuffix(".eaft") || n.hasSuffix(".eaft.tmp")) {
            try fm.removeItem(atPath: out + "/" + n)
        }
        let byPartition = Dictionary(uniqueKeysWithValues: zip(journals.map(\.partition), workDirs))
        let writer = ShardWriter(directory: out, options: j0.writer)
        var score = ShardManifest.StageStats(name: "score")
        for k in 0..<j0.units {
            let dir = byPartition[k % j0.partitions]!
            let part = try UnitPart.read(path: dir + "/parts/" + UnitPart.fileName(k))
            score.input += part.input
            score.kept += part.records.count
            for (r, n) in part.dropped { score.dropped[r, default: 0] += n }
            for rec in part.records { try writer.appendEncoded(rec) }
        }
        let files = try writer.finish()
        var m = ShardManifest(topK: j0.topK)
        m.tokenizer = j0.tokenizer
        m.model = j0.model
        m.scorer = j0.scorer
        m.chatTemplate = j0.chatTemplate
        m.pipelineSpecHash = j0.specHash
        m.stages = j0.stages + [ShardManifest.StageStats(name: j0.finalStage, input: score.input, kept: score.kept, dropped: score.dropped)]
        m.shards = files
        m.samples = files.reduce(0) { $0 + $1.samples }
        m.tokens = files.reduce(0) { $0 + $1.tokens }
        m.labelTokens = files.reduce(0) { $0 + $1.labelTokens }
        try m.write(directory: out)
        return m
    }
}
