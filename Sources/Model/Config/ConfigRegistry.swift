import Core
import Foundation

/// The single place that maps an HF config.json to its architecture struct:
/// `architectures[0]` (e.g. "Qwen3ForCausalLM") first, else `model_type` ("qwen3").
public enum ConfigRegistry {
    /// Architecture structs by `architectures[0]` class name and by `model_type`.
    public static let types: [ModelArchitecture: any ArchitectureConfig.Type] = [
        .llama: LlamaConfig.self, .qwen2: Qwen2Config.self, .qwen3: Qwen3Config.self,
    ]

    private struct Probe: Decodable {
        var architectures: [String]?
        var modelType: String?
        enum CodingKeys: String, CodingKey { case architectures, modelType = "model_type" }
    }

    /// Loads and resolves the config.json at `path`.
    public static func load(path: String) throws -> ModelConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError("cannot read config", at: .init(file: path), hint: "expected an HF config.json")
        }
        return try parse(data, path: path)
    }

    /// Resolves config.json bytes; `path` is used in errors.
    public static func parse(_ data: Data, path: String) throws -> ModelConfig {
        let dec = JSONDecoder()
        let probe: Probe
        do { probe = try dec.decode(Probe.self, from: data) } catch {
            throw ModelError("not a valid config.json: \(describe(error))", at: .init(file: path))
        }
        let arch: ModelArchitecture
        if let cls = probe.architectures?.first {
            guard let a = ModelArchitecture.allCases.first(where: { $0.className == cls }) else {
                throw ModelError("architecture '\(cls)' is not supported", at: .init(file: path, field: "architectures"),
                                 hint: "supported: " + ModelArchitecture.allCases.map(\.className).joined(separator: ", "))
            }
            arch = a
        } else if let mt = probe.modelType {
            guard let a = ModelArchitecture(rawValue: mt) else {
                throw ModelError("model_type '\(mt)' is not supported", at: .init(file: path, field: "model_type"),
                                 hint: "supported: llama, qwen2, qwen3")
            }
            arch = a
        } else {
            throw ModelError("config has neither architectures nor model_type", at: .init(file: path))
        }
        if let mt = probe.modelType, let a2 = ModelArchitecture(rawValue: mt), a2 != arch {
            throw ModelError("model_type '\(mt)' contradicts architectures '\(arch.className)'", at: .init(file: path, field: "model_type"))
        }
        guard let type = types[arch] else {
            throw ModelError("no config type registered for \(arch.rawValue)", at: .init(file: path))
        }
        let decoded: any ArchitectureConfig
        do { decoded = try dec.decode(type, from: data) } catch {
            throw ModelError("invalid \(arch.className) config: \(describe(error))", at: .init(file: path))
        }
        return try decoded.resolve(path: path)
    }

    /// A decoding failure as `reason at 'key.path'` (`StrictDecoding.describe`).
    static func describe(_ error: Error) -> String {
        guard let p = StrictDecoding.describe(error) else { return "\(error)" }
        return p.keyPath.isEmpty ? p.reason : "\(p.reason) at '\(p.keyPath)'"
    }
}
