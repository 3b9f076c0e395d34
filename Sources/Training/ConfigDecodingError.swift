import Core
import Foundation

/// Readable `DecodingError`s for train configs in the (top-level key, expected) form their
/// messages use; type names come from Core's `StrictDecoding`.
enum ConfigDecodingError {
    /// (top-level key, "expected …" phrase). The key is nil when the error has no coding path.
    static func describe(_ e: DecodingError) -> (key: String?, expected: String) {
        func keyOf(_ path: [CodingKey]) -> String? { path.first?.stringValue }
        let name = StrictDecoding.typeName
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
