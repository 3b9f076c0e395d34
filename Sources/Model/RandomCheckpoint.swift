import DataIO
import Foundation
import Records

/// A seeded random-init checkpoint in Hugging Face layout (`eaft model init`): config.json is
/// the input config with "architectures", "model_type" and "dtype"/"torch_dtype" = float32
/// filled in; model.safetensors holds f32 weights from `ModelInit.randomWeights` (std = the
/// given one, else the config's initializer_range, else 0.02). Loads with transformers.
public enum RandomCheckpoint {
    /// What was written.
    public struct Summary: Sendable, Equatable {
        public var architecture: String
        public var parameters: Int
        public var std: Float
    }

    /// Validates `configJSON` (the bytes of the config.json at `path`) like any model config and
    /// writes the checkpoint into `out` (created if needed).
    public static func write(configJSON data: Data, path: String, out: String, seed: UInt64, std: Float?) throws -> Summary {
        let cfg = try ConfigRegistry.parse(data, path: path)
        guard case .object(var obj) = try JSONParser.parse(data) else {
            throw ModelError("not a JSON object", at: SourceLocation(file: path))
        }
        obj["architectures"] = .array([.string(cfg.architecture.className)])
        obj["model_type"] = .string(cfg.architecture.rawValue)
        obj["dtype"] = .string("float32")
        if obj["torch_dtype"] != nil { obj["torch_dtype"] = .string("float32") }
        let sd = std ?? obj["initializer_range"]?.doubleValue.map(Float.init) ?? 0.02
        try AtomicFile.makeDirectory(out)
        let w = ModelInit.randomWeights(config: cfg, seed: seed, std: sd)
        try w.save(to: (out as NSString).appendingPathComponent("model.safetensors"))
        var bytes: [UInt8] = []
        JSONWriter().write(.object(obj), into: &bytes)
        bytes.append(0x0A)
        try Data(bytes).write(to: URL(fileURLWithPath: (out as NSString).appendingPathComponent("config.json")))
        return Summary(architecture: cfg.architecture.className, parameters: w.count, std: sd)
    }
}
