import DataIO
import Records

/// The last stage, per work unit: turns one unit of selected candidates (rendered by the
/// selection) into shard records, scoring them with the `Scorer` when the spec has a score
/// stage. Its counts are the manifest's `score` stage (`write` when nothing is scored).
/// One instance per worker.
struct ScoringStage {
    let scorer: Scorer?
    /// K of the top-K entropy.
    let topK: Int

    func build(_ unit: ArraySlice<Candidate>) throws -> UnitPart {
        var part = UnitPart(records: [], input: unit.count, dropped: [:])
        var toScore: [(Candidate, RenderedConversation)] = []
        for c in unit {
            guard let rc = c.rendered else {
                // No template: nothing to tokenize; the record is not emitted.
                part.dropped["no_template", default: 0] += 1
                continue
            }
            if let s = scorer, rc.ids.count > s.maxPositions {
                part.dropped["too_long_for_model", default: 0] += 1
                continue
            }
            if rc.ids.count < 2 && scorer != nil {
                part.dropped["too_short_to_score", default: 0] += 1
                continue
            }
            toScore.append((c, rc))
        }
        var stats: [TokenStats?] = Array(repeating: nil, count: toScore.count)
        if let s = scorer, !toScore.isEmpty {
            // The whole unit at once: the scorer batches (see `Scorer`); a unit is a fixed slice
            // of the selection, so the batches never depend on threads.
            let cols = try s.score(batch: toScore.map { $0.1.ids }, topK: topK)
            guard cols.count == toScore.count else { throw PipelineError("scorer returned \(cols.count) results for \(toScore.count) sequences") }
            stats = cols
        }
        for (k, (c, rc)) in toScore.enumerated() {
            var s = ShardSample(meta: ShardSampleMeta(id: c.record.id, source: c.record.source, domain: c.record.domain.rawValue,
                                                      verdict: c.verdict, reason: c.reason),
                                ids: rc.ids, lossMask: rc.mask)
            if let st = stats[k] {
                guard st.lengthProblem(tokens: rc.ids.count) == nil else {
                    throw PipelineError("scorer returned wrong lengths for sample \(c.record.id)")
                }
                try Self.checkFinite(st, sample: c.record.id, source: c.record.source)
                s.stats = st
            }
            part.records.append(s.encoded())
        }
        return part
    }

    /// A non-finite statistic (NaN / ±Inf from a model whose weights or activations overflow)
    /// stops the run naming the sample, the column and the token, instead of reaching a shard.
    static func checkFinite(_ st: TokenStats, sample id: String, source: String) throws {
        guard let (name, t, v) = st.firstNonFinite() else { return }
        throw PipelineError("the scorer returned \(v) for \(name) at token \(t) of sample \(id) (source \(source))",
                            hint: "the model's weights or activations are not finite there; check the checkpoint for NaN/Inf weights and its dtype")
    }
}
