import Foundation

/// The EAFT row kernel: per-position statistics of a next-token distribution
/// `p = softmax(logits)` — label log-probability, full-vocabulary entropy (nats), the entropy
/// of the top-K logits renormalised (nats), the gate `H^K / ln K`, and the model's own most
/// probable token with its log-probability (what it expected instead).
///
/// One kernel for every user: the scorer (static gates stored in shards), the trainer's loss
/// head (dynamic gates, cross-entropy and its gradient) and the evaluator. Static and dynamic
/// gates of the same logits are therefore bit-identical.
/// Reference: EAFT, arXiv 2601.02151 (gate = normalised top-K entropy).
public enum DistributionStats {
    /// Statistics for one row of logits.
    public struct Row: Sendable, Equatable {
        /// log p[target].
        public var logprob: Float
        /// −Σ p log p over the whole vocabulary.
        public var entropy: Float
        /// Entropy of the K largest logits renormalised (0 when K = 1).
        public var topKEntropy: Float
        /// `topKEntropy / ln K` in [0, 1] (0 when K = 1).
        public var gate: Float
        /// The most probable token (the first index of the largest logit, as `torch.argmax`).
        public var argmax: Int32
        /// Its log-probability (≥ `logprob`; equal when the target is the argmax).
        public var argmaxLogprob: Float
        /// The row's max logit m and Σ exp(x − m) (what `LossKernels.crossEntropyGradFromExp` needs).
        public var maxLogit: Float
        public var sumExp: Float
        public init(logprob: Float, entropy: Float, topKEntropy: Float, gate: Float, argmax: Int32 = 0, argmaxLogprob: Float = 0,
                    maxLogit: Float = 0, sumExp: Float = 0) {
            self.logprob = logprob
            self.entropy = entropy
            self.topKEntropy = topKEntropy
            self.gate = gate
            self.argmax = argmax
            self.argmaxLogprob = argmaxLogprob
            self.maxLogit = maxLogit
            self.sumExp = sumExp
        }
    }

    /// logits (vocab) → stats for `target`, with the `k` (clamped to 1...vocab) largest logits
    /// kept by a partial selection (a size-k min-heap, skipped 16 logits at a time when their
    /// max cannot enter it; no full sort). heap: k floats of scratch. Max-subtracted
    /// log-sum-exp; float lanes summed per 1024 logits, blocks summed in Double.
    @inlinable
    public static func row(
        logits x: UnsafePointer<Float>, vocab: Int, target: Int, k: Int, heap: UnsafeMutablePointer<Float>
    ) -> Row {
        compute(x, nil, vocab: vocab, target: target, k: k, heap: heap)
    }

    /// `row`, and the logits row is overwritten with `exp(x − max)` (the same numbers, so the
    /// gradient needs no second exponential pass). `// logits (vocab) in place, heap (k)`
    @inlinable
    public static func rowStoringExp(
        logits x: UnsafeMutablePointer<Float>, vocab: Int, target: Int, k: Int, heap: UnsafeMutablePointer<Float>
    ) -> Row {
        compute(UnsafePointer(x), x, vocab: vocab, target: target, k: k, heap: heap)
    }

    /// The one implementation; `store` (nil or `x` itself) receives the exponentials.
    @inlinable @inline(__always)
    static func compute(
        _ x: UnsafePointer<Float>, _ store: UnsafeMutablePointer<Float>?, vocab: Int, target: Int, k kIn: Int,
        heap: UnsafeMutablePointer<Float>
    ) -> Row {
        let k = max(1, min(kIn, vocab))
        // Pass 1: max and top-k values.
        for i in 0..<k { heap[i] = x[i] }
        var i = k / 2 - 1
        while i >= 0 { siftDown(heap, k, i); i -= 1 }
        var m = -Float.infinity
        for i in 0..<k where x[i] > m { m = x[i] }
        var j = k
        while j < vocab && j % 16 != 0 {
            consider(x[j], heap, k, &m)
            j += 1
        }
        var mv = SIMD16<Float>(repeating: m)
        while j + 16 <= vocab {
            let v = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD16<Float>.self)
            mv = mv.replacing(with: v, where: v .> mv)
            if any(v .> SIMD16<Float>(repeating: heap[0])) {
                for l in 0..<16 { consider(v[l], heap, k, &m) }
            }
            j += 16
        }
        for l in 0..<16 where mv[l] > m { m = mv[l] }
        while j < vocab {
            consider(x[j], heap, k, &m)
            j += 1
        }
        // The first index holding the max (a scan that stops there).
        var top = 0
        while top < vocab - 1 && !(x[top] >= m) { top += 1 }
        let xTarget = x[target], xTop = x[top]
        // Pass 2: Z = Σ e^(x-m), T = Σ e^(x-m)(x-m)  →  log Z,  H = log Z − T/Z.
        var z = 0.0, t = 0.0
        let ms = SIMD16<Float>(repeating: m)
        j = 0
        while j < vocab {
            let end = min(vocab, j + 1024)
            var za = SIMD16<Float>(), ta = SIMD16<Float>()
            while j + 16 <= end {
                let d = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD16<Float>.self) - ms
                let e = FastMath.exp(d)
                if let store { UnsafeMutableRawPointer(store + j).storeBytes(of: e, as: SIMD16<Float>.self) }
                za += e
                ta += e * d
                j += 16
            }
            var zt: Float = 0, tt: Float = 0
            while j < end {
                let d = x[j] - m
                let e = FastMath.exp(d)
                store?[j] = e
                zt += e
                tt += e * d
                j += 1
            }
            z += Double(za.sum()) + Double(zt)
            t += Double(ta.sum()) + Double(tt)
        }
        let logZ = Foundation.log(z)
        let logprob = Double(xTarget - m) - logZ
        let entropy = logZ - t / z
        // Top-k entropy over the heap values (the max is among them).
        var zk = 0.0, tk = 0.0
        for i in 0..<k {
            let d = Double(heap[i] - m)
            let e = Foundation.exp(d)
            zk += e
            tk += e * d
        }
        let hk = Float(max(0, Foundation.log(zk) - tk / zk))
        let gate = k > 1 ? hk / Float(Foundation.log(Double(k))) : 0
        return Row(logprob: Float(logprob), entropy: Float(max(0, entropy)), topKEntropy: hk, gate: gate,
                   argmax: Int32(top), argmaxLogprob: Float(Double(xTop - m) - logZ), maxLogit: m, sumExp: Float(z))
    }

    @inlinable @inline(__always)
    static func consider(_ v: Float, _ heap: UnsafeMutablePointer<Float>, _ k: Int, _ m: inout Float) {
        if v > m { m = v }
        if v > heap[0] {
            heap[0] = v
            siftDown(heap, k, 0)
        }
    }

    @inlinable @inline(__always)
    static func siftDown(_ h: UnsafeMutablePointer<Float>, _ n: Int, _ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1
            if l >= n { return }
            var c = l
            if l + 1 < n && h[l + 1] < h[l] { c = l + 1 }
            if h[c] < h[i] {
                let tmp = h[c]; h[c] = h[i]; h[i] = tmp
                i = c
            } else {
                return
            }
        }
    }

    /// Naive twin: Double arithmetic and a full sort.
    public static func naive(logits x: UnsafePointer<Float>, vocab: Int, target: Int, k kIn: Int) -> Row {
        let k = max(1, min(kIn, vocab))
        let v = (0..<vocab).map { Double(x[$0]) }
        let m = v.max() ?? 0
        let z = v.reduce(0) { $0 + Foundation.exp($1 - m) }
        let lz = Foundation.log(z)
        var ent = 0.0
        for a in v { let lp = a - m - lz; ent -= Foundation.exp(lp) * lp }
        let top = v.sorted(by: >).prefix(k)
        let zk = top.reduce(0) { $0 + Foundation.exp($1 - m) }
        var hk = 0.0
        for a in top { let lp = a - m - Foundation.log(zk); hk -= Foundation.exp(lp) * lp }
        let best = v.firstIndex(of: m) ?? 0
        return Row(logprob: Float(v[target] - m - lz), entropy: Float(ent), topKEntropy: Float(hk),
                   gate: k > 1 ? Float(hk / Foundation.log(Double(k))) : 0,
                   argmax: Int32(best), argmaxLogprob: Float(v[best] - m - lz), maxLogit: Float(m), sumExp: Float(z))
    }
}
