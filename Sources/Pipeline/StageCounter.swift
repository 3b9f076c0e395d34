import DataIO

/// Counts of one stage while running; `stats` is what the manifest records.
struct StageCounter {
    var name: String
    var input = 0
    var kept = 0
    var dropped: [String: Int] = [:]
    /// Verdicts seen by the verify stage (nil for the other stages).
    var verdicts: [String: Int]?
    var stats: ShardManifest.StageStats { .init(name: name, input: input, kept: kept, dropped: dropped, verdicts: verdicts) }
}
