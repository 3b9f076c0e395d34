#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Records

/// Writes rejected lines as JSON Lines: one `BadLine.rejectJSON` object per line
/// (`{"file","line","offset","reason","detail","length","text"}`, text truncated).
/// Shared by several readers of one run; not thread-safe (use one per thread).
public final class RejectsWriter {
    public let path: String
    private let fp: UnsafeMutablePointer<FILE>
    public private(set) var count = 0

    /// Creates (truncates) `path`.
    public init(path: String) throws {
        self.path = path
        guard let f = fopen(path, "wb") else {
            throw DataIOError("cannot create rejects file: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
        }
        fp = f
    }

    deinit { fclose(fp) }

    public func write(_ bad: BadLine) {
        write(bad.rejectJSON)
    }

    /// Writes any JSON object as one line (adapters' rejects use the same file).
    public func write(_ value: JSONValue) {
        var out: [UInt8] = []
        JSONWriter().write(value, into: &out)
        out.append(0x0A)
        out.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, fp) }
        count += 1
    }

    public func flush() { fflush(fp) }
}
