import Curation
import DataIO
import Foundation
import Records

/// A checked `PipelineSpec` with every default applied and every choice typed: the one value the
/// component loader, the selector, the scoring stage, the executor and the journal read. Made once
/// per run (`init(spec:threads:)`); no later hop applies a default of its own.
public struct ResolvedPipeline: Sendable, Equatable {
    /// The document as written: inputs, template, and the content hash of the output.
    public let spec: PipelineSpec
    /// CRC-32C of everything that shapes the output bytes (`PipelineSpec.contentHash`).
    public let specHash: String
    /// Seed of every random choice (sampling keys).
    public let seed: UInt64
    /// The inputs, in spec order.
    public let inputs: [Input]
    /// Worker threads and the threads each scorer may use.
    public let threads: ThreadPlan
    /// The per-record stages in spec order (without render, which always runs first).
    public let recordStages: [RecordStageConfig]
    /// The sample stage, if any.
    public let sample: SampleConfig?
    /// The score stage, if any.
    public let score: ScoreConfig?
    /// Output directory of the spec (`RunOptions.outDir` overrides it).
    public let outputDir: String
    /// Samples per work unit: the unit of resume and partitioning.
    public let unitSamples: Int
    /// Options that shape the shard bytes.
    public let writer: ShardWriterOptions

    /// Resolves a spec that `PipelineSpec.parse` has checked. `threads` is the command line's
    /// `--threads`, which wins over the spec's `threads` (default 2).
    public init(spec: PipelineSpec, threads: Int? = nil) {
        self.spec = spec
        specHash = spec.contentHash
        seed = spec.seed
        inputs = spec.inputs.map(Input.init)
        self.threads = ThreadPlan(workers: threads ?? spec.threads ?? 2)
        var stages: [RecordStageConfig] = []
        var sample: SampleConfig?
        var score: ScoreConfig?
        for st in spec.stages {
            switch st {
            case .verify(let v):
                stages.append(.verify(VerifyConfig(keep: Set(v.keep ?? ["correct"]),
                                                   mathDomains: Set((v.mathDomains ?? ["math"]).compactMap(Domain.init(rawValue:))))))
            case .dedup(let d):
                stages.append(.dedup(DedupConfig(key: d.key.flatMap(DedupConfig.Key.init(rawValue:)) ?? .prompt, exact: d.exact ?? true,
                                                 near: d.near.map { $0.config ?? .datatrove })))
            case .decontaminate(let d):
                stages.append(.decontaminate(DecontaminateConfig(against: d.against, ngram: d.ngram ?? 13)))
            case .filter(let f):
                stages.append(.filter(LengthFilterConfig(minTokens: f.minTokens, maxTokens: f.maxTokens, minLabelTokens: f.minLabelTokens)))
            case .sample(let s):
                sample = SampleConfig(n: s.n, perSource: s.perSource ?? [:])
            case .score(let s):
                score = ScoreConfig(model: s.model, topK: s.topK ?? 20, batchTokens: s.batchTokens ?? 4096,
                                    sharePrefixes: s.sharePrefixes ?? true, server: s.scorer.map(ScorerServer.init))
            }
        }
        recordStages = stages
        self.sample = sample
        self.score = score
        outputDir = spec.output.dir
        unitSamples = spec.output.unitSamples ?? 256
        writer = ShardWriterOptions(targetShardBytes: Int((spec.output.shardMB ?? 64) * 1_048_576), blockBytes: (spec.output.blockKB ?? 1024) * 1024,
                                    zstdLevel: spec.output.zstdLevel ?? 3, topK: score?.topK ?? 20)
    }

    /// Domains whose free-text answers the math verifier grades (the verify stage's, else math).
    public var mathDomains: Set<Domain> {
        for s in recordStages { if case .verify(let v) = s { return v.mathDomains } }
        return [.math]
    }

    /// K of the top-K entropy recorded in shards and the journal (the score stage's, else 20).
    public var topK: Int { writer.topK }

    /// Name of the last stage's counts in the manifest: `score`, or `write` when nothing is scored.
    public var finalStage: String { score == nil ? "write" : "score" }

    /// How a run uses threads, decided once: `workers` threads take records (selection) and work
    /// units (scoring) in parallel; each scorer then runs its GEMMs on `scorerThreads` threads.
    /// Rule: several workers → one thread per scorer (no oversubscription); one worker → the
    /// scorer uses the cores (`Threads`' default, up to 8). The executor applies it before any
    /// scorer exists. Never changes the output bytes.
    public struct ThreadPlan: Sendable, Equatable {
        public let workers: Int
        public let scorerThreads: Int
        public init(workers: Int) {
            self.workers = max(1, workers)
            scorerThreads = self.workers > 1 ? 1 : max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
        }
    }

    /// One input: a file read through an adapter.
    public struct Input: Sendable, Equatable {
        public let path: String
        /// Adapter name (checked against the registry by `PipelineSpec.load`).
        public let adapter: String
        /// Source name recorded in every record (default: the file name).
        public let source: String
        public let domain: Domain
        /// Field mappings passed to the adapter (adapter key → dotted path in the row).
        public let fields: [String: String]
        /// Free-form adapter options.
        public let options: [String: JSONValue]
        /// Read at most this many rows (bad rows count); nil = all.
        public let limit: Int?

        init(_ i: PipelineSpec.Input) {
            path = i.path
            adapter = i.adapter
            source = i.source ?? ((i.path as NSString).lastPathComponent as String)
            domain = i.domain
            fields = i.fields ?? [:]
            options = i.options ?? [:]
            limit = i.limit
        }
    }

    /// One per-record stage with its settings resolved.
    public enum RecordStageConfig: Sendable, Equatable {
        case verify(VerifyConfig)
        case dedup(DedupConfig)
        case decontaminate(DecontaminateConfig)
        case filter(LengthFilterConfig)

        /// The stage's name in counts and rejects.
        public var name: String {
            switch self {
            case .verify: return "verify"
            case .dedup: return "dedup"
            case .decontaminate: return "decontaminate"
            case .filter: return "filter"
            }
        }
    }

    /// `verify`: verdicts kept; domains whose free-text answers the math verifier grades.
    public struct VerifyConfig: Sendable, Equatable {
        public let keep: Set<String>
        public let mathDomains: Set<Domain>
    }

    /// `dedup`: the compared text, exact dedup on or off, the MinHash settings (nil = off).
    public struct DedupConfig: Sendable, Equatable {
        public enum Key: String, Sendable { case prompt, conversation }
        public let key: Key
        public let exact: Bool
        public let near: MinHashDeduplicator.Config?
    }

    /// `decontaminate`: benchmark files and the n-gram length in words.
    public struct DecontaminateConfig: Sendable, Equatable {
        public let against: [DecontaminateStage.Against]
        public let ngram: Int
    }

    /// `filter`: bounds on the rendered conversation (nil = no bound).
    public struct LengthFilterConfig: Sendable, Equatable {
        public let minTokens: Int?
        public let maxTokens: Int?
        public let minLabelTokens: Int?
    }

    /// `sample`: samples kept in total; quotas of the listed sources.
    public struct SampleConfig: Sendable, Equatable {
        public let n: Int
        public let perSource: [String: Int]
    }

    /// `score`: the model (a folder, or the name a server serves), K, the native model's
    /// tokens per forward pass, and the server when one scores instead of the native model.
    public struct ScoreConfig: Sendable, Equatable {
        public let model: String
        public let topK: Int
        public let batchTokens: Int
        public let sharePrefixes: Bool
        public let server: ScorerServer?
    }
}

