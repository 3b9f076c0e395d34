import Curation
import Records

/// `dedup` on Curation's deduplicators: exact (`ExactDeduplicator`: same normalised text) and/or
/// near (`MinHashDeduplicator` sketches, decided by `MinHashIndex`). The keys are pure functions
/// of the record (parallel part); `decide` runs in input order on the one index, exact first,
/// then near, so the first record wins and every drop names a record that is kept. Every
/// partition recomputes the selection in full, so all of them see the same decisions.
final class DeduplicationStage: RecordStage {
    /// Dedup keys of one record.
    struct Keys: Sendable {
        var digest: Digest128?
        var sketch: MinHashDeduplicator.Sketch?
    }

    let name = "dedup"
    var counter = StageCounter(name: "dedup")
    let key: ResolvedPipeline.DedupConfig.Key
    let useExact: Bool
    let sketcher: MinHashDeduplicator?
    private var exact: ExactDeduplicator?
    private var near: MinHashIndex?

    init(_ config: ResolvedPipeline.DedupConfig) {
        key = config.key
        useExact = config.exact
        // threads = 1: sketches are computed per record inside the selection's parallel chunk.
        sketcher = config.near.map { MinHashDeduplicator(config: $0, threads: 1) }
        exact = config.exact ? ExactDeduplicator() : nil
        near = sketcher.map { MinHashIndex(config: $0.config) }
    }

    /// The compared text: the user turns, or the whole conversation (`CurationText`).
    func text(of r: Record) -> String {
        key == .conversation ? CurationText.text(of: r) : CurationText.prompt(of: r)
    }

    func evaluate(_ c: inout Candidate) -> Keys {
        let t = text(of: c.record)
        return Keys(digest: useExact ? ExactDeduplicator.digest(t) : nil, sketch: sketcher?.sketch(t))
    }

    func settlesDrop(_ e: Keys) -> Bool { false }

    /// Drops with `exact_duplicate` / `near_duplicate` naming the kept record; a record enters the
    /// exact set only once both keep it.
    func decide(_ k: Keys, for c: Candidate) -> StageDecision {
        let id = Self.name(c.record)
        if let d = k.digest, case .drop(let why)? = exact?.check(digest: d) { return .drop(reason: why.code, detail: why.detail) }
        if let s = k.sketch, case .drop(let why)? = near?.decide(s, id: id) { return .drop(reason: why.code, detail: why.detail) }
        if let d = k.digest { exact?.insert(digest: d, id: id) }
        return .keep
    }

    /// How a record is named in drop reasons: `source:id` (ids are unique per source).
    static func name(_ r: Record) -> String { r.id.hasPrefix(r.source + ":") ? r.id : r.source + ":" + r.id }
}
