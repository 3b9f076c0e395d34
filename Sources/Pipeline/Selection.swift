import Foundation
import Curation
import DataIO
import Records

/// A record that passed every per-record stage, rendered and ready to score.
struct Candidate: Sendable {
    var ordinal: Int
    var key: UInt64
    var record: Record
    var verdict: String?
    var reason: String?
    var rendered: RenderedConversation?
}

/// Counts of one stage while running.
struct StageCounter {
    var name: String
    var input = 0
    var kept = 0
    var dropped: [String: Int] = [:]
    var verdicts: [String: Int]?
    var stats: ShardManifest.StageStats { .init(name: name, input: input, kept: kept, dropped: dropped, verdicts: verdicts) }
}

/// Phase A: stream every input through the per-record stages (verify, dedup, decontaminate,
/// filter, in spec order) and the sample stage. Chunks of records are processed in parallel
/// (verification, rendering, dedup keys, decontamination, length checks); dedup decisions and
/// sampling run sequentially in input order, so the result never depends on the thread count.
struct Selector {
    let spec: PipelineSpec
    let components: PipelineComponents
    let threads: Int
    var rejects: RejectSink?
    static let chunkSize = 512

    struct Result {
        var selected: [Candidate]
        var stages: [ShardManifest.StageStats]
    }

    private struct Outcome {
        var candidate: Candidate?
        var dropStage: Int = -1
        var dropReason = ""
        /// Which record / benchmark item / verifier reason: the rejects file's `detail`.
        var dropDetail: String?
        var dedupKeys = DedupKeys()
        var location: SourceLocation
    }

    func run() throws -> Result {
        let perRecord = spec.stages.filter { $0.name != "sample" && $0.name != "score" }
        var counters = [StageCounter(name: "read"), StageCounter(name: "render")] + perRecord.map { st in
            var c = StageCounter(name: st.name)
            if case .verify = st { c.verdicts = [:] }
            return c
        }
        let decontaminator: Decontaminator? = try perRecord.compactMap { s -> Decontaminator? in
            if case .decontaminate(let d) = s { return try d.decontaminator(threads: 1) }
            return nil
        }.first
        let dedupPlan: DedupPlan? = perRecord.compactMap { s -> DedupPlan? in
            if case .dedup(let d) = s { return DedupPlan(d) }
            return nil
        }.first
        var dedupState = dedupPlan?.makeState()
        var sampler: SampleSelector? = nil
        for s in spec.stages { if case .sample(let x) = s { sampler = SampleSelector(x) } }
        var all: [Candidate] = []
        var ordinal = 0

        func process(_ chunk: [(Int, Record, SourceLocation)]) throws {
            var outcomes = [Outcome?](repeating: nil, count: chunk.count)
            let workers = max(1, min(threads, chunk.count))
            outcomes.withUnsafeMutableBufferPointer { out in
                let base = out
                Parallel.run(workers) { w in
                    var i = w
                    while i < chunk.count {
                        base[i] = evaluate(chunk[i].0, chunk[i].1, chunk[i].2, perRecord, dedupPlan, decontaminator)
                        i += workers
                    }
                }
            }
            for o in outcomes {
                guard var o else { continue }
                // Sequential part: dedup decisions, counters, rejects.
                var dropAt = o.dropStage
                let renderFailed = dropAt == -2
                if renderFailed {
                    counters[1].input += 1
                    counters[1].dropped[o.dropReason, default: 0] += 1
                    rejects?.write(stage: "render", reason: o.dropReason, o.candidate?.record, o.location)
                    continue
                }
                counters[1].input += 1
                counters[1].kept += 1
                for (si, st) in perRecord.enumerated() {
                    if dropAt >= 0 && dropAt < si { break }
                    counters[2 + si].input += 1
                    if case .verify = st, let v = o.candidate?.verdict { counters[2 + si].verdicts?[v, default: 0] += 1 }
                    if si == dropAt { break }
                    if case .dedup = st, let r = o.candidate?.record,
                       let why = dedupState?.decide(o.dedupKeys, id: DedupState.name(r)) {
                        dropAt = si
                        o.dropReason = why.code
                        o.dropDetail = why.detail
                        break
                    }
                    counters[2 + si].kept += 1
                }
                if dropAt >= 0 {
                    counters[2 + dropAt].dropped[o.dropReason, default: 0] += 1
                    rejects?.write(stage: perRecord[dropAt].name, reason: o.dropReason, detail: o.dropDetail, o.candidate?.record, o.location)
                    continue
                }
                let c = o.candidate!
                if sampler != nil { sampler!.offer(c) } else { all.append(c) }
            }
        }

        var chunk: [(Int, Record, SourceLocation)] = []
        for input in spec.inputs {
            let stream = try components.openInput(input)
            var rows = 0
            while let item = try stream.next() {
                if let limit = input.limit, rows >= limit { break }
                rows += 1
                counters[0].input += 1
                switch item {
                case .bad(let reason, let detail, let loc):
                    counters[0].dropped[reason, default: 0] += 1
                    rejects?.writeBad(reason: reason, detail: detail, loc)
                case .record(let r, let loc):
                    counters[0].kept += 1
                    chunk.append((ordinal, r, loc))
                    ordinal += 1
                    if chunk.count >= Selector.chunkSize { try process(chunk); chunk.removeAll(keepingCapacity: true) }
                }
            }
        }
        if !chunk.isEmpty { try process(chunk) }

        var stats = counters.map(\.stats)
        var selected: [Candidate]
        if let sampler {
            selected = sampler.selected
            var s = ShardManifest.StageStats(name: "sample", input: selected.count + sampler.evicted, kept: selected.count)
            if sampler.evicted > 0 { s.dropped["not_sampled"] = sampler.evicted }
            stats.append(s)
        } else {
            selected = all
        }
        selected.sort { $0.ordinal < $1.ordinal }
        return Result(selected: selected, stages: stats)
    }

    /// The parallel part for one record: verdict, render, dedup keys, per-record drops (except dedup).
    private func evaluate(_ ordinal: Int, _ r: Record, _ loc: SourceLocation, _ perRecord: [Stage], _ dedup: DedupPlan?,
                          _ decontaminator: Decontaminator?) -> Outcome {
        var o = Outcome(location: loc)
        var c = Candidate(ordinal: ordinal, key: StableHash.string(r.source + "\u{1F}" + r.id, seed: spec.seed), record: r)
        if let renderer = components.renderer {
            do { c.rendered = try renderer.render(r) } catch {
                o.dropStage = -2
                o.dropReason = "template_error"
                o.candidate = c
                return o
            }
        }
        for (si, st) in perRecord.enumerated() {
            switch st {
            case .verify(let v):
                guard let verifier = components.verifier else { continue }
                let (verdict, reason) = verifier.verify(r)
                c.verdict = verdict
                c.reason = reason
                if !(v.keep ?? ["correct"]).contains(verdict) { o.dropStage = si; o.dropReason = verdict; o.dropDetail = reason }
            case .dedup:
                if let dedup { o.dedupKeys = dedup.keys(r) }
            case .decontaminate:
                if case .drop(let why)? = decontaminator?.decide(text: CurationText.prompt(of: r)) {
                    o.dropStage = si
                    o.dropReason = why.code
                    o.dropDetail = why.detail
                }
            case .filter(let f):
                guard let rc = c.rendered else { continue }
                if let m = f.minTokens, rc.ids.count < m { o.dropStage = si; o.dropReason = "too_short" }
                else if let m = f.maxTokens, rc.ids.count > m { o.dropStage = si; o.dropReason = "too_long" }
                else if let m = f.minLabelTokens, rc.labelCount < m { o.dropStage = si; o.dropReason = "too_few_label_tokens" }
            case .sample, .score: break
            }
            if o.dropStage >= 0 { break }
        }
        o.candidate = c
        return o
    }
}

/// The sample stage: each source listed in `per_source` keeps its bottom-q candidates by
/// sampling key, the other sources together keep the bottom (n − Σ q). Keys are
/// hash(seed, source, id) with the input ordinal as tie-break, so the selection does not depend
/// on input order, chunking or threads (Curation's `BottomK`).
struct SampleSelector {
    struct Key: Comparable {
        var hash: UInt64
        var ordinal: Int
        static func < (a: Key, b: Key) -> Bool { (a.hash, a.ordinal) < (b.hash, b.ordinal) }
    }
    private var perSource: [String: BottomK<Key, Candidate>] = [:]
    private var rest: BottomK<Key, Candidate>

    init(_ stage: SampleStage) {
        let quotas = stage.perSource ?? [:]
        for (src, q) in quotas { perSource[src] = BottomK(capacity: q) }
        rest = BottomK(capacity: max(0, stage.n - quotas.values.reduce(0, +)))
    }

    mutating func offer(_ c: Candidate) {
        let k = Key(hash: c.key, ordinal: c.ordinal)
        if perSource[c.record.source] != nil { perSource[c.record.source]!.offer(k, c) } else { rest.offer(k, c) }
    }

    var selected: [Candidate] { (perSource.values.flatMap { $0.items } + rest.items).map(\.value) }
    var evicted: Int { perSource.values.reduce(rest.evicted) { $0 + $1.evicted } }
}

/// `--rejects FILE`: one JSON line per dropped record (stage, reason, id, source, location).
final class RejectSink {
    private let handle: FileHandle
    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw PipelineError("cannot create rejects file", at: SourceLocation(file: path))
        }
        handle = h
    }
    deinit { try? handle.close() }

    func write(stage: String, reason: String, detail: String? = nil, _ r: Record?, _ loc: SourceLocation) {
        var o = JSONObject()
        o["stage"] = .string(stage)
        o["reason"] = .string(reason)
        if let detail { o["detail"] = .string(detail) }
        if let r { o["id"] = .string(r.id); o["source"] = .string(r.source) }
        o["location"] = .string(loc.description)
        emit(o)
    }

    func writeBad(reason: String, detail: String, _ loc: SourceLocation) {
        emit(JSONObject([("stage", "read"), ("reason", .string(reason)), ("detail", .string(detail)), ("location", .string(loc.description))]))
    }

    private func emit(_ o: JSONObject) {
        var b: [UInt8] = []
        JSONWriter().write(.object(o), into: &b)
        b.append(0x0A)
        handle.write(Data(b))
    }
}
