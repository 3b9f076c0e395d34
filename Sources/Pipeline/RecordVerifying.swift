import Records

/// Answer verification: a verdict (`correct`, `incorrect`, `unverifiable`) and a reason.
public protocol RecordVerifying: Sendable {
    func verify(_ record: Record) -> (verdict: String, reason: String)
}
