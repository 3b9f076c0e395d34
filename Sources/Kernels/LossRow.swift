import Foundation

/// Per-row gradient kernels for the chunked LM-head loss. The row statistics themselves
/// (log-probability, entropy, top-K entropy gate; arXiv 2601.02151 §3) come from the one EAFT
/// row kernel, `DistributionStats`.
public enum LossKernels {
    /// Gradient from the exponentials left by `DistributionStats.rowStoringExp`:
    /// `e ← coef·(e/Σe − onehot(target))`. `// e (V) in place`
    public static func crossEntropyGradFromExp(_ e: UnsafeMutablePointer<Float>, vocab: Int, target: Int, sumExp: Float, coef: Float) {
        let c = coef / sumExp
        for i in 0..<vocab { e[i] *= c }
        e[target] -= coef
    }

    /// Naive twin of the gradient: `z ← coef · (softmax(z) − onehot(target))`.
    /// `// logits (V) in place, lse = logsumexp(z)`
    public static func crossEntropyGradInPlace(logits z: UnsafeMutablePointer<Float>, vocab: Int, target: Int,
                                               logSumExp lse: Float, coef: Float) {
        for i in 0..<vocab { z[i] = coef * expf(z[i] - lse) }
        z[target] -= coef
    }
}
