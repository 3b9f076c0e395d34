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

    /// Keep the first occurrence of a text, drop later ones.
    public mutating func decide(text: String, id: String) -> FilterDecision {
        let d = Digest128(bytes: TextNormalizer.normalizedBytes(text))
        if let first = seen[d] {
            dropped += 1
            return .drop(DropReason("exact_duplicate", "of \(first)"))
        }
        seen[d] = id
        return .keep
    }

    /// Decides on the record's whole conversation text (`CurationText.text`).
    public mutating func decide(_ record: Record) -> FilterDecision {
        decide(text: CurationText.text(of: record), id: record.id)
    }
}
