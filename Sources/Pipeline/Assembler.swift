import DataIO
import Foundation
import Records

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
        m.setShards(files)
        try m.write(directory: out)
        return m
    }
}
