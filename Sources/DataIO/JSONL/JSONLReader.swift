#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Records

/// Streaming reader of JSON Lines files (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`, JSON-Lines `.json`)
/// with bounded memory. Format reference: https://jsonlines.org/.
///
/// - Compression is detected by magic bytes (gzip `1F 8B`, zstd `28 B5 2F FD`), not by the
///   extension. Multi-member gzip and multi-frame zstd are read to the end.
/// - Bytes are read into one fixed buffer (`readBufferBytes`, default 1 MiB); lines are found
///   with `memchr` and parsed in place by `JSONParser.parse(UnsafeRawBufferPointer)`. The buffer
///   grows only to hold a single line up to `maxLineBytes`; longer lines are skipped unbuffered.
/// - Bad lines never stop the stream: each is yielded as `.bad(BadLine)` with its 1-based line
///   number and the byte offset of its first byte in the decompressed stream. Blank lines are
///   counted and skipped. `\r\n` endings are accepted.
/// - A UTF-8 BOM at the very start of the file is stripped and noted (`stats.bomStripped`);
///   a BOM at the start of any later line is rejected as `bom_mid_file` (it means files were
///   concatenated carelessly; the line may be fine, but we do not guess).
/// - A corrupt or truncated compressed stream: every line completed before the damage is
///   delivered first, the incomplete tail is reported as a bad line, and then `next()` throws
///   one `DataIOError` (located at the decompressed offset, with the compressed offset in its
///   reason) and returns nil afterwards.
/// - A `.json` file (optionally compressed) whose first non-blank byte is `[` is read as one JSON
///   array: elements are found by a small resumable scanner (strings, escapes, nesting) and
///   parsed one at a time, so memory stays bounded here too. `line` is then the line where
///   the element starts and `record` its index.
public final class JSONLReader {
    public let path: String
    public let options: JSONLOptions
    /// Counters so far; final after `next()` returned nil.
    public private(set) var stats = JSONLStats()

    private let stream: ByteStream
    private var buf: UnsafeMutableRawBufferPointer
    private var start = 0, end = 0, scan = 0
    private var bufBase: Int64 = 0
    private var eof = false
    private var finished = false
    private var pendingError: DataIOError?
    private var line = 0
    private var sniffed = false
    // Over-long line being skipped: (line, offset, first bytes, bytes so far).
    private var skipping: (line: Int, offset: Int64, head: [UInt8], length: Int)?
    // Array mode scanner state.
    private var arrayMode = false
    private var arrayState = ArrayScan()

    /// Opens `path`; throws a `DataIOError` if it cannot be opened.
    public init(path: String, options: JSONLOptions = JSONLOptions()) throws {
        self.path = path
        self.options = options
        self.stream = try StreamCompression.open(path: path)
        buf = UnsafeMutableRawBufferPointer.allocate(byteCount: max(options.readBufferBytes, 64), alignment: 16)
    }

    deinit { buf.deallocate() }

    /// Current size of the read buffer (grows only to hold one line of up to `maxLineBytes`).
    public var bufferCapacity: Int { buf.count }

    /// Next row or bad line; nil at the end. Throws only for a stream error (once), after
    /// every good row before it has been returned.
    public func next() throws -> JSONLItem? {
        while true {
            if finished {
                if let e = pendingError { pendingError = nil; throw e }
                return nil
            }
            if !sniffed && !(eof || end - start >= 8) { try refill(); continue }
            if !sniffed { sniff() }
            if var sk = skipping {
                if let nl = memchrNL(from: start) {
                    sk.length += nl - start
                    start = nl + 1; scan = start
                    skipping = nil
                    return .bad(skipped(sk))
                }
                sk.length += end - start
                bufBase += Int64(end); start = 0; end = 0; scan = 0
                skipping = sk
                if eof { skipping = nil; finished = true; return .bad(skipped(sk)) }
                if sk.length > options.maxSkipBytes {
                    // Not a text file of lines (or a corrupt one): give up instead of reading forever.
                    skipping = nil
                    finished = true
                    eof = true
                    pendingError = DataIOError("no newline in \(sk.length) bytes (line \(sk.line) exceeds the skip limit of \(options.maxSkipBytes) bytes)",
                                               at: SourceLocation(file: path, line: sk.line, byteOffset: sk.offset),
                                               hint: "not a JSON Lines file? (maxLineBytes \(options.maxLineBytes), maxSkipBytes \(options.maxSkipBytes))")
                    return .bad(skipped(sk))
                }
                try refill()
                continue
            }
            if arrayMode {
                if let item = try nextArrayItem() { return item }
                continue
            }
            if let nl = memchrNL(from: scan) {
                let s = start
                start = nl + 1; scan = start
                line += 1
                if let item = lineItem(s, nl, newline: true) { return item }
                continue
            }
            scan = end
            if eof {
                finished = true
                if start < end {
                    line += 1
                    let s = start
                    start = end
                    if let item = lineItem(s, end, newline: false) { return item }
                }
                continue
            }
            if end - start > options.maxLineBytes {
                beginSkip(line: line + 1)
                continue
            }
            try refill()
        }
    }

    // MARK: buffer management

    private func memchrNL(from: Int) -> Int? {
        guard from < end, let base = buf.baseAddress else { return nil }
        guard let p = memchr(base + from, 0x0A, end - from) else { return nil }
        return base.distance(to: UnsafeMutableRawPointer(p))
    }

    /// Reads more bytes, compacting or growing the buffer first. Stream errors are held back
    /// (`pendingError`) until the buffered lines have been delivered.
    private func refill() throws {
        if eof { return }
        if start > 0 {
            let n = end - start
            if n > 0, let b = buf.baseAddress { memmove(b, b + start, n) }
            bufBase += Int64(start)
            scan -= start; end = n; start = 0
        }
        if end == buf.count {
            let newCap = min(buf.count * 2, options.maxLineBytes + 2)
            if newCap > buf.count {
                let nb = UnsafeMutableRawBufferPointer.allocate(byteCount: newCap, alignment: 16)
                if let src = buf.baseAddress, let dst = nb.baseAddress { memcpy(dst, src, end) }
                buf.deallocate()
                buf = nb
            } else {
                return  // full at the line limit; the caller starts skipping
            }
        }
        do {
            let n = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buf[end...]))
            if n == 0 { eof = true }
            end += n
            stats.bytes += Int64(n)
        } catch let e as DataIOError {
            eof = true
            pendingError = e
            stats.streamError = e.description
        }
    }

    private func sniff() {
        sniffed = true
        guard let base = buf.baseAddress else { return }
        let p = base.assumingMemoryBound(to: UInt8.self)
        if end - start >= 3, p[start] == 0xEF, p[start + 1] == 0xBB, p[start + 2] == 0xBF {
            start += 3; scan = start
            stats.bomStripped = true
        }
        if end - start >= 2, (p[start] == 0xFF && p[start + 1] == 0xFE) || (p[start] == 0xFE && p[start + 1] == 0xFF) {
            // UTF-16 text would only give one bad line per line; say what it is instead.
            finished = true
            pendingError = DataIOError("file starts with a UTF-16 byte-order mark; JSON Lines must be UTF-8",
                                       at: SourceLocation(file: path, line: 1, byteOffset: 0),
                                       hint: "convert it, e.g. iconv -f UTF-16 -t UTF-8")
            return
        }
        guard options.detectJSONArray, isJSONName(path) else { return }
        var i = start
        while i < end, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
        if i < end, p[i] == UInt8(ascii: "[") {
            arrayMode = true
            stats.arrayMode = true
            line = 1 + countNewlines(start, i)
            start = i + 1; scan = start
            arrayState = ArrayScan()
        }
    }

    private func isJSONName(_ p: String) -> Bool {
        p.hasSuffix(".json") || p.hasSuffix(".json.gz") || p.hasSuffix(".json.zst")
    }

    private func countNewlines(_ a: Int, _ b: Int) -> Int {
        var n = 0
        let p = buf.baseAddress!.assumingMemoryBound(to: UInt8.self)
        for i in a..<b where p[i] == 0x0A { n += 1 }
        return n
    }

    // MARK: lines

    private func bytes(_ s: Int, _ e: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buf[s..<e])
    }

    private func lineItem(_ s0: Int, _ e0: Int, newline: Bool) -> JSONLItem? {
        stats.lines += 1
        let offset = bufBase + Int64(s0)
        var s = s0, e = e0
        let p = buf.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if e > s, p[e - 1] == 0x0D { e -= 1; if newline { stats.crlfLines += 1 } }
        if e - s > options.maxLineBytes {
            return bad(.lineTooLong, "line of \(e - s) bytes exceeds the limit of \(options.maxLineBytes)", s, e, offset)
        }
        if e - s >= 3, p[s] == 0xEF, p[s + 1] == 0xBB, p[s + 2] == 0xBF {
            return bad(.bomMidFile, "UTF-8 byte-order mark at the start of a line after the first", s, e, offset)
        }
        // Blank line? (cheap: only scanned when the first byte is whitespace)
        while s < e, p[s] == 0x20 || p[s] == 0x09 || p[s] == 0x0D { s += 1 }
        if s == e { stats.blankLines += 1; return nil }
        s = s0
        return parsed(s, e, offset, lastWithoutNewline: !newline)
    }

    private func parsed(_ s: Int, _ e: Int, _ offset: Int64, lastWithoutNewline: Bool) -> JSONLItem {
        do {
            let v = try JSONParser.parse(bytes(s, e))
            if case .object = v {} else if !options.allowNonObjectRows {
                return bad(.notObject, "top-level JSON \(v.typeName), expected an object", s, e, offset)
            }
            let loc = SourceLocation(file: path, line: line, byteOffset: offset, record: stats.rows)
            stats.rows += 1
            return .row(v, loc)
        } catch {
            let msg = (error as? JSONParseError).map { "invalid JSON at byte \($0.offset) of the line: \($0.reason)" } ?? "\(error)"
            if lastWithoutNewline {
                return bad(.truncatedLastLine, "last line has no newline and does not parse (\(msg))", s, e, offset)
            }
            if String(validating: UnsafeBufferPointer(rebasing: buf.bindMemory(to: UInt8.self)[s..<e]), as: UTF8.self) == nil {
                return bad(.invalidUTF8, "line is not valid UTF-8 (\(msg))", s, e, offset)
            }
            return bad(.invalidJSON, msg, s, e, offset)
        }
    }

    private func bad(_ r: BadLineReason, _ detail: String, _ s: Int, _ e: Int, _ offset: Int64) -> JSONLItem {
        stats.bad[r, default: 0] += 1
        let headLen = min(e - s, options.rejectTextBytes)
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: buf[s..<(s + headLen)]), as: UTF8.self)
        return .bad(BadLine(location: SourceLocation(file: path, line: line, byteOffset: offset), reason: r,
                            detail: detail, text: text, length: e - s))
    }

    private func beginSkip(line l: Int) {
        let headLen = min(end - start, options.rejectTextBytes)
        let head = Array(UnsafeRawBufferPointer(rebasing: buf[start..<(start + headLen)]))
        skipping = (line: l, offset: bufBase + Int64(start), head: head, length: 0)
        line = l
        stats.lines += 1
    }

    private func skipped(_ sk: (line: Int, offset: Int64, head: [UInt8], length: Int)) -> BadLine {
        stats.bad[.lineTooLong, default: 0] += 1
        return BadLine(location: SourceLocation(file: path, line: sk.line, byteOffset: sk.offset), reason: .lineTooLong,
                       detail: "line of \(sk.length) bytes exceeds the limit of \(options.maxLineBytes); skipped",
                       text: String(decoding: sk.head, as: UTF8.self), length: sk.length)
    }

    // MARK: array mode

    /// Scanner state for one array element; positions are buffer indices.
    struct ArrayScan {
        var depth = 0
        var inString = false
        var escape = false
        var newlines = 0  // newlines inside the current element so far
        var closed = false  // the closing ']' was seen
    }

    private func nextArrayItem() throws -> JSONLItem? {
        let p = buf.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if arrayState.closed {
            // Only whitespace may follow the closing bracket.
            var i = start
            while i < end, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
            if i < end {
                let s = i
                start = end; scan = end
                finished = true
                stats.lines += 1
                return bad(.invalidJSON, "content after the closing ']' of the top-level array", s, min(end, s + 256),
                           bufBase + Int64(s))
            }
            start = end; scan = end
            if eof { finished = true; return nil }
            try refill()
            return nil
        }
        var st = arrayState
        var i = scan
        var terminator = -1
        while i < end {
            let c = p[i]
            if st.inString {
                if st.escape { st.escape = false } else if c == 0x5C { st.escape = true } else if c == 0x22 { st.inString = false }
            } else {
                switch c {
                case 0x22: st.inString = true
                case 0x7B, 0x5B: st.depth += 1
                case 0x7D, 0x5D:
                    if st.depth == 0 && c == 0x5D { terminator = i } else { st.depth -= 1 }
                case 0x2C: if st.depth == 0 { terminator = i }
                case 0x0A: st.newlines += 1
                default: break
                }
                if terminator >= 0 { break }
            }
            if st.inString && c == 0x0A { st.newlines += 1 }
            i += 1
        }
        if terminator < 0 {
            arrayState = st
            scan = end
            if eof {
                finished = true
                if start < end && !isBlank(start, end) {
                    stats.lines += 1
                    return bad(.truncatedLastLine, "the top-level array ends before its closing ']'", start, end,
                               bufBase + Int64(start))
                }
                return nil
            }
            if end - start > options.maxLineBytes { beginSkipArrayElement(); return nil }
            try refill()
            return nil
        }
        let s = start, e = terminator
        let isClose = p[terminator] == 0x5D
        // Element text is [s, e); leading whitespace newlines count toward the line number.
        var ls = s
        while ls < e, p[ls] == 0x20 || p[ls] == 0x0A || p[ls] == 0x0D || p[ls] == 0x09 {
            if p[ls] == 0x0A { line += 1 }
            ls += 1
        }
        let elementNewlines = st.newlines - countNewlinesOutsideStrings(s, ls)
        start = terminator + 1; scan = start
        arrayState = ArrayScan()
        arrayState.closed = isClose
        defer { line += max(elementNewlines, 0) }
        if ls == e {
            // `[]` or a trailing comma / empty slot.
            if isClose && stats.lines == 0 { return nil }
            stats.lines += 1
            return bad(.invalidJSON, "empty array element", s, e, bufBase + Int64(s))
        }
        stats.lines += 1
        return parsed(ls, e, bufBase + Int64(ls), lastWithoutNewline: false)
    }

    private func countNewlinesOutsideStrings(_ a: Int, _ b: Int) -> Int { countNewlines(a, b) }

    private func isBlank(_ a: Int, _ b: Int) -> Bool {
        let p = buf.baseAddress!.assumingMemoryBound(to: UInt8.self)
        for i in a..<b where !(p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09) { return false }
        return true
    }

    private func beginSkipArrayElement() {
        // An over-long array element cannot be skipped without parsing its structure; end the
        // array here with one bad item (reading a multi-GB single element is not supported).
        stats.lines += 1
        stats.bad[.lineTooLong, default: 0] += 1
        finished = true
        pendingError = DataIOError("array element longer than \(options.maxLineBytes) bytes", at:
            SourceLocation(file: path, line: line, byteOffset: bufBase + Int64(start)),
            hint: "convert the file to JSON Lines or raise maxLineBytes")
    }
}
