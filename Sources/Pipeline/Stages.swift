import Curation
import Records

/// One pipeline stage, written in YAML as a single-key mapping (`- filter: {max_tokens: 2048}`).
public enum Stage: Sendable, Codable, Equatable {
    case verify(VerifyStage)
    case dedup(DedupStage)
    case decontaminate(DecontaminateStage)
    case filter(FilterStage)
    case sample(SampleStage)
    case score(ScoreStage)

    public var name: String {
        switch self {
        case .verify: return "verify"
        case .dedup: return "dedup"
        case .decontaminate: return "decontaminate"
        case .filter: return "filter"
        case .sample: return "sample"
        case .score: return "score"
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        guard c.allKeys.count == 1, let k = c.allKeys.first else {
            throw PipelineError("a stage is a mapping with exactly one key (verify, dedup, decontaminate, filter, sample, score)",
                                at: SourceLocation(file: "", field: StrictDecoding.keyPath(decoder.codingPath)))
        }
        switch k.stringValue {
        case "verify": self = .verify(try c.decode(VerifyStage.self, forKey: k))
        case "dedup": self = .dedup(try c.decode(DedupStage.self, forKey: k))
        case "decontaminate": self = .decontaminate(try c.decode(DecontaminateStage.self, forKey: k))
        case "filter": self = .filter(try c.decode(FilterStage.self, forKey: k))
        case "sample": self = .sample(try c.decode(SampleStage.self, forKey: k))
        case "score": self = .score(try c.decode(ScoreStage.self, forKey: k))
        default:
            throw PipelineError("unknown stage '\(k.stringValue)'", at: SourceLocation(file: "", field: StrictDecoding.keyPath(decoder.codingPath + [k])),
                                hint: "one of verify, dedup, decontaminate, filter, sample, score")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .verify(let s): try c.encode(s, forKey: Key("verify"))
        case .dedup(let s): try c.encode(s, forKey: Key("dedup"))
        case .decontaminate(let s): try c.encode(s, forKey: Key("decontaminate"))
        case .filter(let s): try c.encode(s, forKey: Key("filter"))
        case .sample(let s): try c.encode(s, forKey: Key("sample"))
        case .score(let s): try c.encode(s, forKey: Key("score"))
        }
    }
}

/// Runs the verifier matching each record's reference; drops records whose verdict is not kept.
public struct VerifyStage: Sendable, Codable, Equatable {
    /// Verdicts to keep (default `[correct]`); `[correct, unverifiable]` keeps records without a reference.
    public var keep: [String]?
    /// Domains whose free-text `answer` references are graded by the math verifier (default
    /// `[math]`); a free-text answer in any other domain (e.g. HuatuoGPT-o1's medical
    /// answers) is `unverifiable`. Choice and tool-call references are always verified.
    public var mathDomains: [String]?

    enum CodingKeys: String, CodingKey {
        case keep
        case mathDomains = "math_domains"
    }

    public init(keep: [String]? = nil, mathDomains: [String]? = nil) {
        self.keep = keep
        self.mathDomains = mathDomains
    }
}

/// Drops repeated records with Curation's deduplicators: exact (`ExactDeduplicator`: same
/// normalised text — NFC, lowercase, whitespace collapsed) and/or near (`MinHashDeduplicator`
/// LSH, decided by `MinHashIndex`). In input order; the first record wins and every drop names it.
public struct DedupStage: Sendable, Codable, Equatable {
    /// What is compared: `prompt` (user turns, default) or `conversation` (every turn's
    /// reasoning, content and tool calls).
    public var key: String?
    /// Exact dedup on normalised text (default true).
    public var exact: Bool?
    /// MinHash near-duplicate removal; absent = off, `{}` = the datatrove preset.
    public var near: NearDup?

    /// MinHash LSH settings: a preset, then any of its values overridden.
    public struct NearDup: Sendable, Codable, Equatable {
        /// `datatrove` (default: datatrove's text simplification, word 5-grams, 14 bands × 8 rows,
        /// link on any shared bucket) or `short_text` (numbers kept, 3-grams, 20 × 5, candidates
        /// confirmed at estimated Jaccard ≥ 0.5).
        public var preset: String?
        public var ngram: Int?
        public var bands: Int?
        public var rows: Int?
        /// Seed of the min-hash functions (default 1; independent of the spec's sampling seed).
        public var seed: UInt64?
        /// Minimum estimated Jaccard for a bucket collision to count (0 < t ≤ 1).
        public var verifyThreshold: Double?
        /// `datatrove` (its simplify_text: numbers → 0, punctuation and diacritics removed) or
        /// `words` (lowercase letter/digit runs, numbers kept).
        public var normalize: String?

        enum CodingKeys: String, CodingKey {
            case preset, ngram, bands, rows, seed, normalize
            case verifyThreshold = "verify_threshold"
        }

        static let presets: [String: MinHashDeduplicator.Config] = ["datatrove": .datatrove, "short_text": .shortText]

        /// The MinHash configuration (nil for an unknown preset or normalisation; `validate` reports it).
        public var config: MinHashDeduplicator.Config? {
            guard var c = NearDup.presets[preset ?? "datatrove"] else { return nil }
            if let v = ngram { c.ngram = v }
            if let v = bands { c.bands = v }
            if let v = rows { c.rows = v }
            if let v = seed { c.seed = v }
            if let v = verifyThreshold { c.verifyThreshold = v }
            if let v = normalize {
                guard let m = MinHashDeduplicator.Normalization(rawValue: v) else { return nil }
                c.normalization = m
            }
            return c
        }
    }
}

/// Drops records whose prompt shares a long n-gram with an evaluation set (Curation's
/// `Decontaminator`).
public struct DecontaminateStage: Sendable, Codable, Equatable {
    /// Benchmark files (JSONL) and the field holding their question text.
    public var against: [Against]
    /// n-gram length in words (default 13).
    public var ngram: Int?
    public struct Against: Sendable, Codable, Equatable {
        public var path: String
        /// Key or dotted path of the question text; every row must have it.
        public var field: String
        /// Name reported in drop reasons (default: the path).
        public var name: String?
    }
}

/// Length filters on the rendered conversation.
public struct FilterStage: Sendable, Codable, Equatable {
    public var minTokens: Int?
    public var maxTokens: Int?
    public var minLabelTokens: Int?
    enum CodingKeys: String, CodingKey {
        case minTokens = "min_tokens"
        case maxTokens = "max_tokens"
        case minLabelTokens = "min_label_tokens"
    }
}

/// Keeps `n` records chosen uniformly at random (seeded): the n smallest keys
/// hash(seed, source, id) — a bounded max-heap, independent of input order.
public struct SampleStage: Sendable, Codable, Equatable {
    /// Samples kept in total.
    public var n: Int
    /// At most this many samples of each listed source (its smallest sampling keys); the
    /// sources not listed share the rest, n − Σ quotas. Σ quotas must not exceed n.
    public var perSource: [String: Int]?
    enum CodingKeys: String, CodingKey {
        case n
        case perSource = "per_source"
    }
}

/// Scores every token under a causal LM: log-probability, entropy, top-K entropy, gate.
public struct ScoreStage: Sendable, Codable, Equatable {
    /// Hugging Face model directory (native scorer), or with `scorer` the name the server serves.
    public var model: String
    /// K of the top-K entropy (default 20).
    public var topK: Int?
    /// Tokens per forward pass of the native model (default 4096); a server scorer keeps
    /// `concurrency` single-sequence requests in flight instead.
    public var batchTokens: Int?
    /// A scoring server instead of the native CPU model (see `ServerScorer`).
    public var scorer: ServerScorerSpec?
    /// Native model: compute a prefix that a sequence shares with an earlier one of the same
    /// forward pass only once (default true; `CausalLM.sharePrefixes`).
    public var sharePrefixes: Bool?
    enum CodingKeys: String, CodingKey {
        case model
        case topK = "top_k"
        case batchTokens = "batch_tokens"
        case scorer
        case sharePrefixes = "share_prefixes"
    }
}

/// `score.scorer`: an OpenAI-compatible completions server with prompt log-probabilities (vLLM).
public struct ServerScorerSpec: Sendable, Codable, Equatable {
    /// `vllm` (the only backend so far).
    public var backend: String
    /// Base URL, e.g. `http://127.0.0.1:8000`.
    public var url: String
    /// Requests in flight per pipeline worker (default 4).
    public var concurrency: Int?
    /// Seconds before a request is abandoned and retried (default 600).
    public var timeoutS: Double?
    /// Retries after a connection error, timeout or 5xx, with exponential backoff (default 5).
    public var retries: Int?
    public init(backend: String = "vllm", url: String, concurrency: Int? = nil, timeoutS: Double? = nil, retries: Int? = nil) {
        self.backend = backend
        self.url = url
        self.concurrency = concurrency
        self.timeoutS = timeoutS
        self.retries = retries
    }
    enum CodingKeys: String, CodingKey {
        case backend, url, concurrency
        case timeoutS = "timeout_s"
        case retries
    }
}
