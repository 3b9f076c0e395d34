/// Strict decoding of configs and specs: unknown keys are errors naming the key (a misspelt
/// `feilds:` must not be silently ignored), and `DecodingError`s become readable text with the
/// key path they are about.
public enum StrictDecoding {
    /// The keys of `decoder`'s keyed container that are not in `known`, in the container's order.
    /// Call first thing in `init(from:)`; the caller throws its own error naming the key.
    public static func unknownKeys(in decoder: Decoder, known: some Sequence<String>) throws -> [String] {
        let c = try decoder.container(keyedBy: AnyKey.self)
        let allowed = Set(known)
        return c.allKeys.map(\.stringValue).filter { !allowed.contains($0) }
    }

    /// Throws a `DecodingError.dataCorrupted` at the first unknown key of `decoder`, whose
    /// description is `unknown WHAT key 'K' (known: A, B, ...)`.
    public static func rejectUnknownKeys(in decoder: Decoder, known: some Sequence<String>, what: String) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        let allowed = Set(known)
        for k in c.allKeys where !allowed.contains(k.stringValue) {
            throw DecodingError.dataCorruptedError(forKey: k, in: c,
                debugDescription: "unknown \(what) key '\(k.stringValue)' (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    /// A readable account of a decoding failure.
    public struct Problem: Sendable, Equatable {
        /// Dotted path of the key it is about (`stages.2.score.model`; list indices as numbers);
        /// empty at the top level.
        public var keyPath: String
        /// What is wrong: `missing key 'k'`, `wrong type: expected a number (…)`, `invalid value: …`.
        public var reason: String
    }

    /// Describes a `DecodingError` (nil for any other error).
    public static func describe(_ error: Error) -> Problem? {
        guard let e = error as? DecodingError else { return nil }
        switch e {
        case .keyNotFound(let k, let c):
            return Problem(keyPath: keyPath(c.codingPath), reason: "missing key '\(k.stringValue)'")
        case .typeMismatch(let t, let c):
            return Problem(keyPath: keyPath(c.codingPath), reason: "wrong type: expected \(typeName(t)) (\(c.debugDescription))")
        case .valueNotFound(let t, let c):
            return Problem(keyPath: keyPath(c.codingPath), reason: "missing value: expected \(typeName(t)) (\(c.debugDescription))")
        case .dataCorrupted(let c):
            let under = c.underlyingError.map { ": \($0)" } ?? ""
            return Problem(keyPath: keyPath(c.codingPath), reason: "invalid value: \(c.debugDescription)\(under)")
        @unknown default:
            return Problem(keyPath: "", reason: "\(e)")
        }
    }

    /// `a.b.0.c`: string keys by name, list positions by index.
    public static func keyPath(_ path: [CodingKey]) -> String {
        path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    /// A type as a config author knows it: `a number`, `an integer`, `true or false`, `a string`,
    /// `a list`, `a mapping`, else the Swift name.
    public static func typeName(_ t: Any.Type) -> String {
        let n = "\(t)"
        if n == "Double" || n == "Float" { return "a number" }
        if n.hasPrefix("Int") || n.hasPrefix("UInt") { return "an integer" }
        if n == "Bool" { return "true or false" }
        if n == "String" { return "a string" }
        if n.hasPrefix("Array") { return "a list" }
        if n.hasPrefix("Dictionary") { return "a mapping" }
        return n
    }

    /// Any key, for reading a container's key set.
    public struct AnyKey: CodingKey {
        public var stringValue: String
        public var intValue: Int?
        public init?(stringValue: String) { self.stringValue = stringValue }
        public init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
    }
}
