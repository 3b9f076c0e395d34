import Curation
import Foundation
import Records

/// The dedup stage on Curation's deduplicators. The keys (exact digest, MinHash sketch) are
/// pure functions of the record, computed in the parallel part of phase A; `decide` runs in
/// input order on the one sequential state, so the outcome never depends on threads. Every
/// partition recomputes phase A in full, so all of them see the same decisions.
struct DedupPlan: Sendable {
    let key: String
    let exact: Bool
    let sketcher: MinHashDeduplicator?

    init(_ stage: DedupStage) {
        key = stage.key ?? "prompt"
        exact = stage.exact ?? true
        // validate() has checked the config; threads = 1: sketches are computed per record
        // inside phase A's own parallel chunk.
        sketcher = stage.near.flatMap(\.config).map { MinHashDeduplicator(config: $0, threads: 1) }
    }

    /// The compared text: the user turns, or the whole conversation (`CurationText`).
    func text(of r: Record) -> String {
        key == "conversation" ? CurationText.text(of: r) : CurationText.prompt(of: r)
    }

    /// Keys of one record (parallel part).
    func keys(_ r: Record) -> DedupKeys {
        let t = text(of: r)
        return DedupKeys(digest: exact ? ExactDeduplicator.digest(t) : nil, sketch: sketcher?.sketch(t))
    }

    func makeState() -> DedupState {
        DedupState(exact: exact ? ExactDeduplicator() : nil, near: sketcher.map { MinHashIndex(config: $0.config) })
    }
}

/// Dedup keys of one record.
struct DedupKeys: Sendable {
    var digest: Digest128?
    var sketch: MinHashDeduplicator.Sketch?
}

/// The sequential state of the dedup stage: exact first, then near. A record enters the exact
/// set only once both keep it, so every drop names a record that is kept.
struct DedupState {
    var exact: ExactDeduplicator?
    var near: MinHashIndex?

    /// nil = keep; else why the record is dropped (`exact_duplicate` / `near_duplicate`: of <id>).
    mutating func decide(_ k: DedupKeys, id: String) -> DropReason? {
        if let d = k.digest, case .drop(let why)? = exact?.check(digest: d) { return why }
        if let s = k.sketch, case .drop(let why)? = near?.decide(s, id: id) { return why }
        if let d = k.digest { exact?.insert(digest: d, id: id) }
        return nil
    }

    /// How a record is named in drop reasons: `source:id` (ids are unique per source).
    static func name(_ r: Record) -> String { r.id.hasPrefix(r.source + ":") ? r.id : r.source + ":" + r.id }
}

extension DecontaminateStage {
    /// Loads the benchmark files into Curation's n-gram `Decontaminator`.
    func decontaminator(threads: Int) throws -> Decontaminator {
        let benches = try against.map { a -> Benchmark in
            do {
                return try Benchmark.load(jsonl: URL(fileURLWithPath: a.path), name: a.name ?? a.path, fields: [a.field], required: true)
            } catch let e as CurationError {
                throw PipelineError(e.reason, at: e.location, hint: e.hint)
            }
        }
        return Decontaminator(benchmarks: benches, n: ngram ?? 13, threads: threads)
    }
}
