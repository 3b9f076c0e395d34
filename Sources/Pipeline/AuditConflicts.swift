import Core
import DataIO
import Foundation
import Records
import Tokenizer

/// A frequent (label token → expected token) pair among one source's confident conflicts:
/// the data says `label` where the base model was sure of `expected`.
public struct AuditConflictPair: Sendable, Codable, Equatable {
    public var labelID: TokenID
    public var label: String
    public var expectedID: TokenID
    public var expected: String
    public var count: Int
    /// The first sample (in shard order) where the pair occurs.
    public var exampleID: String

    enum CodingKeys: String, CodingKey {
        case labelID = "label_id", label
        case expectedID = "expected_id", expected, count
        case exampleID = "example_id"
    }
}

/// One token of the audit's token view (positions 1…T−1 of a sample).
public struct AuditToken: Sendable, Equatable {
    public var text: String
    /// A label (assistant) token, i.e. loss mask 1.
    public var label: Bool
    public var p: Float
    public var h: Float
    public var gate: Float
    /// The base model's most probable token here (decoded), when the shards store it.
    public var expected: String?
    /// A confident conflict under the percentile definition.
    public var conflict: Bool
}

/// A sample shown token by token in the HTML audit.
public struct AuditTokenSample: Sendable, Equatable {
    public var index: Int
    public var id: String
    public var source: String
    public var conflictTokens: Int
    /// Token 0 (no prediction) and then positions 1…; at most `AuditOptions.tokenViewMaxTokens`.
    public var firstText: String
    public var tokens: [AuditToken]
    /// Tokens left out of the view (beyond the cap).
    public var truncated: Int
}

/// Counts (label, expected) pairs of confident-conflict tokens per source.
struct ConflictPairCounter {
    struct Key: Hashable { var source: Int32; var label: TokenID; var expected: TokenID }
    private var counts: [Key: (count: Int, firstSample: Int32)] = [:]

    mutating func add(source: Int32, label: TokenID, expected: TokenID, sample: Int32) {
        let k = Key(source: source, label: label, expected: expected)
        if let v = counts[k] { counts[k] = (v.count + 1, v.firstSample) } else { counts[k] = (1, sample) }
    }

    /// The `top` most frequent pairs per source name (ties: by label id, then expected id).
    func top(_ top: Int, sources: [String], sampleIDs: [String], tokenizer: Tokenizer?) -> [String: [AuditConflictPair]] {
        var bySource: [Int32: [(Key, Int, Int32)]] = [:]
        for (k, v) in counts { bySource[k.source, default: []].append((k, v.count, v.firstSample)) }
        var out: [String: [AuditConflictPair]] = [:]
        for (s, list) in bySource {
            let best = list.sorted { ($0.1, $1.0.label, $1.0.expected) > ($1.1, $0.0.label, $0.0.expected) }.prefix(top)
            out[sources[Int(s)]] = best.map { k, n, first in
                AuditConflictPair(labelID: k.label, label: TokenText.single(k.label, tokenizer: tokenizer),
                                  expectedID: k.expected, expected: TokenText.single(k.expected, tokenizer: tokenizer),
                                  count: n, exampleID: sampleIDs[Int(first)])
            }
        }
        return out
    }
}

extension Auditor {
    /// The token view of one stored sample: every position's text, p, H (full or top-K, as
    /// the audit uses), gate and expected token; conflicts marked with the report's thresholds.
    public static func tokenView(of s: ShardSample, index: Int, pThreshold: Double, hThreshold: Double,
                                 tokenizer: Tokenizer?, maxTokens: Int = .max) -> AuditTokenSample {
        let texts = TokenText.pieces(s.ids, tokenizer: tokenizer)
        let st = s.stats ?? TokenStats()
        let h = st.entropy ?? st.topKEntropy
        let t = s.ids.count
        let shown = min(max(0, t - 1), maxTokens)
        var tokens: [AuditToken] = []
        tokens.reserveCapacity(shown)
        var conflicts = 0
        for i in 1..<max(1, shown + 1) where s.scored {
            let p = exp(st.logprob[i])
            let label = s.lossMask[i] != 0
            let conflict = label && Double(p) <= pThreshold && Double(h[i]) <= hThreshold
            if conflict { conflicts += 1 }
            let expected = st.expectedID.map { TokenText.single($0[i], tokenizer: tokenizer) }
            tokens.append(AuditToken(text: texts[i], label: label, p: p, h: h[i], gate: st.gate[i], expected: expected,
                                     conflict: conflict))
        }
        return AuditTokenSample(index: index, id: s.meta.id, source: s.meta.source, conflictTokens: conflicts,
                                firstText: texts.first ?? "", tokens: tokens, truncated: max(0, t - 1 - shown))
    }

    /// Finds a sample by its id (the first in shard order), with its global index.
    public static func findSample(directory: String, id: String) throws -> (Int, ShardSample) {
        let ds = try ShardDataset(directory: directory)
        var found: (Int, ShardSample)?
        var i = 0
        try ds.forEach { s in
            if found == nil && s.meta.id == id { found = (i, s) }
            i += 1
        }
        guard let found else {
            throw PipelineError("no sample with id '\(id)' in \(directory)", hint: "ids are listed by `eaft audit` (top_conflicting_samples)")
        }
        return found
    }
}

/// The tokenizer the audit decodes tokens with.
public enum AuditTokenizer {
    /// `explicit` if given; otherwise the manifest's tokenizer when the file is still there with
    /// the recorded size and CRC-32C (relative paths are tried from the working directory, then
    /// beside the shard directory). nil (ids shown as `⟨id⟩`, with a note on stderr) otherwise.
    public static func load(directory: String, explicit: String?) throws -> Tokenizer? {
        if let explicit { return try Tokenizer.load(path: explicit) }
        let m = try ShardManifest.load(directory: directory)
        guard let fp = m.tokenizer else { return nil }
        let parent = (directory as NSString).deletingLastPathComponent
        for path in [fp.path, parent + "/" + fp.path] where FileManager.default.fileExists(atPath: path) {
            if let now = try? ShardManifest.Fingerprint.of(file: path), now.bytes == fp.bytes, now.crc32c == fp.crc32c {
                return try Tokenizer.load(path: path)
            }
        }
        Log.warning("eaft audit: the manifest's tokenizer \(fp.path) is not there (or changed); tokens are shown as ids. Pass --tokenizer PATH.")
        return nil
    }
}
