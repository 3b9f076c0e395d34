import Foundation

/// Statistics of one row of logits (one position predicting one target token).
public struct LogitRowStats: Sendable, Equatable {
    /// log Σ_v exp(z_v)
    public var logSumExp: Float
    /// log p[target] = z[target] − logSumExp (natural log)
    public var targetLogprob: Float
    /// Full-vocabulary entropy −Σ p log p (nats)
    public var entropy: Float
    /// Entropy of the softmax over only the K largest logits (nats); 0 when K ≤ 1
    public var topKEntropy: Float
    /// Row max and Σ exp(z − max) (set by `rowStatsInPlace`, used by `crossEntropyGradFromExp`)
    public var maxLogit: Float = 0
    public var sumExp: Float = 0
    public init(logSumExp: Float, targetLogprob: Float, entropy: Float, topKEntropy: Float, maxLogit: Float = 0, sumExp: Float = 0) {
        self.logSumExp = logSumExp; self.targetLogprob = targetLogprob; self.entropy = entropy; self.topKEntropy = topKEntropy
        self.maxLogit = maxLogit; self.sumExp = sumExp
    }
}

/// Per-row loss kernels for the chunked LM-head loss: cross-entropy, entropy, top-K entropy
/// (the EAFT gate, arXiv 2601.02151 §3) and the logits gradient. No allocation: callers pass a
/// K-float scratch buffer.
public enum LossKernels {
    /// Statistics of one logits row. `// logits (V), scratch (K) -> stats`
    /// The top-K entropy takes the K largest logits, renormalises them with a softmax and
    /// returns −Σ q log q (same as `torch.topk(...).values` → `log_softmax` → entropy).
    public static func rowStats(logits z: UnsafePointer<Float>, vocab: Int, target: Int, topK: Int,
                                scratch top: UnsafeMutablePointer<Float>) -> LogitRowStats {
        let k = min(topK, vocab)
        topKDescending(z, vocab: vocab, k: k, into: top)
        let m = top[0]
        var sum: Float = 0, wsum: Float = 0
        for i in 0..<vocab {
            let d = z[i] - m
            let e = expf(d)
            sum += e
            wsum += e * d
        }
        let logSum = logf(sum)
        let lse = m + logSum
        // H = −Σ p (d − log S) = log S − Σ e·d / S
        let entropy = logSum - wsum / sum
        let th = topKEntropy(top, k: k, max: m)
        return LogitRowStats(logSumExp: lse, targetLogprob: z[target] - lse, entropy: entropy, topKEntropy: th)
    }

    /// Like `rowStats`, but overwrites the row with `exp(z − max)` so the gradient needs no second
    /// exponential pass (`crossEntropyGradFromExp`). With `topK ≤ 1` only the max is tracked and
    /// `topKEntropy` is 0 (SFT, DFT and static gates need no top-K). `// logits (V) in place, scratch (K)`
    public static func rowStatsInPlace(logits z: UnsafeMutablePointer<Float>, vocab: Int, target: Int, topK: Int,
                                       scratch top: UnsafeMutablePointer<Float>) -> LogitRowStats {
        let k = max(1, min(topK, vocab))
        var m = -Float.infinity
        if k == 1 {
            for i in 0..<vocab { m = max(m, z[i]) }
            top[0] = m
        } else {
            topKDescending(UnsafePointer(z), vocab: vocab, k: k, into: top)
            m = top[0]
        }
        let zt = z[target]
        var sum: Float = 0, wsum: Float = 0
        for i in 0..<vocab {
            let d = z[i] - m
            let e = expf(d)
            z[i] = e
            sum += e
            wsum += e * d
        }
        let logSum = logf(sum)
        let th: Float = k > 1 ? topKEntropy(top, k: k, max: m) : 0
        return LogitRowStats(logSumExp: m + logSum, targetLogprob: zt - (m + logSum), entropy: logSum - wsum / sum,
                             topKEntropy: th, maxLogit: m, sumExp: sum)
    }

    /// The `k` largest of `z[0..<vocab]`, in descending order, by insertion into `top`.
    /// `// z (V) -> top (k)`, 1 ≤ k ≤ V; linear in V for the small K of the gate.
    @inline(__always)
    static func topKDescending(_ z: UnsafePointer<Float>, vocab: Int, k: Int, into top: UnsafeMutablePointer<Float>) {
        var filled = 0
        for i in 0..<vocab {
            let x = z[i]
            if filled < k {
                var j = filled
                while j > 0 && top[j - 1] < x { top[j] = top[j - 1]; j -= 1 }
                top[j] = x
                filled += 1
            } else if x > top[k - 1] {
                var j = k - 1
                while j > 0 && top[j - 1] < x { top[j] = top[j - 1]; j -= 1 }
                top[j] = x
            }
        }
    }

    /// Entropy (nats) of the softmax over just the `k` values in `top`, shifted by `m` (their max).
    /// `// top (k) -> H_topK`
    @inline(__always)
    static func topKEntropy(_ top: UnsafePointer<Float>, k: Int, max m: Float) -> Float {
        var ts: Float = 0
        for j in 0..<k { ts += expf(top[j] - m) }
        let lts = logf(ts)
        var th: Float = 0
        for j in 0..<k { let lp = top[j] - m - lts; th -= expf(lp) * lp }
        return th
    }

    /// Gradient from the exponentials left by `rowStatsInPlace`: `e ← coef·(e/Σe − onehot(target))`.
    public static func crossEntropyGradFromExp(_ e: UnsafeMutablePointer<Float>, vocab: Int, target: Int, sumExp: Float, coef: Float) {
        let c = coef / sumExp
        for i in 0..<vocab { e[i] *= c }
        e[target] -= coef
    }

    /// Cross-entropy gradient in place: `z ← coef · (softmax(z) − onehot(target))`.
    /// `// logits (V) in place, lse = logsumexp(z)`
    public static func crossEntropyGradInPlace(logits z: UnsafeMutablePointer<Float>, vocab: Int, target: Int,
                                               logSumExp lse: Float, coef: Float) {
        for i in 0..<vocab { z[i] = coef * expf(z[i] - lse) }
        z[target] -= coef
    }

    /// Naive twin of `rowStats` in double precision (full sort for the top K).
    public static func rowStatsNaive(logits z: UnsafePointer<Float>, vocab: Int, target: Int, topK: Int) -> LogitRowStats {
        let xs = (0..<vocab).map { Double(z[$0]) }
        let m = xs.max()!
        let s = xs.reduce(0) { $0 + exp($1 - m) }
        let lse = m + log(s)
        var h = 0.0
        for x in xs { let lp = x - lse; h -= exp(lp) * lp }
        let top = xs.sorted(by: >).prefix(topK)
        let tm = top.first!
        let ts = top.reduce(0) { $0 + exp($1 - tm) }
        var th = 0.0
        for x in top { let lp = x - tm - log(ts); th -= exp(lp) * lp }
        return LogitRowStats(logSumExp: Float(lse), targetLogprob: Float(xs[target] - lse),
                             entropy: Float(h), topKEntropy: Float(th))
    }
}
