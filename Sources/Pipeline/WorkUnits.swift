import Foundation
import DataIO
import Records

/// A finished work unit on disk (`parts/unit-NNNNNN.part`): the encoded sample records of
/// one fixed slice of the selected list, plus the unit's score-stage counts.
///
/// Layout (little-endian): magic `EAFTPART` | u32 statsLength | u32 rawLength |
/// u32 compressedLength | u32 CRC-32C of (stats JSON ‖ compressed) | stats JSON |
/// zstd(records concatenated). Written to `.tmp`, fsynced, renamed: a part that exists is complete.
struct UnitPart: Equatable {
    var records: [[UInt8]]
    var input: Int
    var dropped: [String: Int]

    static let magic = Array("EAFTPART".utf8)

    static func fileName(_ k: Int) -> String {
        let s = String(k)
        return "unit-" + String(repeating: "0", count: max(0, 6 - s.count)) + s + ".part"
    }

    func encoded() -> [UInt8] {
        var stats = JSONObject()
        stats["input"] = .int(Int64(input))
        stats["dropped"] = .object(JSONObject(dropped.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.int(Int64($0.value))) }))
        var sb: [UInt8] = []
        JSONWriter().write(.object(stats), into: &sb)
        var raw: [UInt8] = []
        raw.reserveCapacity(records.reduce(0) { $0 + $1.count })
        for r in records { raw.append(contentsOf: r) }
        let z = raw.withUnsafeBytes { Codecs.zstdCompress($0, level: 3) }
        var out = UnitPart.magic
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out.append(contentsOf: $0) } }
        u32(sb.count); u32(raw.count); u32(z.count)
        var crc = sb.withUnsafeBytes { CRC32C.update(0, $0) }
        crc = z.withUnsafeBytes { CRC32C.update(crc, $0) }
        u32(Int(crc))
        out += sb
        out += z
        return out
    }

    /// Reads and checks a part; throws a located error if it is damaged.
    static func read(path: String) throws -> UnitPart {
        let b = try AtomicFile.read(path)
        let loc = SourceLocation(file: path)
        guard b.count >= 24, Array(b[0..<8]) == magic else { throw PipelineError("not a work-unit part", at: loc) }
        func u32(_ o: Int) -> Int { Int(UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24) }
        let sl = u32(8), rl = u32(12), zl = u32(16), crc = u32(20)
        guard 24 + sl + zl == b.count else { throw PipelineError("part has the wrong length", at: loc) }
        let got = b.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[24...])) }
        guard Int(got) == crc else { throw PipelineError("part checksum mismatch", at: loc) }
        let stats = try JSONParser.parse(Array(b[24..<(24 + sl)]))
        let raw = try b.withUnsafeBytes { try Codecs.zstdDecompress(UnsafeRawBufferPointer(rebasing: $0[(24 + sl)...]), expected: rl, at: loc) }
        var records: [[UInt8]] = []
        var pos = 0
        while pos < raw.count {
            guard raw.count - pos >= 16 else { throw PipelineError("truncated record in part", at: loc) }
            func r32(_ o: Int) -> Int { Int(UInt32(raw[o]) | UInt32(raw[o + 1]) << 8 | UInt32(raw[o + 2]) << 16 | UInt32(raw[o + 3]) << 24) }
            let t = r32(pos), m = r32(pos + 4), flags = r32(pos + 8)
            let n = ShardSample.recordSize(tokens: t, metaLength: m, flags: UInt32(flags))
            guard pos + n <= raw.count else { throw PipelineError("record overruns part", at: loc) }
            records.append(Array(raw[pos..<(pos + n)]))
            pos += n
        }
        var dropped: [String: Int] = [:]
        if case .object(let o) = stats["dropped"] ?? .null { for e in o.entries { dropped[e.key] = Int(e.value.intValue ?? 0) } }
        return UnitPart(records: records, input: Int(stats["input"]?.intValue ?? 0), dropped: dropped)
    }
}

/// Phase B: turns one unit of candidates into shard records (render already done; score here).
struct UnitWorker {
    let spec: PipelineSpec
    let scorer: TokenScoring?

    func build(_ unit: ArraySlice<Candidate>) throws -> UnitPart {
        var part = UnitPart(records: [], input: unit.count, dropped: [:])
        let topK = spec.scoreStage?.topK ?? 20
        var toScore: [(Candidate, RenderedConversation)] = []
        for c in unit {
            let meta = ShardSampleMeta(id: c.record.id, source: c.record.source, domain: c.record.domain.rawValue,
                                       verdict: c.verdict, reason: c.reason)
            guard let rc = c.rendered else {
                // No template: nothing to tokenize; the record is not emitted.
                part.dropped["no_template", default: 0] += 1
                _ = meta
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
        if let s = scorer {
            // Fixed batches (by count and token budget) make scoring independent of threads.
            let budget = spec.scoreStage?.batchTokens ?? 4096
            var i = 0
            while i < toScore.count {
                var j = i, tokens = 0
                while j < toScore.count && (j == i || tokens + toScore[j].1.ids.count <= budget) { tokens += toScore[j].1.ids.count; j += 1 }
                let cols = try s.score(batch: toScore[i..<j].map { $0.1.ids }, topK: topK)
                guard cols.count == j - i else { throw PipelineError("scorer returned \(cols.count) results for \(j - i) sequences") }
                for k in i..<j { stats[k] = cols[k - i] }
                i = j
            }
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
