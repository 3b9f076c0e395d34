/// RoPE settings as written in config.json: transformers ≥ 5 `rope_parameters`
/// (`{"rope_type", "rope_theta", ...}`) or the legacy `rope_scaling` dict
/// (`{"rope_type"|"type", "factor", ...}`, theta at top level as `rope_theta`).
/// Reference: https://github.com/huggingface/transformers/blob/main/src/transformers/modeling_rope_utils.py
public struct RopeParameters: Codable, Sendable, Equatable {
    public var ropeType: String?
    public var type: String?
    public var ropeTheta: Double?
    public var factor: Double?
    public var lowFreqFactor: Double?
    public var highFreqFactor: Double?
    public var originalMaxPositionEmbeddings: Int?
    public var partialRotaryFactor: Double?

    public init(ropeType: String? = nil, ropeTheta: Double? = nil) {
        self.ropeType = ropeType
        self.ropeTheta = ropeTheta
    }

    enum CodingKeys: String, CodingKey {
        case ropeType = "rope_type", type, ropeTheta = "rope_theta", factor
        case lowFreqFactor = "low_freq_factor", highFreqFactor = "high_freq_factor"
        case originalMaxPositionEmbeddings = "original_max_position_embeddings"
        case partialRotaryFactor = "partial_rotary_factor"
    }
}

/// The RoPE variant the runtime implements, resolved from either config style.
public struct RopeConfig: Sendable, Equatable, Codable {
    public enum Scaling: Sendable, Equatable, Codable {
        case none
        /// Llama 3.1 frequency scaling (`_compute_llama3_parameters`).
        case llama3(factor: Double, lowFreqFactor: Double, highFreqFactor: Double, originalMaxPositionEmbeddings: Int)
    }
    public var theta: Double
    public var scaling: Scaling

    public init(theta: Double, scaling: Scaling = .none) {
        self.theta = theta
        self.scaling = scaling
    }

    /// Resolves `rope_parameters` (v5) or `rope_theta` + `rope_scaling` (legacy).
    /// Unsupported rope types and partial rotary factors are errors naming the value.
    static func resolve(parameters: RopeParameters?, legacyTheta: Double?, legacyScaling: RopeParameters?,
                        path: String) throws -> RopeConfig {
        let p = parameters ?? legacyScaling ?? RopeParameters(ropeType: "default")
        guard let theta = p.ropeTheta ?? legacyTheta ?? (parameters == nil ? 10000.0 : nil) else {
            throw ModelError("rope_parameters has no rope_theta", at: .init(file: path, field: "rope_parameters"))
        }
        let field = parameters != nil ? "rope_parameters" : "rope_scaling"
        if let prf = p.partialRotaryFactor, prf != 1 {
            throw ModelError("partial_rotary_factor \(prf) is not supported", at: .init(file: path, field: field))
        }
        let kind = p.ropeType ?? p.type ?? "default"
        switch kind {
        case "default":
            return RopeConfig(theta: theta)
        case "llama3":
            guard let f = p.factor, let lo = p.lowFreqFactor, let hi = p.highFreqFactor,
                  let old = p.originalMaxPositionEmbeddings, hi > lo, f > 0
            else {
                throw ModelError("llama3 rope scaling needs factor, low_freq_factor < high_freq_factor, original_max_position_embeddings",
                                 at: .init(file: path, field: field))
            }
            return RopeConfig(theta: theta, scaling: .llama3(factor: f, lowFreqFactor: lo, highFreqFactor: hi,
                                                             originalMaxPositionEmbeddings: old))
        default:
            throw ModelError("rope type '\(kind)' is not supported", at: .init(file: path, field: field),
                             hint: "supported rope types: default, llama3")
        }
    }
}
