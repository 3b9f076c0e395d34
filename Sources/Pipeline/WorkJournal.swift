import Core
import DataIO
import Foundation

/// Recorded in the work directory before any unit is scored; identifies the work so that
/// `--resume` and `eaft merge` only combine parts of the very same selection.
public struct WorkJournal: Codable, Equatable, Sendable {
    public var specHash: String
    public var selectionHash: String
    public var units: Int
    public var unitSamples: Int
    public var partition: Int
    public var partitions: Int
    public var topK: Int
    public var chatTemplate: String?
    public var tokenizer: ShardManifest.Fingerprint?
    public var model: ShardManifest.Fingerprint?
    public var scorer: ShardManifest.ScorerInfo?
    public var stages: [ShardManifest.StageStats]
    public var writer: ShardWriterOptions
    /// Name of the last stage's counts (`score`, or `write` when nothing is scored).
    public var finalStage: String
    /// Set once every unit of this partition is committed.
    public var complete = false

    enum CodingKeys: String, CodingKey {
        case specHash = "spec_hash", selectionHash = "selection_hash", units, unitSamples = "unit_samples"
        case partition, partitions, topK = "top_k", chatTemplate = "chat_template", tokenizer, model, scorer, stages, writer, complete
        case finalStage = "final_stage"
    }

    static func load(_ path: String) -> WorkJournal? {
        guard let b = try? AtomicFile.read(path) else { return nil }
        return try? JSONDecoder().decode(WorkJournal.self, from: Data(b))
    }

    func write(_ path: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(Array(try e.encode(self)) + [0x0A], to: path)
    }
}
