import Core
import Foundation

/// The error domain of `JSONParser`; messages read `invalid JSON at byte N: reason`.
public enum JSONParseFailure: ErrorDomain {
    public static var messagePrefix: String? { "invalid JSON" }
}

/// Error from `JSONParser`: what went wrong and the byte offset in the input (`LocatedError`).
public typealias JSONParseError = LocatedError<JSONParseFailure>

extension LocatedError where Domain == JSONParseFailure {
    public init(offset: Int, reason: String) {
        self.init(reason, at: SourceLocation(file: "", byteOffset: Int64(offset)))
    }

    /// Byte offset of the error in the parsed input.
    public var offset: Int { Int(location.byteOffset ?? 0) }
}

/// A strict, fast JSON parser over UTF-8 bytes (RFC 8259), producing `JSONValue`.
///
/// Reference: https://www.rfc-editor.org/rfc/rfc8259. Differences from the RFC,
/// chosen to agree with Python's `json` module (which wrote most datasets):
/// `NaN`, `Infinity` and `-Infinity` are accepted as numbers; duplicate keys keep
/// every entry (lookups return the last). Invalid UTF-8 inside strings is an error
/// (Python would have refused to decode the line too). Lone UTF-16 surrogates in
/// `\u` escapes, which Swift strings cannot hold, become U+FFFD.
public struct JSONParser {
    /// Deepest nesting accepted; deeper input is an error, never a stack overflow.
    public static let maxDepth = 512

    /// Parses one complete JSON document (surrounding whitespace allowed).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var p = JSONParser(bytes.bindMemory(to: UInt8.self))
        p.skipWS()
        let v = try p.value(depth: 0)
        p.skipWS()
        if p.i != p.n { throw p.fail("unexpected trailing content") }
        return v
    }

    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBytes { try parse($0) }
    }

    public static func parse(_ string: String) throws -> JSONValue {
        var s = string
        return try s.withUTF8 { try parse(UnsafeRawBufferPointer($0)) }
    }

    public static func parse(_ data: Data) throws -> JSONValue {
        try data.withUnsafeBytes { try parse($0) }
    }

    private let b: UnsafeBufferPointer<UInt8>
    private let n: Int
    private var i = 0
    private var scratch: [UInt8] = []

    private init(_ b: UnsafeBufferPointer<UInt8>) {
        self.b = b
        self.n = b.count
    }

    private func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: i, reason: reason) }

    private mutating func skipWS() {
        while i < n {
            let c = b[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { break }
        }
    }

    private mutating func value(depth: Int) throws -> JSONValue {
        guard i < n else { throw fail("unexpected end of input") }
        if depth > JSONParser.maxDepth { throw fail("nesting deeper than \(JSONParser.maxDepth)") }
        switch b[i] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "N"): try literal("NaN"); return .double(.nan)
        case UInt8(ascii: "I"): try literal("Infinity"); return .double(.infinity)
        default: return try number()
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let len = word.utf8CodeUnitCount
        guard i + len <= n else { throw fail("unexpected end of input") }
        let w = word.utf8Start
        for k in 0..<len where b[i + k] != w[k] { throw fail("invalid literal") }
        i += len
    }

    private mutating func object(depth: Int) throws -> JSONValue {
        i += 1
        var o = JSONObject()
        skipWS()
        if i < n, b[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
        while true {
            skipWS()
            guard i < n, b[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let k = try string()
            skipWS()
            guard i < n, b[i] == UInt8(ascii: ":") else { throw fail("expected ':' after key") }
            i += 1
            skipWS()
            let v = try value(depth: depth + 1)
            o.entries.append((key: k, value: v))
            skipWS()
            guard i < n else { throw fail("unterminated object") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; return .object(o) }
            throw fail("expected ',' or '}' in object")
        }
    }

    private mutating func array(depth: Int) throws -> JSONValue {
        i += 1
        var a: [JSONValue] = []
        skipWS()
        if i < n, b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
        while true {
            skipWS()
            a.append(try value(depth: depth + 1))
            skipWS()
            guard i < n else { throw fail("unterminated array") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "]") { i += 1; return .array(a) }
            throw fail("expected ',' or ']' in array")
        }
    }

    private mutating func string() throws -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes.
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: b[start..<i])
                i += 1
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw JSONParseError(offset: start, reason: "invalid UTF-8 in string")
                }
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail("unescaped control character in string") }
            i += 1
        }
        // Slow path with escapes.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i]))
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                guard let s = String(validating: scratch, as: UTF8.self) else {
                    throw JSONParseError(offset: start, reason: "invalid UTF-8 in string")
                }
                return s
            }
            if c < 0x20 { throw fail("unescaped control character in string") }
            if c != UInt8(ascii: "\\") { scratch.append(c); i += 1; continue }
            i += 1
            guard i < n else { break }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var cp = try hex4()
                if cp >= 0xD800 && cp < 0xDC00 {
                    // High surrogate: expect a low surrogate next.
                    if i + 6 <= n, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let lo = try hex4()
                        if lo >= 0xDC00 && lo < 0xE000 {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                        } else {
                            i = save
                            cp = 0xFFFD
                        }
                    } else {
                        cp = 0xFFFD
                    }
                } else if cp >= 0xDC00 && cp < 0xE000 {
                    cp = 0xFFFD
                }
                appendUTF8(cp)
            default:
                i -= 1
                throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
            }
        }
        throw JSONParseError(offset: start - 1, reason: "unterminated string")
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= n else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private mutating func appendUTF8(_ cp: UInt32) {
        if cp < 0x80 {
            scratch.append(UInt8(cp))
        } else if cp < 0x800 {
            scratch.append(UInt8(0xC0 | (cp >> 6)))
            scratch.append(UInt8(0x80 | (cp & 0x3F)))
        } else if cp < 0x10000 {
            scratch.append(UInt8(0xE0 | (cp >> 12)))
            scratch.append(UInt8(0x80 | ((cp >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (cp & 0x3F)))
        } else {
            scratch.append(UInt8(0xF0 | (cp >> 18)))
            scratch.append(UInt8(0x80 | ((cp >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((cp >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (cp & 0x3F)))
        }
    }

    private mutating func number() throws -> JSONValue {
        let start = i
        var isFloat = false
        if i < n, b[i] == UInt8(ascii: "-") {
            i += 1
            if i < n, b[i] == UInt8(ascii: "I") { try literal("Infinity"); return .double(-.infinity) }
        }
        guard i < n, b[i] >= 0x30, b[i] <= 0x39 else { throw fail("invalid value") }
        if b[i] == 0x30 {
            i += 1
            if i < n, b[i] >= 0x30, b[i] <= 0x39 { throw fail("leading zero in number") }
        } else {
            while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        }
        if i < n, b[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            guard i < n, b[i] >= 0x30, b[i] <= 0x39 else { throw fail("expected digit after '.'") }
            while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        }
        if i < n, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            isFloat = true
            i += 1
            if i < n, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < n, b[i] >= 0x30, b[i] <= 0x39 else { throw fail("expected digit in exponent") }
            while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        }
        let len = i - start
        if !isFloat && len <= 18 {
            var v: Int64 = 0
            var k = start
            let neg = b[k] == UInt8(ascii: "-")
            if neg { k += 1 }
            while k < i { v = v * 10 + Int64(b[k] - 0x30); k += 1 }
            return .int(neg ? -v : v)
        }
        // Slow path: strtod / Int64 parse on a NUL-terminated copy.
        var tmp = [CChar](repeating: 0, count: len + 1)
        for k in 0..<len { tmp[k] = CChar(bitPattern: b[start + k]) }
        if !isFloat {
            let text = String(cString: tmp)
            // JSON integer literals are canonical (no leading zeros), except "-0" which fits Int64.
            if let v = Int64(text) { return .int(v) }
            return .bigInt(text)
        }
        return .double(strtod(tmp, nil))
    }
}
