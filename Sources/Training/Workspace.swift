import Foundation

/// Activation cache and backward scratch for `TrainModel`, grown on demand and reused across
/// steps (no per-step allocation once the largest batch has been seen).
struct Workspace {
    /// Per-layer saved activations. `// xIn, h1, xMid, h2 (T, C); qRaw, q, o (T, H·D); kRaw, k, v (T, KV·D); a, b, m (T, I); r1, r2 (T); rq (T·H); rk (T·KV); lse (H, T)`
    struct Layer {
        var xIn, r1, h1, qRaw, rq, kRaw, rk, q, k, v, lse, o, xMid, r2, h2, a, b, m: UnsafeMutablePointer<Float>
    }
    var layers: [Layer] = []
    var hFinal = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var rFinal = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var dx = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var dh = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var dm = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var da = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var db = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var dO = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var dq = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var dk = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var dv = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var scratchA = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    var scratchB = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private var slabs: [UnsafeMutablePointer<Float>] = []
    private var tokenCap = 0
    private var lenCap = 0
    private var layerCount = 0

    /// Ensures room for `tokens` rows and sequences up to `maxLen`.
    mutating func reserve(config c: TrainModelConfig, tokens: Int, maxLen: Int) {
        if tokens <= tokenCap && maxLen <= lenCap && layerCount == c.layers + 1 { return }
        for s in slabs { s.deallocate() }
        slabs.removeAll()
        let T = max(tokens, tokenCap, 1), S = max(maxLen, lenCap, 1)
        tokenCap = T; lenCap = S; layerCount = c.layers + 1
        let C = c.hidden, Q = c.heads * c.headDim, KV = c.kvHeads * c.headDim, I = c.intermediate
        func alloc(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            p.initialize(repeating: 0, count: max(n, 1))
            slabs.append(p)
            return p
        }
        layers = (0...c.layers).map { l in
            if l == c.layers {  // the final residual stream only
                let x = alloc(T * C)
                return Layer(xIn: x, r1: x, h1: x, qRaw: x, rq: x, kRaw: x, rk: x, q: x, k: x, v: x, lse: x, o: x, xMid: x, r2: x, h2: x, a: x, b: x, m: x)
            }
            return Layer(xIn: alloc(T * C), r1: alloc(T), h1: alloc(T * C), qRaw: alloc(T * Q), rq: alloc(T * c.heads),
                         kRaw: alloc(T * KV), rk: alloc(T * c.kvHeads), q: alloc(T * Q), k: alloc(T * KV), v: alloc(T * KV),
                         lse: alloc(T * c.heads), o: alloc(T * Q), xMid: alloc(T * C), r2: alloc(T), h2: alloc(T * C),
                         a: alloc(T * I), b: alloc(T * I), m: alloc(T * I))
        }
        hFinal = alloc(T * C); rFinal = alloc(T)
        dx = alloc(T * C); dh = alloc(T * C); dm = alloc(T * I); da = alloc(T * I); db = alloc(T * I)
        dO = alloc(T * Q); dq = alloc(T * Q); dk = alloc(T * KV); dv = alloc(T * KV)
        scratchA = alloc(S * S); scratchB = alloc(S * S)
    }
}
