import Foundation
import Yams

/// YAML file + `--key value` overrides → `TrainConfig` (unknown keys rejected by `TrainConfig`).
public enum TrainConfigLoader {
    /// The config of `file` (a YAML mapping; nil = defaults only) with `overrides` applied:
    /// `--key value`, `--key=value` or a bare `--flag` (= true); dashes and underscores are the
    /// same. A key `TrainConfig` does not know is an error, and so is a bad value, blamed on
    /// the flag it came from or on the file (with its line when known).
    public static func load(file: String?, overrides: [String]) throws -> TrainConfig {
        var mapping = Node.Mapping([])
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw TrainError("cannot read config", at: file) }
            let node: Node?
            do { node = try Yams.compose(yaml: text) } catch { throw TrainError("invalid YAML: \(error)", at: file) }
            if let node {
                guard let m = node.mapping else { throw TrainError("the config must be a YAML mapping", at: file) }
                mapping = m
            }
        }
        var flagValues: [String: String] = [:]
        var i = 0
        while i < overrides.count {
            let arg = overrides[i]
            guard arg.hasPrefix("--") else { throw TrainError("unexpected argument '\(arg)'", hint: "overrides look like --lr 1e-3") }
            var key = String(arg.dropFirst(2)), value: String
            if let eq = key.firstIndex(of: "=") {
                value = String(key[key.index(after: eq)...]); key = String(key[..<eq]); i += 1
            } else if i + 1 < overrides.count && !(overrides[i + 1].hasPrefix("--") && Double(overrides[i + 1]) == nil) {
                value = overrides[i + 1]; i += 2
            } else {
                value = "true"; i += 1
            }
            key = key.replacingOccurrences(of: "-", with: "_")
            guard TrainConfig.keys.contains(key) else {
                throw TrainError("unknown option --\(key)", hint: "valid: \(TrainConfig.keys.map { "--" + $0 }.joined(separator: " "))")
            }
            let v: Node
            do { v = try Yams.compose(yaml: value) ?? Node("") } catch { throw TrainError("invalid value for --\(key): \(value)") }
            mapping[key] = v
            flagValues[key] = value
        }
        do {
            return try YAMLDecoder().decode(TrainConfig.self, from: Node.mapping(mapping))
        } catch let e as TrainError {
            throw e
        } catch let e as DecodingError {
            let (key, expected) = ConfigDecodingError.describe(e)
            // Blame the flag when the bad value came from one, else the file (with its line when known).
            if let key, let raw = flagValues[key] {
                throw TrainError("--\(key.replacingOccurrences(of: "_", with: "-")): expected \(expected), got \"\(raw)\"")
            }
            let node = key.flatMap { mapping[$0] }
            let got = node.map { $0.scalar?.string ?? ($0.sequence != nil ? "a list" : "a mapping") }
            var at = file ?? "flags"
            if let line = node?.mark?.line { at += ":\(line)" }
            throw TrainError("invalid train config: \(key.map { "'\($0)'" } ?? "value"): expected \(expected)\(got.map { ", got \"\($0)\"" } ?? "")",
                             at: at)
        } catch {
            throw TrainError("invalid train config: \(error)", at: file ?? "flags")
        }
    }
}
