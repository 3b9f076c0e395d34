import Foundation

/// Per-token loss weight (DESIGN.md "The method"; arXiv 2601.02151). Weights are detached.
public enum LossWeight: String, Codable, Sendable, CaseIterable {
    /// w = 1 (plain SFT)
    case sft
    /// w = g (EAFT)
    case eaft
    /// w = g^p
    case eaftPow = "eaft-pow"
    /// w = σ(α(g − β))
    case eaftSigmoid = "eaft-sigmoid"
    /// w = 1[g > τ], τ the 15th percentile of label gates; normalised by the kept count
    case masked
    /// w = p[y] (DFT, arXiv 2508.05629)
    case dft
}

/// Where the gate g comes from.
public enum GateSource: String, Codable, Sendable, CaseIterable {
    /// g stored with the data (scored under the base model)
    case `static`
    /// g from the current model's logits, every step (detached)
    case dynamic
    /// λ·g_static + (1−λ)·g_dynamic, or min(g_static, g_dynamic)
    case hybrid
}

/// The resolved loss settings used by `LossHead`.
public struct LossSpec: Sendable, Equatable {
    public var weight: LossWeight = .eaft
    public var gate: GateSource = .dynamic
    public var power: Double = 2
    public var alpha: Double = 30
    public var beta: Double = 0.17
    /// Hybrid mixing weight of the static gate; `nil` with `hybridMin` = min mode.
    public var lambda: Double = 0.5
    public var hybridMin: Bool = false
    /// Fixed threshold for `masked`; nil = the 15th percentile of the micro-batch's label gates.
    public var tau: Double? = nil
    public var maskedQuantile: Double = 0.15
    public var topK: Int = 20
    public init() {}
    public init(weight: LossWeight, gate: GateSource = .dynamic) { self.weight = weight; self.gate = gate }

    /// Whether the gate is needed at all.
    public var needsGate: Bool { weight != .sft && weight != .dft }

    /// Weight for one token given its gate and target probability.
    @inline(__always)
    public func tokenWeight(gate g: Float, prob: Float, threshold: Float) -> Float {
        switch weight {
        case .sft: return 1
        case .eaft: return g
        case .eaftPow: return power == 2 ? g * g : Float(pow(Double(g), power))
        case .eaftSigmoid: return 1 / (1 + expf(-Float(alpha) * (g - Float(beta))))
        case .masked: return g > threshold ? 1 : 0
        case .dft: return prob
        }
    }

    /// Combines the static and dynamic gates; `lambdaNow` is λ at this step (annealing).
    @inline(__always)
    public func combine(staticGate s: Float, dynamicGate d: Float, lambdaNow: Float) -> Float {
        switch gate {
        case .static: return s
        case .dynamic: return d
        case .hybrid: return hybridMin ? min(s, d) : lambdaNow * s + (1 - lambdaNow) * d
        }
    }
}

/// Linear-interpolation percentile (numpy.percentile default / torch.quantile), in double.
public func percentileLinear(_ values: [Float], _ q: Double) -> Double {
    if values.isEmpty { return 0 }
    let s = values.map(Double.init).sorted()
    let rank = q * Double(s.count - 1)
    let lo = Int(rank.rounded(.down)), hi = min(lo + 1, s.count - 1)
    let f = rank - Double(lo)
    return s[lo] + (s[hi] - s[lo]) * f
}
