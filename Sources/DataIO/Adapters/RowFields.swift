import Foundation
import Records

/// Field access on one row through the adapter's logical → path mapping. Every accessor
/// records the top-level key it used (so metadata keeps only the rest) and throws a
/// `DataIOError` located at the record and the field path when a value is missing or has
/// the wrong type. JSON `null` counts as missing.
public struct RowFields {
    public let value: JSONValue
    public let location: SourceLocation
    let paths: [String: String]
    let adapter: String
    /// Top-level keys read so far.
    public private(set) var consumed: Set<String> = []

    init(value: JSONValue, location: SourceLocation, paths: [String: String], adapter: String) {
        self.value = value
        self.location = location
        self.paths = paths
        self.adapter = adapter
    }

    /// The configured path of a logical field, if any.
    public func path(_ field: String) -> String? { paths[field] }

    /// A located error about `field`.
    public func error(_ field: String, _ message: String, hint: String? = nil) -> DataIOError {
        var loc = location
        let p = paths[field]
        loc.field = p ?? field
        let what = p.map { p in p == field ? "field '\(field)'" : "field '\(field)' (path '\(p)')" } ?? "field '\(field)'"
        return DataIOError("\(adapter): \(what) \(message)", at: loc, hint: hint)
    }

    /// An error about the record as a whole.
    public func recordError(_ message: String, hint: String? = nil) -> DataIOError {
        DataIOError("\(adapter): \(message)", at: location, hint: hint)
    }

    /// Raw value of `field`; nil when the field is unmapped, absent or null.
    public mutating func raw(_ field: String) -> JSONValue? {
        guard let p = paths[field] else { return nil }
        let hasDot = p.utf8.contains(UInt8(ascii: "."))
        if !hasDot && !p.utf8.contains(UInt8(ascii: ",")) {
            // Fast path: a top-level key.
            consumed.insert(p)
            guard let v = value[p], !v.isNull else { return nil }
            return v
        }
        if let i = p.firstIndex(of: ".") { consumed.insert(String(p[..<i])) } else { consumed.insert(p) }
        if p.utf8.contains(UInt8(ascii: ",")) {
            // Several paths: string parts are joined with a space (SVAMP `Body,Question`).
            var parts: [JSONValue] = []
            for alt in p.split(separator: ",") {
                let a = alt.trimmingCharacters(in: .whitespaces)
                if let i = a.firstIndex(of: ".") { consumed.insert(String(a[..<i])) } else { consumed.insert(a) }
                if let v = value.lookup(path: a), !v.isNull { parts.append(v) }
            }
            if parts.isEmpty { return nil }
            let strs = parts.compactMap(\.stringValue)
            return strs.count == parts.count ? .string(strs.joined(separator: " ")) : .array(parts)
        }
        guard let v = value.lookup(path: p), !v.isNull else { return nil }
        return v
    }

    /// Raw value; an error if missing.
    public mutating func require(_ field: String) throws -> JSONValue {
        guard let v = raw(field) else {
            if paths[field] == nil { throw error(field, "is not mapped", hint: "set fields.\(field) in the adapter config") }
            throw error(field, "is missing", hint: "map it with fields.\(field): <path>")
        }
        return v
    }

    /// Required string.
    public mutating func string(_ field: String) throws -> String {
        let v = try require(field)
        guard case .string(let s) = v else { throw error(field, "must be a string, got \(v.typeName)") }
        return s
    }

    /// Optional string (absent or null → nil; any other non-string type is an error).
    public mutating func optionalString(_ field: String) throws -> String? {
        guard let v = raw(field) else { return nil }
        guard case .string(let s) = v else { throw error(field, "must be a string, got \(v.typeName)") }
        return s
    }

    /// Optional text that may also be a list of strings (joined with `separator`).
    public mutating func optionalText(_ field: String, separator: String = "\n\n") throws -> String? {
        guard let v = raw(field) else { return nil }
        return try text(v, field: field, separator: separator)
    }

    func text(_ v: JSONValue, field: String, separator: String) throws -> String {
        switch v {
        case .string(let s): return s
        case .array(let a):
            var parts: [String] = []
            for e in a {
                guard case .string(let s) = e else { throw error(field, "must be a string or a list of strings, found a \(e.typeName) in the list") }
                parts.append(s)
            }
            return parts.joined(separator: separator)
        default: throw error(field, "must be a string or a list of strings, got \(v.typeName)")
        }
    }

    /// Optional answer-like value rendered as text: strings as is, integers as digits, integral
    /// floats without `.0` (`36.0` → `36`), other floats in shortest form, booleans as
    /// true/false, lists of those joined with ", ".
    public mutating func optionalAnswer(_ field: String) throws -> String? {
        guard let v = raw(field) else { return nil }
        if case .array(let a) = v {
            var parts: [String] = []
            for e in a {
                guard let s = RowFields.scalarText(e) else { throw error(field, "list must hold strings or numbers, found \(e.typeName)") }
                parts.append(s)
            }
            return parts.joined(separator: ", ")
        }
        guard let s = RowFields.scalarText(v) else { throw error(field, "must be a string or a number, got \(v.typeName)") }
        return s
    }

    /// A scalar field as a string (ids): strings, integers, integral floats.
    public mutating func scalarString(_ field: String) throws -> String? {
        guard let v = raw(field) else { return nil }
        guard let s = RowFields.scalarText(v) else { throw error(field, "must be a string or a number, got \(v.typeName)") }
        return s
    }

    public static func scalarText(_ v: JSONValue) -> String? {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bigInt(let s): return s
        case .double(let d):
            if d.isFinite, d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) }
            return d.description
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }
}
