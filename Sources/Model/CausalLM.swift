import DataIO
import Foundation
import Kernels
import Records

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
    /// Whether a packed scoring pass computes a prefix that a sequence shares with an earlier
    /// one of the same pass only once (`PackedBatch(_:sharingPrefixes:)`). The statistics are
    /// the same up to float rounding; off, every sequence is computed in full.
    public var sharePrefixes = true
    /// Token positions the decoder has run over in scoring passes (shared prefixes count once).
    public internal(set) var computedTokens = 0

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
    public func checkIDs(_ ids: [TokenID], sequence: Int? = nil) throws {
        for (i, t) in ids.enumerated() where t < 0 || Int(t) >= config.vocabSize {
            throw ModelError("token id \(t) at position \(i) is outside the model vocabulary (vocab_size \(config.vocabSize))",
                             at: .init(file: directory ?? "<model>", record: sequence, field: "ids"),
                             hint: "tokenizer and model vocabularies do not match")
        }
    }

    /// Full logits (T × V, row-major) for one sequence. For small inputs and tests: this
    /// materialises every row; use `scoreTokens` for long inputs.
    public func logits(ids: [TokenID]) throws -> [Float] {
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
