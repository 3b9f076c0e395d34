#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// POSIX reads and writes that retry on `EINTR` and finish short writes: the one place the
/// project talks to `read(2)` / `write(2)` / `pwrite(2)` in a loop.
public enum PosixIO {
    /// The text of the current `errno`.
    public static var errorText: String { String(cString: strerror(errno)) }

    /// One `read(2)` of up to `count` bytes, retried on `EINTR`: bytes read (0 at end of
    /// file), or -1 with `errno` set for any other failure.
    @inline(__always)
    public static func readSome(_ fd: Int32, _ base: UnsafeMutableRawPointer, _ count: Int) -> Int {
        while true {
            let n = read(fd, base, count)
            if n >= 0 || errno != EINTR { return n }
        }
    }

    /// Reads until `count` bytes or end of file, retrying on `EINTR` and short reads: bytes
    /// read, or -1 with `errno` set. `offset` reads with `pread(2)` from that file position.
    public static func readFully(_ fd: Int32, _ base: UnsafeMutableRawPointer, _ count: Int, at offset: Int64? = nil) -> Int {
        var done = 0
        while done < count {
            let n: Int
            if let offset {
                n = pread(fd, base + done, count - done, off_t(offset + Int64(done)))
            } else {
                n = read(fd, base + done, count - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return -1
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes all of `bytes`, retrying on `EINTR` and short writes; `offset` writes with
    /// `pwrite(2)` at that file position. Throws a `CoreError` at `path` on failure.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int? = nil, path: String) throws {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n: Int
            if let offset {
                n = pwrite(fd, base + done, bytes.count - done, off_t(offset + done))
            } else {
                n = write(fd, base + done, bytes.count - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw CoreError("write failed: \(errorText)", at: SourceLocation(file: path))
            }
            done += n
        }
    }

    /// Reads a whole file.
    public static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CoreError("cannot open: \(errorText)", at: SourceLocation(file: path)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw CoreError("cannot stat", at: SourceLocation(file: path)) }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        let n = out.withUnsafeMutableBytes { readFully(fd, $0.baseAddress!, $0.count) }
        if n < 0 { throw CoreError("read failed", at: SourceLocation(file: path)) }
        if n < out.count { out.removeSubrange(n...) }
        return out
    }

    /// Streams a file in `chunk`-byte pieces to `body` (the last may be shorter).
    public static func forEachChunk(_ path: String, chunk: Int = 4 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CoreError("cannot open: \(errorText)", at: SourceLocation(file: path)) }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = buf.withUnsafeMutableBytes { readSome(fd, $0.baseAddress!, $0.count) }
            if n < 0 { throw CoreError("read failed", at: SourceLocation(file: path)) }
            if n == 0 { break }
            try buf.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }
}
