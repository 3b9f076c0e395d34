import Core
import Foundation

/// Splits a file (or standard input) into `\n`-terminated lines, reading 1 MiB at a time
/// (no whole-file load). The `\n` and a trailing `\r` are removed, and a UTF-8 BOM at the
/// very start of the input. Shared by the CLI
/// commands that read line-oriented input (`tokenize`, `score`, `tokenizer train`).
final class LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var pos = 0
    private var eof = false
    private var bomChecked = false
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0

    init(handle: FileHandle) { self.handle = handle }

    convenience init(path: String) throws {
        guard let fh = FileHandle(forReadingAtPath: path) else { throw LineReaderError(path: path) }
        self.init(handle: fh)
    }

    /// The next line, or nil at end of input.
    func next() -> [UInt8]? {
        while true {
            if !bomChecked {
                // A UTF-8 BOM at the very start of the input is dropped (as `eaft inspect` does).
                if buffer.count - pos < 3, !eof { fill(); continue }
                bomChecked = true
                if buffer.count - pos >= 3, buffer[pos] == 0xEF, buffer[pos + 1] == 0xBB, buffer[pos + 2] == 0xBF { pos += 3 }
            }
            if let nl = buffer[pos...].firstIndex(of: 0x0A) {
                var line = Array(buffer[pos..<nl])
                pos = nl + 1
                if line.last == 0x0D { line.removeLast() }
                lineNumber += 1
                return line
            }
            if eof {
                guard pos < buffer.count else { return nil }
                var line = Array(buffer[pos...])
                pos = buffer.count
                if line.last == 0x0D { line.removeLast() }
                lineNumber += 1
                return line
            }
            fill()
        }
    }

    private func fill() {
        buffer.removeFirst(pos)
        pos = 0
        let chunk = handle.readData(ofLength: 1 << 20)
        if chunk.isEmpty { eof = true } else { buffer += chunk }
    }
}

/// An input file that cannot be opened.
struct LineReaderError: Error, CustomStringConvertible {
    var path: String
    var description: String { "cannot open \(path) for reading" }
}
