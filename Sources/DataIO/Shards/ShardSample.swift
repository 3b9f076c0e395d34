import Records

/// Identity and verification outcome of one sample, stored as a small JSON object per sample.
public struct ShardSampleMeta: Sendable, Equatable, Hashable, Codable {
    public var id: String
    public var source: String
    public var domain: String
    /// Verifier verdict (`correct`, `incorrect`, `unverified`, ...) if a verify stage ran.
    public var verdict: String?
    public var reason: String?

    public init(id: String, source: String, domain: String, verdict: String? = nil, reason: String? = nil) {
        self.id = id
        self.source = source
        self.domain = domain
        self.verdict = verdict
        self.reason = reason
    }

    /// Compact JSON with a fixed key order (id, source, domain, verdict, reason); absent keys omitted.
    public func jsonBytes() -> [UInt8] {
        var o = JSONObject()
        o["id"] = .string(id)
        o["source"] = .string(source)
        o["domain"] = .string(domain)
        if let verdict { o["verdict"] = .string(verdict) }
        if let reason { o["reason"] = .string(reason) }
        var out: [UInt8] = []
        JSONWriter().write(.object(o), into: &out)
        return out
    }

    static func parse(_ bytes: [UInt8], at loc: SourceLocation) throws -> ShardSampleMeta {
        let v: JSONValue
        do { v = try JSONParser.parse(bytes) } catch { throw DataIOError("sample metadata is not JSON: \(error)", at: loc) }
        guard let id = v["id"]?.stringValue, let source = v["source"]?.stringValue, let domain = v["domain"]?.stringValue else {
            throw DataIOError("sample metadata lacks id/source/domain", at: loc)
        }
        return ShardSampleMeta(id: id, source: source, domain: domain, verdict: v["verdict"]?.stringValue, reason: v["reason"]?.stringValue)
    }
}

/// One training sample: token ids, assistant-only loss mask and per-token statistics.
///
/// `stats` (present when the sample is scored) follows the shard convention: entry `t` of every
/// column describes token `t` as a label (predicted from tokens `< t`); entry 0 has no
/// prediction and holds 0. Its `entropy` column is present when the scorer saw the whole
/// vocabulary; `expectedID` / `expectedLogprob` when the scorer reported them (format version 2).
public struct ShardSample: Sendable, Equatable {
    public var meta: ShardSampleMeta
    /// Token ids (stored as the format's `u32` column; see `TokenID`).
    public var ids: [TokenID]
    public var lossMask: [UInt8]
    /// Per-token statistics, T entries each, when scored.
    public var stats: TokenStats?

    public init(meta: ShardSampleMeta, ids: [TokenID], lossMask: [UInt8], stats: TokenStats? = nil) {
        self.meta = meta
        self.ids = ids
        self.lossMask = lossMask
        self.stats = stats
    }

    /// Whether per-token statistics are present.
    public var scored: Bool { stats != nil }
    public var labelCount: Int { lossMask.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }

    /// Appends the v1 sample record (see schemas/shard.v1.md, "Sample record") to `b`.
    func encode(into b: inout ByteWriter) {
        let t = ids.count
        precondition(lossMask.count == t, "loss mask length must equal token count")
        if let st = stats, let why = st.lengthProblem(tokens: t) { preconditionFailure("stat arrays must have T entries: \(why)") }
        let meta = meta.jsonBytes()
        b.u32(UInt32(t))
        b.u32(UInt32(meta.count))
        b.u32((stats != nil ? ShardFormat.flagScored : 0) | (stats?.entropy != nil ? ShardFormat.flagFullEntropy : 0)
              | (stats?.expectedID != nil ? ShardFormat.flagExpected : 0))
        b.u32(0)
        b.bytes(meta)
        b.pad4()
        b.i32s(ids)
        if let st = stats {
            b.f32s(st.logprob)
            b.f32s(st.gate)
            b.f32s(st.topKEntropy)
            if let e = st.entropy { b.f32s(e) }
            if let e = st.expectedID, let l = st.expectedLogprob {
                b.i32s(e)
                b.f32s(l)
            }
        }
        b.bytes(lossMask)
        b.pad4()
    }

    /// Size in bytes of the record `encode` writes (for a record with these flags).
    public static func recordSize(tokens t: Int, metaLength m: Int, flags: UInt32) -> Int {
        var n = 16 + (m + 3) / 4 * 4 + 4 * t
        if flags & ShardFormat.flagScored != 0 { n += 12 * t }
        if flags & ShardFormat.flagFullEntropy != 0 { n += 4 * t }
        if flags & ShardFormat.flagExpected != 0 { n += 8 * t }
        return n + (t + 3) / 4 * 4
    }

    /// Decodes the record at `r.pos`, checking every length against the block bounds.
    static func decode(_ r: inout ByteReader, at loc: SourceLocation) throws -> ShardSample {
        guard r.remaining >= 16 else { throw DataIOError("sample record header runs past the block end", at: loc) }
        let t = Int(r.u32()), m = Int(r.u32()), flags = r.u32(), reserved = r.u32()
        let known = ShardFormat.flagScored | ShardFormat.flagFullEntropy | ShardFormat.flagExpected
        guard reserved == 0, flags & ~known == 0,
              flags & ShardFormat.flagScored != 0 || flags == 0 else {
            throw DataIOError("bad sample flags \(flags)/reserved \(reserved)", at: loc)
        }
        guard t < 1 << 28, m < 1 << 24, recordSize(tokens: t, metaLength: m, flags: flags) - 16 <= r.remaining else {
            throw DataIOError("sample record (\(t) tokens, \(m)-byte metadata) runs past the block end", at: loc)
        }
        let metaBytes = r.bytes(m)
        r.pos += (4 - m % 4) % 4
        let meta = try ShardSampleMeta.parse(metaBytes, at: loc)
        let ids = r.i32s(t)
        var s = ShardSample(meta: meta, ids: ids, lossMask: [])
        if flags & ShardFormat.flagScored != 0 {
            var st = TokenStats(logprob: r.f32s(t), gate: r.f32s(t), topKEntropy: r.f32s(t))
            if flags & ShardFormat.flagFullEntropy != 0 { st.entropy = r.f32s(t) }
            if flags & ShardFormat.flagExpected != 0 {
                st.expectedID = r.i32s(t)
                st.expectedLogprob = r.f32s(t)
            }
            s.stats = st
        }
        s.lossMask = r.bytes(t)
        r.pos += (4 - t % 4) % 4
        return s
    }
}

extension ShardSample {
    /// The encoded v1 sample record, as stored inside an (uncompressed) block.
    public func encoded() -> [UInt8] {
        var b = ByteWriter(capacity: 64 + ids.count * 21)
        encode(into: &b)
        return b.out
    }

    /// Decodes one encoded sample record (the inverse of `encoded()`).
    public static func decode(_ bytes: [UInt8], at loc: SourceLocation) throws -> ShardSample {
        try bytes.withUnsafeBytes { p in
            var r = ByteReader(p)
            let s = try decode(&r, at: loc)
            guard r.pos == p.count else { throw DataIOError("trailing bytes after sample record", at: loc) }
            return s
        }
    }
}

extension ShardSample {
    /// Size in bytes of the encoded record that starts at `offset` of `bytes`, read from its
    /// header (token count, metadata length, flags); nil when fewer than 16 bytes remain.
    public static func recordSize(encoded bytes: [UInt8], at offset: Int) -> Int? {
        guard offset >= 0, bytes.count - offset >= 16 else { return nil }
        func u32(_ o: Int) -> Int {
            Int(UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24)
        }
        return recordSize(tokens: u32(offset), metaLength: u32(offset + 4), flags: UInt32(u32(offset + 8)))
    }
}
