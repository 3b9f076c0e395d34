import Curation
import DataIO

/// `sample`: each source listed in `per_source` keeps its bottom-q candidates by sampling key,
/// the other sources together keep the bottom (n − Σ q). Keys are hash(seed, source, id) with
/// the input ordinal as tie-break, so the selection does not depend on input order, chunking
/// or threads (Curation's `BottomK`). A set stage: it sees every kept record before it answers.
struct SamplingStage {
    struct Key: Comparable {
        var hash: UInt64
        var ordinal: Int
        static func < (a: Key, b: Key) -> Bool { (a.hash, a.ordinal) < (b.hash, b.ordinal) }
    }
    private var perSource: [String: BottomK<Key, Candidate>] = [:]
    private var rest: BottomK<Key, Candidate>

    init(_ config: ResolvedPipeline.SampleConfig) {
        for (src, q) in config.perSource { perSource[src] = BottomK(capacity: q) }
        rest = BottomK(capacity: max(0, config.n - config.perSource.values.reduce(0, +)))
    }

    mutating func offer(_ c: Candidate) {
        let k = Key(hash: c.key, ordinal: c.ordinal)
        if perSource[c.record.source] != nil { perSource[c.record.source]!.offer(k, c) } else { rest.offer(k, c) }
    }

    var selected: [Candidate] { (perSource.values.flatMap { $0.items } + rest.items).map(\.value) }
    var evicted: Int { perSource.values.reduce(rest.evicted) { $0 + $1.evicted } }

    /// The stage's counts once every candidate is offered.
    var stats: ShardManifest.StageStats {
        let kept = selected.count
        var s = ShardManifest.StageStats(name: "sample", input: kept + evicted, kept: kept)
        if evicted > 0 { s.dropped["not_sampled"] = evicted }
        return s
    }
}
