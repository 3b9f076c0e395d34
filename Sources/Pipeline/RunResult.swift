import DataIO

/// What a run did.
public struct RunResult {
    public var manifest: ShardManifest?
    public var journal: WorkJournal
    public var unitsProcessed: Int
    public var unitsSkipped: Int
}
