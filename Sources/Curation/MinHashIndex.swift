/// The streaming decision of MinHash LSH dedup (see `MinHashDeduplicator` for the method):
/// feed sketches in input order; a record that is a candidate of an earlier *kept* record
/// (shares a band bucket with it, and with `verifyThreshold` set, agrees on at least that
/// fraction of signature positions) is dropped with `near_duplicate: of <that record's id>`
/// (the earliest such record); otherwise it is kept and its buckets are indexed.
///
/// Used by `MinHashDeduplicator.run` and by the pipeline's dedup stage, which computes the
/// sketches in parallel and calls `decide` in input order. Memory per kept record: `bands`
/// hash-map entries (≈ 32 B each at load ≤ 0.5) + 8 B chain entries + its id (+ the
/// signature, bands × rows × 8 B, when verifying).
public struct MinHashIndex: Sendable {
    public let config: MinHashDeduplicator.Config
    /// band key → first chain entry of that bucket.
    private var buckets = U64Map(capacity: 1 << 12)
    /// Chain entries: kept-record index and next entry (−1 = end). Only verifying needs chains:
    /// without verification a bucket never holds more than one kept record.
    private var entryRecord: [Int32] = []
    private var entryNext: [Int32] = []
    private var ids: [String] = []
    private var signatures: [UInt64] = []
    public private(set) var dropped = 0

    public init(config: MinHashDeduplicator.Config) {
        self.config = config
    }

    /// Number of kept (indexed) records.
    public var keptCount: Int { ids.count }

    /// Keep (and index) the record, or drop it as a near-duplicate of an earlier kept one.
    public mutating func decide(_ sketch: MinHashDeduplicator.Sketch, id: String) -> FilterDecision {
        precondition(sketch.keys.count == config.bands, "sketch from another config")
        precondition(config.verifyThreshold == nil || sketch.signature?.count == config.bands * config.rows,
                     "verifying needs the signature in the sketch")
        var best = Int.max
        for key in sketch.keys {
            guard let head = buckets.get(key) else { continue }
            var e = Int(head)
            while e >= 0 {
                let r = Int(entryRecord[e])
                if r < best && similar(r, sketch.signature) { best = r }
                if config.verifyThreshold == nil { break }
                e = Int(entryNext[e])
            }
        }
        if best != Int.max {
            dropped += 1
            return .drop(DropReason("near_duplicate", "of \(ids[best])"))
        }
        let r = Int32(ids.count)
        ids.append(id)
        if let s = sketch.signature, config.verifyThreshold != nil { signatures.append(contentsOf: s) }
        for key in sketch.keys {
            let e = Int32(entryRecord.count)
            entryRecord.append(r)
            if let head = buckets.get(key) {
                // insert after the head; chain order does not matter (the earliest match wins)
                entryNext.append(entryNext[Int(head)])
                entryNext[Int(head)] = e
            } else {
                entryNext.append(-1)
                buckets.insertIfAbsent(key, UInt64(e))
            }
        }
        return .keep
    }

    /// Whether kept record `r` passes the estimated-Jaccard check against `sig`.
    private func similar(_ r: Int, _ sig: [UInt64]?) -> Bool {
        guard let t = config.verifyThreshold, let sig else { return true }
        let k = config.bands * config.rows
        var eq = 0
        signatures.withUnsafeBufferPointer { s in
            let base = r * k
            for j in 0..<k where s[base + j] == sig[j] { eq += 1 }
        }
        return Double(eq) >= t * Double(k)
    }
}
