import Foundation

/// A JSON value that keeps object key order and distinguishes integers from floats.
///
/// Used for every loosely-typed payload in eaft: raw dataset rows, tool schemas,
/// tool-call arguments, record metadata. Objects keep insertion order so that
/// re-serialising a row reproduces the source order (as Python's `json` and
/// pyarrow's `to_pylist()` do). Integers that fit in `Int64` stay integers; larger ones stay
/// exact as `bigInt` (Python's `json` and pyarrow's UINT64 give arbitrary-size ints too).
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    /// An integer outside Int64, as its canonical decimal digits with an optional leading `-`
    /// (no leading zeros), so equal numbers have equal text.
    case bigInt(String)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The member named `key` if this is an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The element at `index` if this is an array and the index is in range.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let a) = self, index >= 0, index < a.count { return a[index] }
        return nil
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }

    /// Integer value; doubles with an exact integer value are accepted too.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
        default: return nil
        }
    }

    /// Numeric value as Double (ints widened).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .bigInt(let s): return Double(s)
        case .double(let d): return d
        default: return nil
        }
    }

    /// A short name of the JSON type, for error messages ("string", "object", ...).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .bigInt: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Follows a dotted path such as `messages.0.content` or `options.A`.
    /// Numeric components index arrays; others look up object keys.
    public func lookup(path: String) -> JSONValue? {
        var cur: JSONValue = self
        for comp in path.split(separator: ".", omittingEmptySubsequences: false) {
            if case .array(let a) = cur, let i = Int(comp) {
                guard i >= 0, i < a.count else { return nil }
                cur = a[i]
            } else if case .object(let o) = cur, let v = o[String(comp)] {
                cur = v
            } else {
                return nil
            }
        }
        return cur
    }
}

/// An insertion-ordered JSON object. Lookups are linear for small objects and
/// fall back to the last occurrence for duplicate keys (as Python's `json` does).
public struct JSONObject: Sendable, Equatable, Hashable {
    public var entries: [(key: String, value: JSONValue)]

    public init() { entries = [] }
    public init(_ entries: [(String, JSONValue)]) {
        self.entries = entries.map { (key: $0.0, value: $0.1) }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }

    public subscript(key: String) -> JSONValue? {
        get {
            var i = entries.count - 1
            while i >= 0 {
                if entries[i].key == key { return entries[i].value }
                i -= 1
            }
            return nil
        }
        set {
            if let idx = entries.lastIndex(where: { $0.key == key }) {
                if let v = newValue { entries[idx].value = v } else { entries.remove(at: idx) }
            } else if let v = newValue {
                entries.append((key: key, value: v))
            }
        }
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        guard a.entries.count == b.entries.count else { return false }
        for (x, y) in zip(a.entries, b.entries) where x.key != y.key || x.value != y.value { return false }
        return true
    }

    public func hash(into h: inout Hasher) {
        h.combine(entries.count)
        for e in entries { h.combine(e.key); h.combine(e.value) }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int64.self) { self = .int(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        // Keyed decoding loses order in Foundation; prefer JSONParser for order-sensitive input.
        let kc = try decoder.container(keyedBy: AnyKey.self)
        var o = JSONObject()
        for k in kc.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            o[k.stringValue] = try kc.decode(JSONValue.self, forKey: k)
        }
        self = .object(o)
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
        case .bool(let b): var c = encoder.singleValueContainer(); try c.encode(b)
        case .int(let i): var c = encoder.singleValueContainer(); try c.encode(i)
        case .bigInt(let s):
            // Codable has no arbitrary-size integer: Decimal keeps up to 38 digits exact.
            var c = encoder.singleValueContainer()
            if s.count <= 38, let d = Decimal(string: s) { try c.encode(d) } else { try c.encode(Double(s) ?? .nan) }
        case .double(let d): var c = encoder.singleValueContainer(); try c.encode(d)
        case .string(let s): var c = encoder.singleValueContainer(); try c.encode(s)
        case .array(let a): var c = encoder.unkeyedContainer(); for v in a { try c.encode(v) }
        case .object(let o):
            var c = encoder.container(keyedBy: AnyKey.self)
            for e in o.entries { try c.encode(e.value, forKey: AnyKey(e.key)) }
        }
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
