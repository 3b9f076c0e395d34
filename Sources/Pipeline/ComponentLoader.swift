import DataIO
import Foundation
import Model
import Records
import Tokenizer
import Verify

/// Loads what a pipeline names into `PipelineComponents`: the inputs through their adapters
/// (`AdapterStream`), the chat template and tokenizer, the verifiers (`VerifierSet`), and the
/// scorer — the native model (`ModelScorer`) or a scoring server (`ServerScorer`).
public enum ComponentLoader {
    /// Components for `pipeline` from the real tokenizer, adapters, verifiers and model. A
    /// scoring server is checked here, before any data is read.
    public static func load(_ pipeline: ResolvedPipeline) throws -> PipelineComponents {
        var renderer: ConversationRendering?
        var tokFP: ShardManifest.Fingerprint?
        if let t = pipeline.spec.template {
            renderer = try t.renderer()
            tokFP = try ShardManifest.Fingerprint.of(file: t.tokenizer)
        }
        var makeScorer: (() throws -> Scorer)?
        var modelFP: ShardManifest.Fingerprint?
        var scorerInfo: ShardManifest.ScorerInfo?
        if let s = pipeline.score, let server = s.server {
            // Shared by the workers (it is thread-safe and keeps `concurrency` requests in flight for each).
            let tok = try pipeline.spec.template.map { try Tokenizer.load(path: $0.tokenizer) }
            let probe = (tok?.encode("Hello, world! 12 + 30 = 42. Ünïcödé café — 数学.") ?? [1, 2, 3, 4])
            let scorer = try ServerScorer.connect(server: server, model: s.model, topK: s.topK, tokenizer: tok, probe: probe)
            makeScorer = { scorer }
            scorerInfo = ShardManifest.ScorerInfo(backend: server.backend.rawValue, url: ServerScorer.elided(server.url), model: s.model, topK: s.topK)
        } else if let s = pipeline.score {
            let weights = s.model + "/model.safetensors"
            if FileManager.default.fileExists(atPath: weights) { modelFP = try ShardManifest.Fingerprint.of(file: weights) }
            else if FileManager.default.fileExists(atPath: s.model + "/model.safetensors.index.json") {
                modelFP = try ShardManifest.Fingerprint.of(file: s.model + "/model.safetensors.index.json")
            }
            // One model per worker; how many threads each uses is the executor's `ThreadPlan`.
            makeScorer = { ModelScorer(model: try CausalLM.load(directory: s.model), batchTokens: s.batchTokens,
                                             sharePrefixes: s.sharePrefixes) }
        }
        var c = PipelineComponents(openInput: { try AdapterStream(input: $0) }, renderer: renderer,
                                   verifier: VerifierSet(mathDomains: Set(pipeline.mathDomains.map(\.rawValue))),
                                   makeScorer: makeScorer, tokenizer: tokFP, model: modelFP)
        c.scorer = scorerInfo
        return c
    }
}
