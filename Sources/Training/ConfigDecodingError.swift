import Foundation

/// Readable `DecodingError`s for configs: the offending key path and the expected type.
enum ConfigDecodingError {
    /// (top-level key, "expected …" phrase). The key is nil when the error has no coding path.
    static func describe(_ e: DecodingError) -> (key: String?, expected: String) {
        func keyOf(_ path: [CodingKey]) -> String? { path.first?.stringValue }
        func name(_ t: Any.Type) -> String {
            let n = "\(t)"
            if n == "Double" || n == "Float" { return "a number" }
            if n.hasPrefix("Int") || n.hasPrefix("UInt") { return "an integer" }
            if n == "Bool" { return "true or false" }
            if n == "String" { return "a string" }
            if n.hasPrefix("Array") { return "a list" }
            if n.hasPrefix("Dictionary") { return "a mapping" }
            return n
        }
        switch e {
        case .typeMismatch(let t, let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            let sub = c.codingPath.count > 1 ? " at \(path)" : ""
            return (keyOf(c.codingPath), name(t) + sub)
        case .valueNotFound(let t, let c):
            return (keyOf(c.codingPath), name(t))
        case .keyNotFound(let k, let c):
            return (keyOf(c.codingPath) ?? k.stringValue, "key '\(k.stringValue)'")
        case .dataCorrupted(let c):
            return (keyOf(c.codingPath), c.debugDescription)
        @unknown default:
            return (nil, "\(e)")
        }
    }
}
