import DataIO
import Foundation
import Kernels
import Records

/// Per-token statistics of a scored sequence: entry t describes `ids[t+1]` given
/// `ids[0...t]` (so there are T−1 entries for T ids). Natural logs, entropies in nats.
public struct TokenStats: Sendable, Codable, Equatable {
    /// log p(ids[t+1] | ids[...t]).
    public var logprob: [Float]
    /// Full-vocabulary entropy of the next-token distribution.
    public var entropy: [Float]
    /// Entropy of the top-K logits renormalised.
    public var topkEntropy: [Float]
    /// topkEntropy / ln K, in [0, 1].
    public var gate: [Float]
    /// The model's most probable next token (what it expected instead of `ids[t+1]`).
    public var expectedID: [Int32]
    /// log p(expectedID[t] | ids[...t]).
    public var expectedLogprob: [Float]

    public init(logprob: [Float] = [], entropy: [Float] = [], topkEntropy: [Float] = [], gate: [Float] = [],
                expectedID: [Int32] = [], expectedLogprob: [Float] = []) {
        self.logprob = logprob
        self.entropy = entropy
        self.topkEntropy = topkEntropy
        self.gate = gate
        self.expectedID = expectedID
        self.expectedLogprob = expectedLogprob
    }

    enum CodingKeys: String, CodingKey {
        case logprob, entropy, topkEntropy = "topk_entropy", gate, expectedID = "expected_id", expectedLogprob = "expected_logprob"
    }
}

/// A Llama / Qwen2 / Qwen3 causal language model on the CPU (float32 compute), loaded from a
/// Hugging Face folder. Scores tokens in packed batches; the LM head and statistics run in
/// chunks of positions so the full [tokens × vocab] logits are never materialised.
///
/// Not reentrant: calls are serialised by an internal lock (one model per thread for
/// parallel scoring).
public final class CausalLM: @unchecked Sendable {
    public let config: ModelConfig
    public let weights: ModelWeights
    /// The folder it was loaded from, if any.
    public let directory: String?
    /// Tokens packed into one forward pass by `scoreBatch` (a longer sequence runs alone).
    public var tokenBudget = 4096
    /// Positions per LM-head chunk (nil: chosen from the vocabulary size, ~32 MB of logits).
    public var chunkRows: Int?

    public var vocabSize: Int { config.vocabSize }

    let lock = NSLock()
    var scratch: ForwardCache?
    var ropeCos: [Float] = []
    var ropeSin: [Float] = []
    var ropePositions = 0
    /// Compatibility switch: round the RoPE inverse frequencies to bfloat16, reproducing a transformers
    /// model whose non-persistent `inv_freq` buffer was cast by `model.to(torch.bfloat16)`
    /// (how the qwen3-tiny-fullvocab golden was made). Off by default; leave it off in normal use.
    public var ropeFrequenciesRoundedToBF16 = false { didSet { ropePositions = 0 } }
    var chunkBuffer: UnsafeMutablePointer<Float>?
    var chunkBufferCount = 0

    /// Wraps existing weights (e.g. from `ModelWeights(config:)` plus random init).
    public init(weights: ModelWeights, directory: String? = nil) {
        self.weights = weights
        self.config = weights.config
        self.directory = directory
    }

    deinit { chunkBuffer?.deallocate() }

    /// Loads `directory/config.json` (transformers-5 or legacy style) and the safetensors
    /// weights (single file or sharded; F32/BF16/F16 widened to float32 at load).
    public static func load(directory: String) throws -> CausalLM {
        let cfgPath = (directory as NSString).appendingPathComponent("config.json")
        let config = try ConfigRegistry.load(path: cfgPath)
        let ckpt: SafetensorsCheckpoint
        do { ckpt = try SafetensorsCheckpoint(directory: directory) } catch let e as DataIOError {
            throw ModelError(e.reason, at: e.location, hint: e.hint)
        }
        let w = try ModelWeights.load(config: config, checkpoint: ckpt)
        return CausalLM(weights: w, directory: directory)
    }

    /// Throws unless every id is in 0..<vocabSize (tokenizer / model vocabulary mismatch).
    public func checkIDs(_ ids: [Int32], sequence: Int? = nil) throws {
        for (i, t) in ids.enumerated() where t < 0 || Int(t) >= config.vocabSize {
            throw ModelError("token id \(t) at position \(i) is outside the model vocabulary (vocab_size \(config.vocabSize))",
                             at: .init(file: directory ?? "<model>", record: sequence, field: "ids"),
                             hint: "tokenizer and model vocabularies do not match")
        }
    }

    /// Full logits (T × V, row-major) for one sequence. For small inputs and tests: this
    /// materialises every row; use `scoreTokens` for long inputs.
    public func logits(ids: [Int32]) throws -> [Float] {
        try checkIDs(ids)
        if ids.isEmpty { return [] }
        lock.lock()
        defer { lock.unlock() }
        let batch = PackedBatch([ids])
        let cache = scratchCache(tokens: batch.tokenCount)
        let hidden = runForward(batch, cache: cache)
        var out = [Float](repeating: 0, count: ids.count * config.vocabSize)
        out.withUnsafeMutableBufferPointer { o in
            Linear.forward(x: hidden, w: weights.lmHead, bias: nil, y: o.baseAddress!, rows: ids.count,
                           inDim: config.hiddenSize, outDim: config.vocabSize)
        }
        return out
    }

    /// Runs the decoder over a packed batch into `cache` (which must have capacity ≥ T) and
    /// returns the final-norm hidden states (T, H) — `cache.finalNormed`. The trainer calls
    /// this with a `keepAll` cache and then applies its own LM head and loss.
    public func forward(_ batch: PackedBatch, cache: ForwardCache) throws -> UnsafeMutablePointer<Float> {
        guard cache.capacity >= batch.tokenCount else {
            throw ModelError("forward cache holds \(cache.capacity) tokens, batch has \(batch.tokenCount)",
                             at: .init(file: directory ?? "<model>"))
        }
        try checkIDs(batch.ids)
        lock.lock()
        defer { lock.unlock() }
        return runForward(batch, cache: cache)
    }

    /// A scratch-mode cache with room for `tokens` tokens (reused; grown when needed).
    func scratchCache(tokens: Int) -> ForwardCache {
        if let s = scratch, s.capacity >= tokens { return s }
        scratch = nil
        let s = ForwardCache(config: config, capacity: tokens, keepAll: false)
        scratch = s
        return s
    }
}
