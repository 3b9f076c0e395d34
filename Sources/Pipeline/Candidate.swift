import Records

/// A record on its way through the selection: annotated by the stages (rendered ids and mask,
/// verdict), then, if every stage keeps it, handed to sampling and scoring.
struct Candidate: Sendable {
    /// Position in the input stream (tie-break of sampling, order of the selection).
    var ordinal: Int
    /// Sampling key: hash(seed, source, id).
    var key: UInt64
    var record: Record
    var verdict: String?
    var reason: String?
    var rendered: RenderedConversation?
}
