import Foundation
import Curation
import Records
import Yams
import DataIO

/// A pipeline description (`pipelines/*.yaml`, documented in `schemas/pipeline.md`), as written:
/// optional keys stay optional. `ResolvedPipeline` applies the defaults; everything after it
/// reads that. Relative paths are resolved against the directory the process runs in (the repo root).
public struct PipelineSpec: Sendable, Codable, Equatable {
    public var name: String
    /// Seed of every random choice (sampling order).
    public var seed: UInt64 = 0
    /// Worker threads (default 2; `--threads` wins); never changes the output bytes.
    public var threads: Int?
    public var inputs: [Input]
    public var template: Template?
    public var stages: [Stage] = []
    public var output: Output

    enum CodingKeys: String, CodingKey { case name, seed, threads, inputs, template, stages, output }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0
        threads = try c.decodeIfPresent(Int.self, forKey: .threads)
        inputs = try c.decode([Input].self, forKey: .inputs)
        template = try c.decodeIfPresent(Template.self, forKey: .template)
        stages = try c.decodeIfPresent([Stage].self, forKey: .stages) ?? []
        output = try c.decode(Output.self, forKey: .output)
    }

    public struct Input: Sendable, Codable, Equatable {
        public var path: String
        /// Adapter name (`gsm8k`, `math`, `mcq`, `pubmedqa`, `huatuo_o1`, `openai`, `sharegpt`, `alpaca`, `bfcl`, `fields`).
        public var adapter: String
        /// Source name recorded in every record (defaults to the file name).
        public var source: String?
        public var domain: Domain
        /// Field mappings passed to the adapter (adapter key → dotted path in the row).
        public var fields: [String: String]?
        /// Free-form adapter options.
        public var options: [String: JSONValue]?
        /// Read at most this many rows.
        public var limit: Int?
    }

    public struct Template: Sendable, Codable, Equatable {
        /// A built-in template: `qwen3`, `qwen25` or `llama3` (give `kind` or `source`).
        public var kind: String?
        /// The model's own Jinja template: a model folder (`chat_template.jinja`, else
        /// `tokenizer_config.json`), a `tokenizer_config.json`, or a `.jinja` file.
        public var source: String?
        /// Which of a config's named templates (default: as transformers picks).
        public var name: String?
        /// Path to tokenizer.json.
        public var tokenizer: String
        /// Options: `mask` (all_assistant, last_assistant), `enable_thinking`; with `source`, every
        /// other key is passed to the template as a variable, as `apply_chat_template(**kwargs)`.
        public var options: [String: JSONValue]?

        public init(kind: String? = nil, source: String? = nil, name: String? = nil, tokenizer: String, options: [String: JSONValue]? = nil) {
            self.kind = kind
            self.source = source
            self.name = name
            self.tokenizer = tokenizer
            self.options = options
        }

        /// The renderer for this template: the model's own (`source`, Jinja) or a built-in (`kind`).
        public func renderer() throws -> ConversationRendering {
            source != nil ? try ModelTemplateRenderer(spec: self) : try TemplateRenderer(spec: self)
        }

        /// What the manifest records as `chat_template`.
        public var label: String { kind ?? "jinja:" + (source ?? "") + (name.map { "#" + $0 } ?? "") }
    }

    public struct Output: Sendable, Codable, Equatable {
        public var dir: String
        /// Target shard size in MiB (default 64).
        public var shardMB: Double?
        /// Uncompressed block size in KiB (default 1024).
        public var blockKB: Int?
        /// Samples per work unit (default 256): the unit of resume and partitioning.
        public var unitSamples: Int?
        public var zstdLevel: Int32?
        enum CodingKeys: String, CodingKey {
            case dir
            case shardMB = "shard_mb"
            case blockKB = "block_kb"
            case unitSamples = "unit_samples"
            case zstdLevel = "zstd_level"
        }
    }

    /// Loads and checks a YAML spec; unknown keys are errors naming their path.
    public static func load(path: String) throws -> PipelineSpec {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw PipelineError("cannot read pipeline spec", at: SourceLocation(file: path))
        }
        let spec = try parse(yaml: text, file: path)
        try spec.checkAdapters(file: path)
        return spec
    }

    /// Adapter names, field and option keys of every input, checked against the adapter
    /// registry so the error names the spec key (the adapter itself only knows its source).
    /// `load(path:)` calls it; `parse` does not (tests use stand-in adapters).
    public func checkAdapters(file: String) throws {
        for (i, input) in inputs.enumerated() {
            guard let t = AdapterRegistry.type(named: input.adapter) else {
                throw PipelineError("unknown adapter '\(input.adapter)'", at: SourceLocation(file: file, field: "inputs.\(i).adapter"),
                                    hint: "known adapters: \(AdapterRegistry.names.joined(separator: ", "))")
            }
            for k in (input.fields ?? [:]).keys.sorted() where !t.fieldSpecs.contains(where: { $0.name == k }) {
                throw PipelineError("adapter \(input.adapter): unknown field '\(k)'", at: SourceLocation(file: file, field: "inputs.\(i).fields.\(k)"),
                                    hint: "fields of \(input.adapter): \(t.fieldSpecs.map(\.name).joined(separator: ", "))")
            }
            let allowed = Set(t.optionKeys + AdapterContext.commonOptionKeys)
            for k in (input.options ?? [:]).keys.sorted() where !allowed.contains(k) {
                throw PipelineError("adapter \(input.adapter): unknown option '\(k)'", at: SourceLocation(file: file, field: "inputs.\(i).options.\(k)"),
                                    hint: "options of \(input.adapter): \(allowed.sorted().joined(separator: ", "))")
            }
        }
    }

    public static func parse(yaml text: String, file: String = "<spec>") throws -> PipelineSpec {
        let spec: PipelineSpec
        do {
            spec = try YAMLDecoder().decode(PipelineSpec.self, from: text)
        } catch let e as PipelineError {
            throw PipelineError(e.reason, at: SourceLocation(file: file, field: e.location.field), hint: e.hint)
        } catch {
            if case DecodingError.dataCorrupted(let ctx) = error, let e = ctx.underlyingError as? PipelineError {
                throw PipelineError(e.reason, at: SourceLocation(file: file, field: e.location.field), hint: e.hint)
            }
            if let p = StrictDecoding.describe(error) {
                throw PipelineError(p.reason, at: SourceLocation(file: file, field: p.keyPath))
            }
            throw PipelineError("invalid pipeline spec: \(error)", at: SourceLocation(file: file))
        }
        // Unknown keys: every key of the YAML must survive a decode → encode round trip.
        let json: Data
        do { json = try JSONEncoder().encode(spec) } catch let EncodingError.invalidValue(v, ctx) {
            throw PipelineError("invalid value \(v)", at: SourceLocation(file: file, field: StrictDecoding.keyPath(ctx.codingPath)))
        }
        let encoded = try JSONParser.parse(Array(json))
        if let node = try Yams.compose(yaml: text) {
            try checkKnownKeys(node, encoded, path: [], file: file)
        }
        try spec.validate(file: file)
        return spec
    }

    static func checkKnownKeys(_ node: Node, _ v: JSONValue, path: [String], file: String) throws {
        switch node {
        case .mapping(let m):
            for (k, child) in m {
                let key = k.string ?? "\(k)"
                if case .scalar(let s) = child, s.string == "~" || s.string == "null" || s.string.isEmpty { continue }
                guard let sub = v[key] else {
                    throw PipelineError("unknown key '\(key)'", at: SourceLocation(file: file, field: (path + [key]).joined(separator: ".")),
                                        hint: "see schemas/pipeline.md for the allowed keys")
                }
                try checkKnownKeys(child, sub, path: path + [key], file: file)
            }
        case .sequence(let s):
            for (i, child) in s.enumerated() {
                if let sub = v[i] { try checkKnownKeys(child, sub, path: path + [String(i)], file: file) }
            }
        default: return
        }
    }

    func validate(file: String) throws {
        func bad(_ r: String, _ f: String) -> PipelineError { PipelineError(r, at: SourceLocation(file: file, field: f)) }
        if inputs.isEmpty { throw bad("no inputs", "inputs") }
        if let t = template, (t.kind == nil) == (t.source == nil) {
            throw bad("give either kind (a built-in template) or source (the model's own template)", "template")
        }
        for (i, input) in inputs.enumerated() where input.path.isEmpty { throw bad("empty input path", "inputs.\(i).path") }
        if let t = template, t.tokenizer.isEmpty { throw bad("empty tokenizer path", "template.tokenizer") }
        if output.dir.isEmpty { throw bad("empty output directory", "output.dir") }
        if let si = stages.firstIndex(where: { $0.name == "score" }), let s = scoreStage, s.model.isEmpty {
            throw bad("empty model path", "stages.\(si).score.model")
        }
        if let t = threads, t < 1 || t > 256 { throw bad("threads must be in 1...256", "threads") }
        if let u = output.unitSamples, u < 1 { throw bad("unit_samples must be ≥ 1", "output.unit_samples") }
        // Sizes are range-checked here, before any Int conversion or allocation (schemas/pipeline.md).
        if let s = output.shardMB, !(s > 0 && s <= Double(Self.maxShardMB)) {
            throw bad("shard_mb must be in (0, \(Self.maxShardMB)], got \(s)", "output.shard_mb")
        }
        if let b = output.blockKB, !(1...Self.maxBlockKB).contains(b) {
            throw bad("block_kb must be in 1...\(Self.maxBlockKB), got \(b)", "output.block_kb")
        }
        if let z = output.zstdLevel, !(-7...22).contains(z) { throw bad("zstd_level must be in -7...22, got \(z)", "output.zstd_level") }
        if let u = output.unitSamples, u > 1 << 24 { throw bad("unit_samples must be ≤ \(1 << 24)", "output.unit_samples") }
        var seen = Set<String>()
        for (i, st) in stages.enumerated() {
            if seen.contains(st.name) { throw bad("stage '\(st.name)' appears twice", "stages.\(i)") }
            seen.insert(st.name)
            if case .score(let s) = st, let k = s.topK, k < 2 || k > 1024 { throw bad("top_k must be in 2...1024", "stages.\(i).score.top_k") }
            if case .score(let s) = st, let b = s.batchTokens, b < 1 || b > 1 << 24 {
                throw bad("batch_tokens must be in 1...\(1 << 24)", "stages.\(i).score.batch_tokens")
            }
            if case .score(let s) = st, let sc = s.scorer {
                let f = "stages.\(i).score.scorer"
                if sc.backend != "vllm" { throw bad("unknown scorer backend '\(sc.backend)' (vllm)", f + ".backend") }
                guard let u = URL(string: sc.url), u.scheme == "http" || u.scheme == "https", u.host != nil else {
                    throw bad("url must be http(s)://HOST[:PORT]", f + ".url")
                }
                if let c = sc.concurrency, c < 1 || c > 256 { throw bad("concurrency must be in 1...256", f + ".concurrency") }
                if let t = sc.timeoutS, !(t > 0 && t <= 86_400) { throw bad("timeout_s must be in (0, 86400]", f + ".timeout_s") }
                if let r = sc.retries, r < 0 || r > 100 { throw bad("retries must be in 0...100", f + ".retries") }
            }
            if case .verify(let v) = st {
                for d in v.mathDomains ?? [] where Domain(rawValue: d) == nil {
                    throw bad("unknown domain '\(d)' (one of \(Domain.allCases.map(\.rawValue).joined(separator: ", ")))",
                              "stages.\(i).verify.math_domains")
                }
            }
            if case .sample(let s) = st {
                if s.n < 0 { throw bad("n must be ≥ 0", "stages.\(i).sample.n") }
                let quotas = s.perSource ?? [:]
                for (src, q) in quotas.sorted(by: { $0.key < $1.key }) where q < 0 {
                    throw bad("quota must be ≥ 0", "stages.\(i).sample.per_source.\(src)")
                }
                let sum = quotas.values.reduce(0, +)
                if sum > s.n { throw bad("per_source quotas add up to \(sum), more than n = \(s.n)", "stages.\(i).sample.per_source") }
            }
            if case .dedup(let d) = st {
                if let k = d.key, k != "prompt" && k != "conversation" { throw bad("dedup key must be prompt or conversation", "stages.\(i).dedup.key") }
                if d.exact == false && d.near == nil { throw bad("dedup with exact: false needs near: {...}", "stages.\(i).dedup") }
                if let n = d.near {
                    let f = "stages.\(i).dedup.near"
                    if let p = n.preset, DedupStage.NearDup.presets[p] == nil {
                        throw bad("unknown near-dup preset '\(p)' (datatrove or short_text)", f + ".preset")
                    }
                    guard let c = n.config else { throw bad("normalize must be datatrove or words", f + ".normalize") }
                    if c.ngram < 1 || c.ngram > 64 { throw bad("ngram must be in 1...64", f + ".ngram") }
                    if c.bands < 1 || c.rows < 1 || c.bands * c.rows > 1024 { throw bad("bands and rows must be ≥ 1 with bands × rows ≤ 1024", f) }
                    if let t = c.verifyThreshold, !(t > 0 && t <= 1) { throw bad("verify_threshold must be in (0, 1]", f + ".verify_threshold") }
                }
            }
            if case .decontaminate(let d) = st, let n = d.ngram, n < 1 { throw bad("ngram must be ≥ 1", "stages.\(i).decontaminate.ngram") }
        }
        if stages.contains(where: { $0.name == "score" }) && template == nil { throw bad("a score stage needs a template (tokenizer)", "template") }
        if let si = stages.firstIndex(where: { $0.name == "sample" }),
           let later = stages[(si + 1)...].firstIndex(where: { $0.name != "score" }) {
            throw bad("per-record stages must come before sample (stage '\(stages[later].name)')", "stages.\(later)")
        }
        if let si = stages.firstIndex(where: { $0.name == "score" }), si != stages.count - 1 {
            throw bad("score must be the last stage", "stages.\(si)")
        }
    }

    /// Upper bounds of `output.shard_mb` (64 GiB) and `output.block_kb` (64 MiB; a shard block
    /// must stay below `ShardFormat.maxBlockBytes` even with one over-long sample in it).
    public static let maxShardMB = 65536, maxBlockKB = 65536

    public var scoreStage: ScoreStage? {
        for s in stages { if case .score(let x) = s { return x } }
        return nil
    }

    /// CRC-32C of the canonical JSON of everything that shapes the output (not output.dir, not threads).
    public var contentHash: String {
        var s = self
        s.threads = nil
        s.output.dir = ""
        // Where and how fast a server answers does not change what it computes.
        s.stages = s.stages.map { st in
            guard case .score(var sc) = st, sc.scorer != nil else { return st }
            sc.scorer = ServerScorerSpec(backend: sc.scorer!.backend, url: "")
            return .score(sc)
        }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let bytes = (try? e.encode(s)).map(Array.init) ?? []
        let c = String(CRC32C.checksum(bytes), radix: 16)
        return String(repeating: "0", count: 8 - c.count) + c
    }
}
