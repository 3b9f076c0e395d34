import Records

/// A minimal forward scanner over JSON bytes, used to stream the large `model.vocab`
/// object and `model.merges` array of a tokenizer.json without building a `JSONValue`
/// tree for them (151k entries); small sections are handed to `Records.JSONParser`.
/// Grammar: https://www.rfc-editor.org/rfc/rfc8259.
struct JSONScanner {
    let b: UnsafeBufferPointer<UInt8>
    var i = 0
    let file: String

    init(_ b: UnsafeBufferPointer<UInt8>, file: String) {
        self.b = b
        self.file = file
    }

    func fail(_ reason: String) -> TokenizerError {
        TokenizerError("invalid JSON: \(reason)", at: "\(file) (byte \(i))")
    }

    mutating func skipWS() {
        while i < b.count {
            let c = b[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { break }
        }
    }

    /// Next non-whitespace byte without consuming it (0 at end).
    mutating func peek() -> UInt8 {
        skipWS()
        return i < b.count ? b[i] : 0
    }

    mutating func expect(_ c: UInt8) throws {
        skipWS()
        guard i < b.count, b[i] == c else {
            throw fail("expected '\(Character(Unicode.Scalar(c)))'")
        }
        i += 1
    }

    /// After an element: consumes ',' and returns true, or consumes `close` and returns false.
    mutating func next(close: UInt8) throws -> Bool {
        skipWS()
        guard i < b.count else { throw fail("unexpected end") }
        if b[i] == UInt8(ascii: ",") { i += 1; return true }
        if b[i] == close { i += 1; return false }
        throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'")
    }

    /// Reads a string literal and appends its decoded UTF-8 bytes to `out`.
    mutating func readString(into out: inout [UInt8]) throws {
        try expect(UInt8(ascii: "\""))
        while true {
            guard i < b.count else { throw fail("unterminated string") }
            let c = b[i]
            i += 1
            if c == 0x22 { return }
            if c != 0x5C { out.append(c); continue }
            guard i < b.count else { throw fail("unterminated escape") }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "/"), 0x22, 0x5C: out.append(e)
            case UInt8(ascii: "u"):
                var v = try hex4()
                if v >= 0xD800 && v < 0xDC00, i + 1 < b.count, b[i] == 0x5C, b[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let lo = try hex4()
                    if lo >= 0xDC00 && lo < 0xE000 {
                        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        throw fail("invalid surrogate pair")
                    }
                }
                guard let s = Unicode.Scalar(v) else { throw fail("lone surrogate \\u escape") }
                out.append(contentsOf: Array(String(Character(s)).utf8))
            default: throw fail("bad escape")
            }
        }
    }

    mutating func readString() throws -> String {
        var out: [UInt8] = []
        try readString(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count else { throw fail("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            i += 1
            v <<= 4
            switch c {
            case 0x30...0x39: v |= UInt32(c - 0x30)
            case 0x41...0x46: v |= UInt32(c - 0x41 + 10)
            case 0x61...0x66: v |= UInt32(c - 0x61 + 10)
            default: throw fail("bad hex digit")
            }
        }
        return v
    }

    mutating func readInt() throws -> Int {
        skipWS()
        var neg = false
        if i < b.count, b[i] == UInt8(ascii: "-") { neg = true; i += 1 }
        var v = 0
        var digits = 0
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
            v = v &* 10 &+ Int(b[i] - 0x30)
            i += 1
            digits += 1
            if digits > 12 { throw fail("integer too large") }
        }
        if digits == 0 { throw fail("expected an integer") }
        return neg ? -v : v
    }

    /// Skips one JSON value and returns its byte range.
    mutating func skipValue() throws -> Range<Int> {
        skipWS()
        let start = i
        guard i < b.count else { throw fail("unexpected end") }
        let first = b[i]
        if first == 0x22 {
            try skipString()
        } else if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            var depth = 0
            repeat {
                guard i < b.count else { throw fail("unexpected end") }
                let c = b[i]
                if c == 0x22 { try skipString(); continue }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") { depth -= 1 }
                i += 1
            } while depth > 0
        } else {
            while i < b.count && !isDelimiter(b[i]) { i += 1 }
        }
        return start..<i
    }

    private mutating func skipString() throws {
        i += 1
        while true {
            guard i < b.count else { throw fail("unterminated string") }
            let d = b[i]
            i += 1
            if d == 0x5C { i += 1 } else if d == 0x22 { return }
        }
    }

    private func isDelimiter(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    /// Parses one small value with `Records.JSONParser`.
    mutating func parseValue() throws -> JSONValue {
        let r = try skipValue()
        do {
            return try JSONParser.parse(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(b)[r]))
        } catch let e as JSONParseError {
            throw TokenizerError("invalid JSON: \(e.reason)", at: "\(file) (byte \(r.lowerBound + e.offset))")
        }
    }
}
