import Foundation

/// AdamW hyper-parameters (Loshchilov & Hutter, https://arxiv.org/abs/1711.05101), as in
/// `torch.optim.AdamW` (https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html).
public struct AdamWHyper: Sendable, Equatable, Codable {
    public var beta1: Double
    public var beta2: Double
    public var eps: Double
    public var weightDecay: Double
    public init(beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0.01) {
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay
    }
}

/// AdamW update kernels.
public enum AdamWKernel {
    /// One AdamW step over a flat buffer, mirroring torch's single-tensor (foreach=False) path
    /// operation by operation (float32 tensors, scalars computed in double then applied as float):
    /// ```
    /// p ← p·(1 − lr·wd)
    /// m ← m + (1−β1)·(g − m)            (torch lerp_, weight < 0.5)
    /// v ← v·β2 + (1−β2)·g·g             (mul_ + addcmul_)
    /// p ← p − (lr/(1−β1^t)) · m / (sqrt(v)/sqrt(1−β2^t) + eps)
    /// ```
    /// `// p, g, m, v (n)`; `step` is 1-based. Element-wise, so it runs over contiguous ranges
    /// on `Threads.workers` threads with results independent of the split.
    public static func step(params p: UnsafeMutablePointer<Float>, grads g: UnsafePointer<Float>,
                            m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count n: Int,
                            lr: Double, step t: Int, hyper h: AdamWHyper) {
        Threads.forRanges(n, minPerWorker: 1 << 15) { r in
            let o = r.lowerBound
            stepRange(params: p + o, grads: g + o, m: m + o, v: v + o, count: r.count, lr: lr, step: t, hyper: h)
        }
    }

    /// `step` over one range, on the calling thread.
    @inline(__always)
    static func stepRange(params p: UnsafeMutablePointer<Float>, grads g: UnsafePointer<Float>,
                          m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count n: Int,
                          lr: Double, step t: Int, hyper h: AdamWHyper) {
        let decay = Float(1 - lr * h.weightDecay)
        let w1 = Float(1 - h.beta1)
        let b2 = Float(h.beta2), w2 = Float(1 - h.beta2)
        let bc1 = 1 - pow(h.beta1, Double(t))
        let bc2 = 1 - pow(h.beta2, Double(t))
        let stepSize = Float(lr / bc1)
        let bc2Sqrt = Float(bc2.squareRoot())
        let eps = Float(h.eps)
        for i in 0..<n {
            let gi = g[i]
            var pi = p[i] * decay
            let mi = m[i] + w1 * (gi - m[i])
            let vi = v[i] * b2 + w2 * (gi * gi)
            m[i] = mi; v[i] = vi
            let denom = vi.squareRoot() / bc2Sqrt + eps
            pi = pi - stepSize * (mi / denom)
            p[i] = pi
        }
    }

    /// Naive twin of `step` in double precision (the reference README's formula).
    public static func stepNaive(params p: UnsafeMutablePointer<Float>, grads g: UnsafePointer<Float>,
                                 m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count n: Int,
                                 lr: Double, step t: Int, hyper h: AdamWHyper) {
        for i in 0..<n {
            let gi = Double(g[i])
            var pi = Double(p[i]) * (1 - lr * h.weightDecay)
            let mi = h.beta1 * Double(m[i]) + (1 - h.beta1) * gi
            let vi = h.beta2 * Double(v[i]) + (1 - h.beta2) * gi * gi
            pi -= (lr / (1 - pow(h.beta1, Double(t)))) * mi / (vi.squareRoot() / (1 - pow(h.beta2, Double(t))).squareRoot() + h.eps)
            p[i] = Float(pi); m[i] = Float(mi); v[i] = Float(vi)
        }
    }
}
