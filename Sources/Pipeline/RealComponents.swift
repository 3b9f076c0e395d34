import DataIO
import Foundation
import Kernels
import Model
import Records
import Tokenizer
import Verify

/// Builds the executor's components from the real pieces: RowSource + adapters (ingest),
/// ChatTemplate + Tokenizer, Math/Choice/ToolCall verifiers, CausalLM scoring.
public enum RealComponents {
    /// Components for `spec` from the real tokenizer, adapters, verifiers and model.
    public static func make(spec: PipelineSpec) throws -> PipelineComponents {
        var renderer: ConversationRendering?
        var tokFP: ShardManifest.Fingerprint?
        if let t = spec.template {
            renderer = try t.renderer()
            tokFP = try ShardManifest.Fingerprint.of(file: t.tokenizer)
        }
        var makeScorer: (() throws -> TokenScoring)?
        var modelFP: ShardManifest.Fingerprint?
        var scorerInfo: ShardManifest.ScorerInfo?
        if let s = spec.scoreStage, let server = s.scorer {
            // A scoring server: checked once, before any data is read; shared by the workers
            // (it is thread-safe and keeps `concurrency` requests in flight for each).
            let topK = s.topK ?? 20
            let tok = try spec.template.map { try Tokenizer.load(path: $0.tokenizer) }
            let probe = (tok?.encode("Hello, world! 12 + 30 = 42. Ünïcödé café — 数学.") ?? [1, 2, 3, 4])
            let scorer = try ServerScorer.connect(spec: server, model: s.model, topK: topK, tokenizer: tok, probe: probe)
            makeScorer = { scorer }
            scorerInfo = ShardManifest.ScorerInfo(backend: server.backend, url: ServerScorer.elided(server.url), model: s.model, topK: topK)
        } else if let s = spec.scoreStage {
            let weights = s.model + "/model.safetensors"
            if FileManager.default.fileExists(atPath: weights) { modelFP = try ShardManifest.Fingerprint.of(file: weights) }
            else if FileManager.default.fileExists(atPath: s.model + "/model.safetensors.index.json") {
                modelFP = try ShardManifest.Fingerprint.of(file: s.model + "/model.safetensors.index.json")
            }
            let threads = spec.threads ?? 2
            let batchTokens = s.batchTokens ?? 4096
            // Several workers: each model single-threaded (no oversubscription); one: let it use
            // the cores. Set here, once, before any scorer exists (the settings are process-wide).
            if threads > 1 { Threads.use(1) }
            makeScorer = {
                let m = try CausalLM.load(directory: s.model)
                m.tokenBudget = batchTokens
                return ModelScorer(model: m)
            }
        }
        var c = PipelineComponents(openInput: { try AdapterStream(input: $0) }, renderer: renderer, verifier: RecordVerifier(mathDomains: Set(spec.verifyStage?.mathDomains ?? ["math"])),
                                   makeScorer: makeScorer, tokenizer: tokFP, model: modelFP)
        c.scorer = scorerInfo
        return c
    }
}

/// Rows of one input through its adapter; bad lines and adapter errors become `.bad` items.
final class AdapterStream: RecordStream {
    let rows: any RowIterator
    let adapter: any RecordAdapter
    var pending: [StreamItem] = []
    var index = 0
    private let box = BadBox()

    final class BadBox: @unchecked Sendable { var items: [StreamItem] = [] }

    init(input: PipelineSpec.Input) throws {
        let source = input.source ?? ((input.path as NSString).lastPathComponent as String)
        let config = AdapterConfig(source: source, domain: input.domain, fields: input.fields ?? [:], options: input.options ?? [:])
        adapter = try AdapterRegistry.make(input.adapter, config: config)
        let box = self.box
        var o = RowSourceOptions()
        o.onBadLine = { b in box.items.append(.bad(reason: b.reason.rawValue, detail: b.detail, b.location)) }
        rows = try RowSource.open(path: input.path, options: o)
    }

    /// Items in file order: bad lines reported while skipping to a row come before that row.
    func next() throws -> StreamItem? {
        while true {
            if !pending.isEmpty { return pending.removeFirst() }
            guard let (row, loc) = try rows.next() else {
                pending += box.items
                box.items.removeAll()
                return pending.isEmpty ? nil : pending.removeFirst()
            }
            pending += box.items
            box.items.removeAll()
            pending.append(try convert(row, loc))
        }
    }

    private func convert(_ row: JSONValue, _ loc: SourceLocation) throws -> StreamItem {
        defer { index += 1 }
        do {
            return .record(try adapter.record(from: row, index: index, location: loc), loc)
        } catch let e as DataIOError {
            return .bad(reason: "adapter_error", detail: e.reason, e.location)
        }
    }
}

/// Picks the verifier from the record's reference kind and domain: choice → ChoiceVerifier,
/// tool calls → ToolCallVerifier, a free-text answer → MathVerifier only in `mathDomains`
/// (default math), otherwise `unverifiable` (a medical free-text answer is not a number).
struct RecordVerifier: RecordVerifying {
    let math = MathVerifier()
    let choice = ChoiceVerifier()
    let tools = ToolCallVerifier()
    /// Domains (raw values) whose `answer` references the math verifier grades.
    var mathDomains: Set<String> = ["math"]

    func verify(_ record: Record) -> (verdict: String, reason: String) {
        guard let ref = record.reference else { return ("unverifiable", "no_reference") }
        let v: Verdict
        switch ref.kind {
        case .answer:
            guard mathDomains.contains(record.domain.rawValue) else {
                return ("unverifiable", "free_text_answer: \(record.domain.rawValue) answers are not graded (verify.math_domains)")
            }
            v = math.verify(record)
        case .choice: v = choice.verify(record)
        case .toolCalls: v = tools.verify(record)
        }
        if v.passed { return ("correct", v.description) }
        return (v.reason == "no_reference" ? "unverifiable" : "incorrect", v.description)
    }
}

/// CausalLM as a `TokenScoring`.
final class ModelScorer: TokenScoring {
    let model: CausalLM
    init(model: CausalLM) { self.model = model }
    var maxPositions: Int { model.config.maxPositionEmbeddings }

    func score(batch: [[TokenID]], topK: Int) throws -> [TokenStats] {
        try model.scoreBatch(batch, topK: topK)
    }
}
