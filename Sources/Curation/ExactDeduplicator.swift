import Records

/// Exact deduplication on normalised text (NFC, lowercase, whitespace collapsed), keyed
/// by a 128-bit digest (two xxHash64 lanes). Streaming: call `decide` in input order; the
/// first occurrence is kept, later ones drop with `exact_duplicate: of <first id>`.
/// Memory: one digest (16 B) + the first id per distinct text.
public struct ExactDeduplicator: Sendable {
    private var seen: [Digest128: String] = [:]
    public private(set) var dropped = 0

    public init() {}

    /// Number of distinct texts seen.
    public var distinctCount: Int { seen.count }

    /// The key of a text: a 128-bit digest of its normalised bytes (a pure function; the
    /// pipeline computes it in parallel and calls `decide(digest:id:)` in input order).
    public static func digest(_ text: String) -> Digest128 {
        Digest128(bytes: TextNormalizer.normalizedBytes(text))
    }

    /// Keep the first occurrence of a text, drop later ones.
    public mutating func decide(text: String, id: String) -> FilterDecision {
        decide(digest: ExactDeduplicator.digest(text), id: id)
    }

    /// Keep the first occurrence of a digest, drop later ones naming the first id.
    public mutating func decide(digest d: Digest128, id: String) -> FilterDecision {
        let r = check(digest: d)
        if r.isKeep { insert(digest: d, id: id) } else { dropped += 1 }
        return r
    }

    /// The decision for a digest without recording it (`.drop` when an earlier record had it).
    public func check(digest d: Digest128) -> FilterDecision {
        guard let first = seen[d] else { return .keep }
        return .drop(DropReason("exact_duplicate", "of \(first)"))
    }

    /// Records a digest as kept under `id` (the first id stays).
    public mutating func insert(digest d: Digest128, id: String) {
        if seen[d] == nil { seen[d] = id }
    }

    /// Decides on the record's whole conversation text (`CurationText.text`).
    public mutating func decide(_ record: Record) -> FilterDecision {
        decide(text: CurationText.text(of: record), id: record.id)
    }
}
