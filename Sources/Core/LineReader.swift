#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits input into `\n`-terminated lines: the one line splitter of the project for
/// line-oriented text (JSONL training data, benchmark files, the CLI's `tokenize` / `score`
/// input). The `\n` and one trailing `\r` are removed from each line, and a UTF-8 BOM at the
/// very start of the input; a last line without `\n` is returned too.
///
/// Streaming (`init(path:)`, `init(fileDescriptor:)`): reads `chunk` bytes at a time and holds
/// at most one line; a line longer than `maxLineBytes` throws (hostile input cannot make it
/// buffer without bound). In memory: `forEachLine(in:_:)`, no copies.
public final class LineReader {
    private let fd: Int32
    private let ownsFD: Bool
    private let name: String
    private let chunk: Int
    /// Longest line accepted (bytes, without the `\n`).
    public let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var pos = 0
    private var eof = false
    private var bomChecked = false
    /// 1-based number of the line last returned.
    public private(set) var lineNumber = 0

    /// Reads `path`. Throws a `CoreError` when it cannot be opened.
    public init(path: String, maxLineBytes: Int = 64 << 20, chunk: Int = 1 << 20) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CoreError("cannot open \(path) for reading: \(PosixIO.errorText)", at: SourceLocation(file: path)) }
        self.fd = fd
        ownsFD = true
        name = path
        self.chunk = chunk
        self.maxLineBytes = maxLineBytes
    }

    /// Reads an open descriptor (e.g. 0, standard input), which is not closed.
    public init(fileDescriptor: Int32, name: String = "<stdin>", maxLineBytes: Int = 64 << 20, chunk: Int = 1 << 20) {
        fd = fileDescriptor
        ownsFD = false
        self.name = name
        self.chunk = chunk
        self.maxLineBytes = maxLineBytes
    }

    deinit { if ownsFD { close(fd) } }

    /// The next line, or nil at end of input.
    public func next() throws -> [UInt8]? {
        var searched = pos
        while true {
            if !bomChecked {
                if buffer.count - pos < 3, !eof { try fill(); continue }
                bomChecked = true
                if buffer.count - pos >= 3, buffer[pos] == 0xEF, buffer[pos + 1] == 0xBB, buffer[pos + 2] == 0xBF { pos += 3 }
                searched = pos
            }
            if let nl = buffer[searched...].firstIndex(of: 0x0A) {
                let line = take(pos..<nl)
                pos = nl + 1
                return line
            }
            if eof {
                guard pos < buffer.count else { return nil }
                let line = take(pos..<buffer.count)
                pos = buffer.count
                return line
            }
            if buffer.count - pos > maxLineBytes {
                throw CoreError("line longer than \(maxLineBytes) bytes", at: SourceLocation(file: name, line: lineNumber + 1))
            }
            searched = buffer.count
            let consumed = pos
            try fill()
            searched -= consumed
        }
    }

    private func take(_ r: Range<Int>) -> [UInt8] {
        var end = r.upperBound
        if end > r.lowerBound && buffer[end - 1] == 0x0D { end -= 1 }
        lineNumber += 1
        return Array(buffer[r.lowerBound..<end])
    }

    /// Drops consumed bytes and appends up to `chunk` more; sets `eof` at end of input.
    private func fill() throws {
        buffer.removeFirst(pos)
        pos = 0
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        let n = buffer.withUnsafeMutableBytes { PosixIO.readSome(fd, $0.baseAddress! + old, chunk) }
        if n < 0 {
            buffer.removeLast(chunk)
            throw CoreError("read failed: \(PosixIO.errorText)", at: SourceLocation(file: name, line: lineNumber + 1))
        }
        buffer.removeLast(chunk - n)
        if n == 0 { eof = true }
    }

    /// Calls `body(lineNumber, line)` for each line of `bytes` (1-based numbers; `\n` and one
    /// trailing `\r` removed; a leading UTF-8 BOM dropped; a last line without `\n` included).
    public static func forEachLine(in bytes: UnsafeRawBufferPointer, _ body: (Int, UnsafeRawBufferPointer) throws -> Void) rethrows {
        let n = bytes.count
        var start = 0, lineNo = 0
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        while start < n {
            var end = start
            while end < n && bytes[end] != 0x0A { end += 1 }
            lineNo += 1
            let next = end + 1
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            try body(lineNo, UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            start = next
        }
    }

    /// True when `line` holds only spaces, tabs and carriage returns (a blank line of a JSONL file).
    @inlinable
    public static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }
    }
}
