import Core
import Foundation
import Records

/// Near-duplicate removal with MinHash LSH, as datatrove's minhash dedup
/// (https://github.com/huggingface/datatrove/blob/main/src/datatrove/pipeline/dedup/minhash.py):
/// word n-gram shingles (5 by default), `bands × rows` min-hashes (14 × 8 by default); two
/// records are candidates when they share a band bucket (all `rows` min-hashes of one band
/// equal). For 14 × 8 the candidate probability is 1 − (1 − J⁸)¹⁴ for shingle Jaccard J:
/// ≈ 0.92 at J = 0.8, ≈ 0.99 at J = 0.85, ≈ 0.66 at J = 0.72 — the region it targets is
/// J ≥ 0.8 (figures per Jaccard bucket, against datatrove itself: BENCHMARKS.md).
/// Optionally (`verifyThreshold`) a candidate only counts when the two signatures agree on at
/// least that fraction of hashes (estimated Jaccard) — useful for short texts, where more
/// bands with fewer rows raise recall and the check removes the extra false candidates.
///
/// Decision rule (`MinHashIndex`): in input order, a record is dropped when it is a candidate
/// of an earlier *kept* record and names that record; otherwise it is kept and indexed. Unlike
/// datatrove's union-find clustering (which removes every record of a connected chain
/// A≈B≈C even when C is far from A), no two kept records are candidates of each other, every
/// drop names a kept record, and it runs in one streaming pass (the pipeline's dedup stage).
///
/// Deterministic: sketches are pure functions of (text, config); they are computed in
/// parallel over fixed chunks and applied in input order, so the kept set does not depend on
/// the thread count. Memory: per kept record, `bands` index entries (plus the signature when
/// verifying).
public struct MinHashDeduplicator: Sendable {
    /// How a text becomes words before shingling.
    public enum Normalization: String, Sendable, Codable, Equatable {
        /// `TextNormalizer.words`: NFC, lowercase, runs of letters/digits (numbers kept).
        case words
        /// `DatatroveText`: datatrove's `simplify_text` (numbers → 0, punctuation and
        /// diacritics removed) — the text datatrove's MinHash shingles.
        case datatrove
    }

    public struct Config: Sendable, Codable, Equatable {
        public var ngram: Int = 5
        public var bands: Int = 14
        public var rows: Int = 8
        public var seed: UInt64 = 1
        /// nil = link on any shared bucket (datatrove); else minimum estimated Jaccard.
        public var verifyThreshold: Double? = nil
        public var normalization: Normalization = .datatrove
        public init(ngram: Int = 5, bands: Int = 14, rows: Int = 8, seed: UInt64 = 1, verifyThreshold: Double? = nil,
                    normalization: Normalization = .datatrove) {
            self.ngram = ngram
            self.bands = bands
            self.rows = rows
            self.seed = seed
            self.verifyThreshold = verifyThreshold
            self.normalization = normalization
        }
        /// datatrove's defaults: its text simplification, word 5-grams, 14 bands × 8 rows.
        public static let datatrove = Config()
        /// For short texts (math problems, ~50–200 words): numbers kept (problems that differ
        /// only in their numbers are different problems), word 3-grams, 20 bands × 5 rows,
        /// collisions confirmed at estimated Jaccard ≥ 0.5.
        public static let shortText = Config(ngram: 3, bands: 20, rows: 5, verifyThreshold: 0.5, normalization: .words)
    }

    public var config: Config
    /// Worker threads for signature computation (results do not depend on it).
    public var threads: Int

    public init(config: Config = .datatrove, threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        precondition(config.ngram > 0 && config.bands > 0 && config.rows > 0, "MinHash config must be positive")
        self.config = config
        self.threads = max(1, threads)
    }

    /// The min-hash signature (bands × rows values) of a text's word n-gram shingles (words per
    /// `config.normalization`); texts shorter than `ngram` words use their whole word sequence
    /// as one shingle.
    public func signature(_ text: String) -> [UInt64] {
        let words = config.normalization == .datatrove ? DatatroveText.wordHashes(text) : TextNormalizer.wordHashes(text)
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

    /// What the index needs of a text: its band bucket keys and, when verifying, the signature.
    public struct Sketch: Sendable, Equatable {
        public var keys: [UInt64]
        public var signature: [UInt64]?
        public init(keys: [UInt64], signature: [UInt64]? = nil) {
            self.keys = keys
            self.signature = signature
        }
    }

    /// The sketch of a text (a pure function of text and config; safe to compute in parallel).
    public func sketch(_ text: String) -> Sketch {
        let sig = signature(text)
        return Sketch(keys: bandKeys(sig), signature: config.verifyThreshold == nil ? nil : sig)
    }

    /// Band bucket keys of a signature (band index mixed in, so bands never share keys).
    func bandKeys(_ sig: [UInt64]) -> [UInt64] {
        (0..<config.bands).map { b in
            var h: UInt64 = UInt64(b) &* 0x1000_0000_01B3
            for r in 0..<config.rows { h = mix64(h ^ sig[b * config.rows + r]) }
            return h
        }
    }

    /// Decides for every text: `.keep`, or `.drop(near_duplicate: of <id>)` naming the earliest
    /// kept record it is a candidate of. `ids[i]` names `texts[i]`.
    public func run(texts: [String], ids: [String]) -> [FilterDecision] {
        precondition(texts.count == ids.count, "texts and ids must have the same length")
        let n = texts.count
        var sketches = [Sketch](repeating: Sketch(keys: [], signature: nil), count: n)
        sketches.withUnsafeMutableBufferPointer { sp in
            let sb = sp
            Parallel.forChunks(n, threads: threads) { range in
                for i in range { sb[i] = sketch(texts[i]) }
            }
        }
        var index = MinHashIndex(config: config)
        return (0..<n).map { index.decide(sketches[$0], id: ids[$0]) }
    }

    /// Decides for records (their whole conversation text), in input order.
    public func run(_ records: [Record]) -> [FilterDecision] {
        run(texts: records.map(CurationText.text(of:)), ids: records.map(\.id))
    }
}
