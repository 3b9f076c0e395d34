/// One lexical token of a template.
struct Token {
    enum Kind: Equatable {
        case data, variableBegin, variableEnd, blockBegin, blockEnd, name, string, integer, float, op, eof
    }
    var kind: Kind
    /// Text of data / name / operator tokens, the decoded value of a string literal.
    var text: String = ""
    var int: Int = 0
    var float: Double = 0
    var pos: SourcePos
}

/// Splits template source into tokens the way jinja2's lexer does with transformers' settings
/// (`trim_blocks=True`, `lstrip_blocks=True`, `keep_trailing_newline=False`): newlines normalised
/// to `\n`, one trailing newline dropped, `{%-`/`-%}` strip all whitespace, `%}` eats one newline,
/// and whitespace before a block or comment tag at the start of a line is removed.
/// Reference: jinja2/lexer.py (`Lexer.tokeniter`), https://jinja.palletsprojects.com/en/3.1.x/templates/#whitespace-control
struct Lexer {
    private var b: [UInt8]
    private var i = 0
    private var line = 1
    private var lineStart = 0
    private var tokens: [Token] = []
    private var lineStarting = true

    init(_ source: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(source.utf8.count)
        var it = source.utf8.makeIterator()
        var pendingCR = false
        while let c = it.next() {
            if pendingCR { pendingCR = false; if c == 0x0A { continue } }
            if c == 0x0D { bytes.append(0x0A); pendingCR = true } else { bytes.append(c) }
        }
        if bytes.last == 0x0A { bytes.removeLast() }
        b = bytes
    }

    static func tokenize(_ source: String) throws -> [Token] {
        var lx = Lexer(source)
        try lx.run()
        return lx.tokens
    }

    private var pos: SourcePos { SourcePos(line: line, column: column(at: i)) }
    private func column(at k: Int) -> Int {
        var n = 1, j = lineStart
        while j < k { if b[j] & 0xC0 != 0x80 { n += 1 }; j += 1 }
        return n
    }

    private func fail(_ msg: String, at p: SourcePos? = nil) -> JinjaError {
        JinjaError(.syntax, msg, line: (p ?? pos).line, column: (p ?? pos).column)
    }

    /// Advances to `k`, counting lines.
    private mutating func advance(to k: Int) {
        while i < k {
            if b[i] == 0x0A { line += 1; lineStart = i + 1 }
            i += 1
        }
    }

    private func starts(_ s: String, at k: Int) -> Bool {
        var j = k
        for c in s.utf8 {
            if j >= b.count || b[j] != c { return false }
            j += 1
        }
        return true
    }

    /// Length of the Unicode whitespace run starting at `k` (Python regex `\s*`).
    private func spaceRun(at k: Int) -> Int {
        var j = k
        while j < b.count {
            let c = b[j]
            if c < 0x80 {
                if PyFormat.isSpace(Unicode.Scalar(c)) { j += 1; continue }
                return j - k
            }
            var len = 2
            if c >= 0xF0 { len = 4 } else if c >= 0xE0 { len = 3 }
            guard j + len <= b.count, let s = String(decoding: b[j..<(j + len)], as: UTF8.self).unicodeScalars.first,
                  PyFormat.isSpace(s) else { return j - k }
            j += len
        }
        return j - k
    }

    private mutating func run() throws {
        while i < b.count {
            // Find the next tag opening.
            var k = i
            var found: (kind: Token.Kind, sign: UInt8?, isComment: Bool, isRaw: Bool)? = nil
            while k + 1 < b.count {
                if b[k] == UInt8(ascii: "{") {
                    let n = b[k + 1]
                    if n == UInt8(ascii: "{") || n == UInt8(ascii: "%") || n == UInt8(ascii: "#") {
                        var sign: UInt8? = nil
                        if k + 2 < b.count, b[k + 2] == UInt8(ascii: "-") || b[k + 2] == UInt8(ascii: "+") { sign = b[k + 2] }
                        found = (n == UInt8(ascii: "{") ? .variableBegin : .blockBegin, sign, n == UInt8(ascii: "#"),
                                 n == UInt8(ascii: "%") && isRawBegin(at: k))
                        break
                    }
                }
                k += 1
            }
            guard let tag = found else {
                emitData(i, b.count)
                advance(to: b.count)
                break
            }
            // The text before the tag, with whitespace control applied.
            var end = k
            if tag.sign == UInt8(ascii: "-") {
                end = rstripEnd(i, k)
            } else if tag.sign != UInt8(ascii: "+") && tag.kind != .variableBegin {
                var lpos = k
                while lpos > i && b[lpos - 1] != 0x0A { lpos -= 1 }
                if lpos > i || lineStarting {
                    var onlySpace = true
                    for j in lpos..<k where b[j] != 0x20 && b[j] != 0x09 { onlySpace = false; break }
                    if onlySpace { end = lpos }
                }
            }
            emitData(i, end)
            advance(to: k)
            let tagPos = pos
            advance(to: k + 2 + (tag.sign == nil ? 0 : 1))
            lineStarting = false
            if tag.isComment {
                try skipComment(tagPos)
            } else if tag.isRaw {
                try lexRaw(tagPos)
            } else {
                try lexTag(tag.kind, tagPos)
            }
        }
        tokens.append(Token(kind: .eof, pos: pos))
    }

    private mutating func emitData(_ from: Int, _ to: Int) {
        guard to > from else { return }
        let p = SourcePos(line: line, column: column(at: from))  // `i == from` here
        tokens.append(Token(kind: .data, text: String(decoding: b[from..<to], as: UTF8.self), pos: p))
    }

    /// End of `b[from..<to]` after Python `rstrip()` (Unicode whitespace).
    private func rstripEnd(_ from: Int, _ to: Int) -> Int {
        let s = String(decoding: b[from..<to], as: UTF8.self)
        return from + Text.strip(s, nil, left: false, right: true).utf8.count
    }

    private func isRawBegin(at k: Int) -> Bool {
        var j = k + 2
        if j < b.count, b[j] == UInt8(ascii: "-") || b[j] == UInt8(ascii: "+") { j += 1 }
        j += spaceRun(at: j)
        guard starts("raw", at: j) else { return false }
        j += 3
        j += spaceRun(at: j)
        return starts("%}", at: j) || starts("-%}", at: j)
    }

    private mutating func skipComment(_ start: SourcePos) throws {
        var k = i
        while k < b.count {
            if starts("+#}", at: k) { advance(to: k + 3); lineStarting = false; return }
            if starts("-#}", at: k) { let e = k + 3 + spaceRun(at: k + 3); advance(to: e); lineStarting = b[e - 1] == 0x0A; return }
            if starts("#}", at: k) {
                var e = k + 2
                if e < b.count && b[e] == 0x0A { e += 1 }
                advance(to: e)
                lineStarting = b[e - 1] == 0x0A
                return
            }
            k += 1
        }
        throw fail("Missing end of comment tag", at: start)
    }

    private mutating func lexRaw(_ start: SourcePos) throws {
        // Skip `{% raw %}` (or `-%}`), then take everything up to `{% endraw %}` as data.
        while i < b.count && !starts("%}", at: i) { advance(to: i + 1) }
        if i > 0 && b[i - 1] == UInt8(ascii: "-") { advance(to: i + 2 + spaceRun(at: i + 2)) } else { advance(to: i + 2) }
        var k = i
        while k < b.count {
            if starts("{%", at: k) {
                var j = k + 2
                var sign: UInt8? = nil
                if j < b.count, b[j] == UInt8(ascii: "-") || b[j] == UInt8(ascii: "+") { sign = b[j]; j += 1 }
                j += spaceRun(at: j)
                if starts("endraw", at: j) {
                    j += 6
                    j += spaceRun(at: j)
                    var endTag = j
                    if starts("+%}", at: j) { endTag = j + 3 } else if starts("-%}", at: j) { endTag = j + 3 + spaceRun(at: j + 3) } else if starts("%}", at: j) {
                        endTag = j + 2
                        if endTag < b.count && b[endTag] == 0x0A { endTag += 1 }
                    } else { k += 1; continue }
                    var end = k
                    if sign == UInt8(ascii: "-") { end = rstripEnd(i, k) } else if sign != UInt8(ascii: "+") {
                        var lpos = k
                        while lpos > i && b[lpos - 1] != 0x0A { lpos -= 1 }
                        if lpos > i && b[lpos..<k].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { end = lpos }
                    }
                    emitData(i, end)
                    advance(to: endTag)
                    lineStarting = b[endTag - 1] == 0x0A
                    return
                }
            }
            k += 1
        }
        throw fail("Missing end of raw directive", at: start)
    }

    private static let twoCharOps: [String] = ["//", "**", "==", "!=", ">=", "<="]
    private static let oneCharOps = Set("+-/*%~[](){}<>=.,:|;".utf8)

    private mutating func lexTag(_ kind: Token.Kind, _ start: SourcePos) throws {
        tokens.append(Token(kind: kind, pos: start))
        var balance: [UInt8] = []
        let isBlock = kind == .blockBegin
        while true {
            if i >= b.count {
                throw fail(isBlock ? "unexpected end of template, expected 'end of statement block'."
                            : "unexpected end of template, expected 'end of print statement'.", at: start)
            }
            if balance.isEmpty {
                if isBlock {
                    if starts("+%}", at: i) { tokens.append(Token(kind: .blockEnd, pos: pos)); advance(to: i + 3); lineStarting = false; return }
                    if starts("-%}", at: i) {
                        tokens.append(Token(kind: .blockEnd, pos: pos))
                        let e = i + 3 + spaceRun(at: i + 3); advance(to: e); lineStarting = b[e - 1] == 0x0A; return
                    }
                    if starts("%}", at: i) {
                        tokens.append(Token(kind: .blockEnd, pos: pos))
                        var e = i + 2
                        if e < b.count && b[e] == 0x0A { e += 1 }
                        advance(to: e); lineStarting = b[e - 1] == 0x0A; return
                    }
                } else {
                    if starts("-}}", at: i) {
                        tokens.append(Token(kind: .variableEnd, pos: pos))
                        let e = i + 3 + spaceRun(at: i + 3); advance(to: e); lineStarting = b[e - 1] == 0x0A; return
                    }
                    if starts("}}", at: i) { tokens.append(Token(kind: .variableEnd, pos: pos)); advance(to: i + 2); lineStarting = false; return }
                }
            }
            let ws = spaceRun(at: i)
            if ws > 0 { advance(to: i + ws); continue }
            let c = b[i]
            let p = pos
            if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
                tokens.append(try lexString(quote: c, p))
            } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
                tokens.append(lexNumber(p))
            } else if c == UInt8(ascii: "_") || (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") || c >= 0x80 {
                var k = i
                while k < b.count {
                    let d = b[k]
                    if d == UInt8(ascii: "_") || (d | 0x20) >= UInt8(ascii: "a") && (d | 0x20) <= UInt8(ascii: "z")
                        || d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") || d >= 0x80 { k += 1 } else { break }
                }
                tokens.append(Token(kind: .name, text: String(decoding: b[i..<k], as: UTF8.self), pos: p))
                advance(to: k)
            } else if let op = Lexer.twoCharOps.first(where: { starts($0, at: i) }) {
                tokens.append(Token(kind: .op, text: op, pos: p))
                advance(to: i + 2)
            } else if Lexer.oneCharOps.contains(c) {
                if c == UInt8(ascii: "(") { balance.append(UInt8(ascii: ")")) }
                else if c == UInt8(ascii: "[") { balance.append(UInt8(ascii: "]")) }
                else if c == UInt8(ascii: "{") { balance.append(UInt8(ascii: "}")) }
                else if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                    guard let expect = balance.popLast() else { throw fail("unexpected '\(Character(Unicode.Scalar(c)))'") }
                    if expect != c {
                        throw fail("unexpected '\(Character(Unicode.Scalar(c)))', expected '\(Character(Unicode.Scalar(expect)))'")
                    }
                }
                tokens.append(Token(kind: .op, text: String(Character(Unicode.Scalar(c))), pos: p))
                advance(to: i + 1)
            } else {
                throw fail("unexpected char \(PyFormat.repr(.string(String(decoding: b[i...].prefix(1), as: UTF8.self)))) at \(i)")
            }
        }
    }

    private mutating func lexNumber(_ p: SourcePos) -> Token {
        var k = i
        func digits() { while k < b.count, (b[k] >= UInt8(ascii: "0") && b[k] <= UInt8(ascii: "9")) || b[k] == UInt8(ascii: "_") { k += 1 } }
        digits()
        var isFloat = false
        let afterDot = i > 0 && b[i - 1] == UInt8(ascii: ".")
        if !afterDot, k + 1 < b.count, b[k] == UInt8(ascii: "."), b[k + 1] >= UInt8(ascii: "0"), b[k + 1] <= UInt8(ascii: "9") {
            k += 1; digits(); isFloat = true
        }
        if !afterDot, k < b.count, b[k] == UInt8(ascii: "e") || b[k] == UInt8(ascii: "E") {
            var j = k + 1
            if j < b.count, b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-") { j += 1 }
            if j < b.count, b[j] >= UInt8(ascii: "0"), b[j] <= UInt8(ascii: "9") { k = j; digits(); isFloat = true }
        }
        let text = String(decoding: b[i..<k], as: UTF8.self).filter { $0 != "_" }
        advance(to: k)
        if isFloat { return Token(kind: .float, float: Double(text) ?? 0, pos: p) }
        return Token(kind: .integer, int: Int(text) ?? Int.max, pos: p)
    }

    private mutating func lexString(quote: UInt8, _ p: SourcePos) throws -> Token {
        var k = i + 1
        while k < b.count && b[k] != quote {
            if b[k] == UInt8(ascii: "\\") { k += 1 }
            k += 1
        }
        guard k < b.count else { throw fail("unexpected char \(quote == 0x27 ? "\"'\"" : "'\"'") at \(i)") }
        let raw = String(decoding: b[(i + 1)..<k], as: UTF8.self)
        advance(to: k + 1)
        return Token(kind: .string, text: Lexer.unescape(raw), pos: p)
    }

    /// Python's `unicode-escape` decoding of a string literal body (jinja2 decodes literals this way).
    static func unescape(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "\\")) else { return s }
        var out = String.UnicodeScalarView()
        var u = Array(s.unicodeScalars)[...]
        func hexValue(_ n: Int) -> UInt32? {
            guard u.count >= n else { return nil }
            let h = String(String.UnicodeScalarView(u.prefix(n)))
            guard let v = UInt32(h, radix: 16) else { return nil }
            u.removeFirst(n)
            return v
        }
        while let c = u.popFirst() {
            guard c == "\\", let e = u.popFirst() else { out.append(c); continue }
            switch e {
            case "\n": break
            case "\\": out.append("\\")
            case "'": out.append("'")
            case "\"": out.append("\"")
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "x", "u", "U":
                let n = e == "x" ? 2 : (e == "u" ? 4 : 8)
                if let v = hexValue(n), let sc = Unicode.Scalar(v) { out.append(sc) } else { out.append("\\"); out.append(e) }
            case "0"..."7":
                var v = e.value - 48
                var n = 1
                while n < 3, let d = u.first, d >= "0", d <= "7" { v = v * 8 + d.value - 48; u.removeFirst(); n += 1 }
                out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
            default:
                out.append("\\"); out.append(e)
            }
        }
        return String(out)
    }
}
