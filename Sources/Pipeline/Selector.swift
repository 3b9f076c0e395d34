import Foundation
import DataIO
import Records

/// The selection: streams every input through the per-record stages (render, then verify,
/// dedup, decontaminate, filter in spec order) and the sample stage. Chunks of records are
/// evaluated in parallel (each stage's `evaluate`); the stages' `decide` and sampling run in
/// input order, so the result never depends on the thread count.
struct Selector {
    let pipeline: ResolvedPipeline
    let components: PipelineComponents
    var rejects: RejectSink?
    static let chunkSize = 512

    struct Result {
        var selected: [Candidate]
        var stages: [ShardManifest.StageStats]
    }

    /// One record after the parallel part: its evaluations, one per stage evaluated.
    private struct Evaluated {
        var candidate: Candidate
        var location: SourceLocation
        var evaluations: [any Sendable] = []
    }

    /// The per-record stages of `pipeline`, render first.
    func makeStages() throws -> [any RecordStage] {
        var stages: [any RecordStage] = [RenderingStage(renderer: components.renderer)]
        for config in pipeline.recordStages {
            switch config {
            case .verify(let v): stages.append(VerificationStage(v, verifier: components.verifier))
            case .dedup(let d): stages.append(DeduplicationStage(d))
            case .decontaminate(let d): stages.append(try DecontaminationStage(d))
            case .filter(let f): stages.append(LengthFilterStage(f))
            }
        }
        return stages
    }

    func run() throws -> Result {
        var read = StageCounter(name: "read")
        let stages = try makeStages()
        var sampler = pipeline.sample.map(SamplingStage.init)
        var all: [Candidate] = []
        var ordinal = 0

        func process(_ chunk: [(Int, Record, SourceLocation)]) {
            var evaluated = [Evaluated?](repeating: nil, count: chunk.count)
            let workers = max(1, min(pipeline.threads.workers, chunk.count))
            evaluated.withUnsafeMutableBufferPointer { out in
                let base = out
                Parallel.run(workers) { w in
                    var i = w
                    while i < chunk.count {
                        base[i] = evaluate(chunk[i].0, chunk[i].1, chunk[i].2, stages)
                        i += workers
                    }
                }
            }
            // Sequential part, in input order: each evaluated stage decides until one drops.
            for case let e? in evaluated {
                var dropped = false
                for (stage, evaluation) in zip(stages, e.evaluations) {
                    if case .drop(let reason, let detail) = stage.decideCounted(evaluation, for: e.candidate) {
                        rejects?.write(stage: stage.name, reason: reason, detail: detail, e.candidate.record, e.location)
                        dropped = true
                        break
                    }
                }
                if dropped { continue }
                if sampler != nil { sampler!.offer(e.candidate) } else { all.append(e.candidate) }
            }
        }

        var chunk: [(Int, Record, SourceLocation)] = []
        for input in pipeline.inputs {
            let stream = try components.openInput(input)
            var rows = 0
            while let item = try stream.next() {
                if let limit = input.limit, rows >= limit { break }
                rows += 1
                read.input += 1
                switch item {
                case .bad(let reason, let detail, let loc):
                    read.dropped[reason, default: 0] += 1
                    rejects?.writeBad(reason: reason, detail: detail, loc)
                case .record(let r, let loc):
                    read.kept += 1
                    chunk.append((ordinal, r, loc))
                    ordinal += 1
                    if chunk.count >= Selector.chunkSize { process(chunk); chunk.removeAll(keepingCapacity: true) }
                }
            }
        }
        if !chunk.isEmpty { process(chunk) }

        var stats = [read.stats] + stages.map { $0.counter.stats }
        var selected = all
        if let sampler {
            selected = sampler.selected
            stats.append(sampler.stats)
        }
        selected.sort { $0.ordinal < $1.ordinal }
        return Result(selected: selected, stages: stats)
    }

    /// The parallel part for one record: each stage's evaluation, up to the first that settles a drop.
    private func evaluate(_ ordinal: Int, _ r: Record, _ loc: SourceLocation, _ stages: [any RecordStage]) -> Evaluated {
        var e = Evaluated(candidate: Candidate(ordinal: ordinal, key: StableHash.string(r.source + "\u{1F}" + r.id, seed: pipeline.seed), record: r),
                          location: loc)
        for stage in stages {
            let (evaluation, dropped) = stage.evaluateAny(&e.candidate)
            e.evaluations.append(evaluation)
            if dropped { break }
        }
        return e
    }
}
