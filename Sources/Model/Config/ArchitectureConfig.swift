/// An HF config.json for one architecture, decoded with the HF key names, that can resolve
/// itself into a validated `ModelConfig`. Keys the runtime does not use are ignored (HF
/// configs carry many); values that would change the maths but are not implemented are errors.
public protocol ArchitectureConfig: Codable, Sendable {
    /// The `architectures[0]` class names and `model_type` this struct decodes.
    static var architecture: ModelArchitecture { get }
    /// Resolves and validates; `path` is used in error locations.
    func resolve(path: String) throws -> ModelConfig
}

/// Checks shared by all three architectures.
enum CommonChecks {
    static func activation(_ act: String?, path: String) throws {
        if let act, act != "silu" {
            throw ModelError("hidden_act '\(act)' is not supported", at: .init(file: path, field: "hidden_act"),
                             hint: "only silu (SwiGLU) is implemented")
        }
    }

    static func layerTypes(_ types: [String]?, path: String) throws {
        for (i, t) in (types ?? []).enumerated() where t != "full_attention" {
            throw ModelError("layer_types[\(i)] = '\(t)' is not supported", at: .init(file: path, field: "layer_types"),
                             hint: "only full_attention is implemented (no sliding window)")
        }
    }

    static func slidingWindow(_ use: Bool?, path: String) throws {
        if use == true {
            throw ModelError("use_sliding_window = true is not supported", at: .init(file: path, field: "use_sliding_window"))
        }
    }

    static func dtype(_ a: String?, _ b: String?) -> String? { a ?? b }
}
