/// Activations of one decoder layer for T packed tokens (pointers into a `ForwardCache`).
/// Shapes use T tokens, H hidden, nh/nkv heads, hd head_dim, I intermediate.
/// These are the inputs of every op, which is what a backward pass needs.
public struct LayerActivations: @unchecked Sendable {
    /// Residual stream entering the layer (T, H).
    public var input: UnsafeMutablePointer<Float>
    /// input_layernorm output (T, H) and its rsqrt(mean(x²)+eps) per token (T).
    public var normed1: UnsafeMutablePointer<Float>
    public var rstd1: UnsafeMutablePointer<Float>
    /// Qwen3 only: q/k projections before q_norm/k_norm, (T, nh·hd) / (T, nkv·hd), and their
    /// per-(token, head) rstd (T·nh) / (T·nkv). nil for other architectures and in scratch mode.
    public var qRaw: UnsafeMutablePointer<Float>?
    public var kRaw: UnsafeMutablePointer<Float>?
    public var qRstd: UnsafeMutablePointer<Float>?
    public var kRstd: UnsafeMutablePointer<Float>?
    /// q after (norm and) RoPE (T, nh·hd), k after (norm and) RoPE (T, nkv·hd), v (T, nkv·hd).
    public var q: UnsafeMutablePointer<Float>
    public var k: UnsafeMutablePointer<Float>
    public var v: UnsafeMutablePointer<Float>
    /// Log-sum-exp of each query's scaled, masked scores (nh, T): probabilities are
    /// `exp(q·kᵀ·scale − lse)`. nil in scratch mode.
    public var lse: UnsafeMutablePointer<Float>?
    /// Attention output before o_proj (T, nh·hd).
    public var attnOut: UnsafeMutablePointer<Float>
    /// Residual stream after attention (T, H).
    public var mid: UnsafeMutablePointer<Float>
    /// post_attention_layernorm output (T, H) and rstd (T).
    public var normed2: UnsafeMutablePointer<Float>
    public var rstd2: UnsafeMutablePointer<Float>
    /// MLP pre-activations gate (T, I), up (T, I) and silu(gate)·up (T, I), the input of
    /// down_proj. In scratch mode only `act` is written (gate/up live in the fused `gateUpRows`).
    public var gate: UnsafeMutablePointer<Float>
    public var up: UnsafeMutablePointer<Float>
    public var act: UnsafeMutablePointer<Float>
}

/// Buffers for one forward pass over up to `capacity` packed tokens.
///
/// With `keepAll: true` (the trainer's mode) every layer has its own `LayerActivations`,
/// `finalInput` holds the residual stream after the last layer, and `finalNormed`/`finalRstd`
/// the final RMSNorm — so a backward pass can read the input of every op.
/// With `keepAll: false` (scoring) all layers share one set of buffers, `lse`, `qRaw`/`kRaw`
/// are not kept and memory is O(T·max(H, I)) independent of depth.
/// Buffers are allocated once and reused; a larger batch needs a new cache.
public final class ForwardCache: @unchecked Sendable {
    public let config: ModelConfig
    public let capacity: Int
    public let keepAll: Bool
    /// Per layer (keepAll) or a single shared entry (scratch mode).
    public private(set) var layers: [LayerActivations] = []
    /// Residual stream after the last layer (T, H), final-norm output (T, H) and rstd (T).
    public private(set) var finalInput: UnsafeMutablePointer<Float>
    public private(set) var finalNormed: UnsafeMutablePointer<Float>
    public private(set) var finalRstd: UnsafeMutablePointer<Float>
    /// Shared scratch for the fused projections: q|k|v rows (T, nh·hd + 2·nkv·hd) and
    /// gate|up rows (T, 2·I). Overwritten by every layer.
    public let qkvRows: UnsafeMutablePointer<Float>
    public let gateUpRows: UnsafeMutablePointer<Float>
    private let arena: UnsafeMutablePointer<Float>
    public let arenaCount: Int

    public init(config c: ModelConfig, capacity: Int, keepAll: Bool = true) {
        config = c
        self.capacity = max(1, capacity)
        self.keepAll = keepAll
        let t = self.capacity, h = c.hiddenSize, i = c.intermediateSize
        let qk = c.qkNorm && keepAll
        var perLayer = t * h * 4 + t * 2 + t * (c.qDim * 2 + c.kvDim * 2) + t * i * (keepAll ? 3 : 2)
        if keepAll { perLayer += c.numHeads * t }
        if qk { perLayer += t * (c.qDim + c.kvDim) + t * (c.numHeads + c.numKVHeads) }
        let nl = keepAll ? c.numLayers : 1
        let total = nl * perLayer + t * h * 2 + t + t * (c.qDim + 2 * c.kvDim) + t * 2 * i
        arenaCount = total
        let mem = UnsafeMutablePointer<Float>.allocate(capacity: total)
        mem.initialize(repeating: 0, count: total)
        arena = mem
        var off = 0
        func take(_ n: Int) -> UnsafeMutablePointer<Float> { defer { off += n }; return mem + off }
        var built: [LayerActivations] = []
        for _ in 0..<nl {
            let input = take(t * h), n1 = take(t * h), r1 = take(t)
            let qRaw = qk ? take(t * c.qDim) : nil, kRaw = qk ? take(t * c.kvDim) : nil
            let qR = qk ? take(t * c.numHeads) : nil, kR = qk ? take(t * c.numKVHeads) : nil
            let q = take(t * c.qDim), k = take(t * c.kvDim), v = take(t * c.kvDim)
            let lse = keepAll ? take(c.numHeads * t) : nil
            let ao = take(t * c.qDim), mid = take(t * h), n2 = take(t * h), r2 = take(t)
            let g = take(t * i), u = take(t * i), a = keepAll ? take(t * i) : g
            built.append(LayerActivations(
                input: input, normed1: n1, rstd1: r1, qRaw: qRaw, kRaw: kRaw, qRstd: qR, kRstd: kR,
                q: q, k: k, v: v, lse: lse, attnOut: ao, mid: mid, normed2: n2, rstd2: r2, gate: g, up: u, act: a))
        }
        qkvRows = take(t * (c.qDim + 2 * c.kvDim))
        gateUpRows = take(t * 2 * i)
        finalNormed = take(t * h)
        finalRstd = take(t)
        // Scratch mode: the layer output goes back into the shared input buffer.
        finalInput = keepAll ? take(t * h) : built[0].input
        layers = built
        precondition(off <= total)
    }

    deinit { arena.deallocate() }

    /// The buffers layer `l` uses.
    public func layer(_ l: Int) -> LayerActivations { keepAll ? layers[l] : layers[0] }

    /// Where layer `l` writes its output (T, H).
    public func output(ofLayer l: Int) -> UnsafeMutablePointer<Float> {
        keepAll ? (l + 1 < layers.count ? layers[l + 1].input : finalInput) : layers[0].input
    }
}
