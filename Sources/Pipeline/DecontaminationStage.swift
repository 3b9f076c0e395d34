import Curation
import Foundation
import Records

/// `decontaminate`: drops records whose prompt shares a long n-gram with an evaluation set
/// (Curation's `Decontaminator`); the reason names the benchmark item.
final class DecontaminationStage: RecordStage {
    let name = "decontaminate"
    var counter = StageCounter(name: "decontaminate")
    let decontaminator: Decontaminator

    /// Loads the benchmark files.
    init(_ config: ResolvedPipeline.DecontaminateConfig) throws {
        let benches = try config.against.map { a -> Benchmark in
            do {
                return try Benchmark.load(jsonl: URL(fileURLWithPath: a.path), name: a.name ?? a.path, fields: [a.field], required: true)
            } catch let e as CurationError {
                throw PipelineError(e.reason, at: e.location, hint: e.hint)
            }
        }
        // threads = 1: records are checked inside the selection's parallel chunk.
        decontaminator = Decontaminator(benchmarks: benches, n: config.ngram, threads: 1)
    }

    func evaluate(_ c: inout Candidate) -> StageDecision {
        if case .drop(let why) = decontaminator.decide(text: CurationText.prompt(of: c.record)) {
            return .drop(reason: why.code, detail: why.detail)
        }
        return .keep
    }
}
