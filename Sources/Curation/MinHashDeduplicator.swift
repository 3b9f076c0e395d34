import Foundation
import Records

/// Near-duplicate removal with MinHash LSH, as datatrove's minhash dedup
/// (https://github.com/huggingface/datatrove/blob/main/src/datatrove/pipeline/dedup/minhash.py):
/// word n-gram shingles (5 by default), `bands × rows` min-hashes (14 × 8 by default), records
/// that share any band bucket are joined with union-find, and each cluster keeps its first
/// record in input order. Optionally (`verifyThreshold`) a bucket collision only links two
/// records when their signatures agree on at least that fraction of hashes (estimated
/// Jaccard) — useful for short texts, where more bands with fewer rows raise recall and the
/// check removes the extra false collisions.
///
/// Deterministic: signatures are pure functions of (text, seed); they are computed in
/// parallel over fixed chunks and merged in input order, so the kept set does not depend on
/// the thread count. Memory: bands × 8 B per record (plus the signature when verifying).
public struct MinHashDeduplicator: Sendable {
    public struct Config: Sendable, Codable, Equatable {
        public var ngram: Int = 5
        public var bands: Int = 14
        public var rows: Int = 8
        public var seed: UInt64 = 1
        /// nil = link on any shared bucket (datatrove); else minimum estimated Jaccard.
        public var verifyThreshold: Double? = nil
        public init(ngram: Int = 5, bands: Int = 14, rows: Int = 8, seed: UInt64 = 1, verifyThreshold: Double? = nil) {
            self.ngram = ngram
            self.bands = bands
            self.rows = rows
            self.seed = seed
            self.verifyThreshold = verifyThreshold
        }
        /// datatrove's defaults: word 5-grams, 14 bands × 8 rows.
        public static let datatrove = Config()
        /// For short texts (math problems, ~50–200 words): word 3-grams, 20 bands × 5 rows,
        /// collisions confirmed at estimated Jaccard ≥ 0.5.
        public static let shortText = Config(ngram: 3, bands: 20, rows: 5, verifyThreshold: 0.5)
    }

    public var config: Config
    /// Worker threads for signature computation (results do not depend on it).
    public var threads: Int

    public init(config: Config = .datatrove, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        precondition(config.ngram > 0 && config.bands > 0 && config.rows > 0, "MinHash config must be positive")
        self.config = config
        self.threads = max(1, threads)
    }

    /// The min-hash signature (bands × rows values) of a text; texts shorter than `ngram`
    /// words use their whole word sequence as one shingle.
    public func signature(_ text: String) -> [UInt64] {
        let words = TextNormalizer.wordHashes(text)
        var shingles = TextNormalizer.ngramHashes(words, n: config.ngram)
        if shingles.isEmpty, !words.isEmpty { shingles = TextNormalizer.ngramHashes(words, n: words.count) }
        let k = config.bands * config.rows
        var sig = [UInt64](repeating: .max, count: k)
        if shingles.isEmpty { return sig }
        // k hash functions h_j(x) = a_j·x + b_j mod 2^64 (a_j odd): multiply-add universal
        // hashing of the already well-mixed shingle hash (datatrove uses (a·x + b) mod p).
        var a = [UInt64](repeating: 0, count: k), b = [UInt64](repeating: 0, count: k)
        var rng = SplitMix64(seed: config.seed)
        for j in 0..<k { a[j] = rng.next() | 1; b[j] = rng.next() }
        sig.withUnsafeMutableBufferPointer { s in
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    for h in shingles {
                        for j in 0..<k {
                            let v = ap[j] &* h &+ bp[j]
                            if v < s[j] { s[j] = v }
                        }
                    }
                }
            }
        }
        return sig
    }

    /// Band bucket keys of a signature.
    func bandKeys(_ sig: [UInt64]) -> [UInt64] {
        (0..<config.bands).map { b in
            var h: UInt64 = UInt64(b) &* 0x1000_0000_01B3
            for r in 0..<config.rows { h = mix64(h ^ sig[b * config.rows + r]) }
            return h
        }
    }

    /// Decides for every text: `.keep` for the first of each near-duplicate cluster,
    /// `.drop(near_duplicate: of <id>)` for the rest. `ids[i]` names `texts[i]`.
    public func run(texts: [String], ids: [String]) -> [FilterDecision] {
        precondition(texts.count == ids.count, "texts and ids must have the same length")
        let n = texts.count
        let verify = config.verifyThreshold
        var keys = [[UInt64]](repeating: [], count: n)
        var sigs = [[UInt64]](repeating: [], count: verify == nil ? 0 : n)
        keys.withUnsafeMutableBufferPointer { kp in
            sigs.withUnsafeMutableBufferPointer { sp in
                let kb = kp, sb = sp
                parallelChunks(n, threads: threads) { range in
                    for i in range {
                        let s = signature(texts[i])
                        kb[i] = bandKeys(s)
                        if verify != nil { sb[i] = s }
                    }
                }
            }
        }
        // Union-find over bucket collisions, in input order.
        var parent = Array(0..<n)
        func find(_ x: Int) -> Int {
            var r = x
            while parent[r] != r { r = parent[r] }
            var y = x
            while parent[y] != r { let nx = parent[y]; parent[y] = r; y = nx }
            return r
        }
        func similar(_ a: Int, _ b: Int) -> Bool {
            guard let t = verify else { return true }
            var eq = 0
            for (x, y) in zip(sigs[a], sigs[b]) where x == y { eq += 1 }
            return Double(eq) >= t * Double(sigs[a].count)
        }
        for b in 0..<config.bands {
            var bucket: [UInt64: [Int]] = [:]
            bucket.reserveCapacity(n)
            for i in 0..<n {
                let key = keys[i][b]
                if let members = bucket[key] {
                    for m in members where find(m) != find(i) && similar(m, i) {
                        let (ra, rb) = (find(m), find(i))
                        if ra < rb { parent[rb] = ra } else { parent[ra] = rb }
                        if verify == nil { break }
                    }
                    bucket[key, default: []].append(i)
                } else {
                    bucket[key] = [i]
                }
            }
        }
        return (0..<n).map { i in
            let r = find(i)
            return r == i ? .keep : .drop(DropReason("near_duplicate", "of \(ids[r])"))
        }
    }

    /// Decides for records (their whole conversation text), in input order.
    public func run(_ records: [Record]) -> [FilterDecision] {
        run(texts: records.map(CurationText.text(of:)), ids: records.map(\.id))
    }
}
