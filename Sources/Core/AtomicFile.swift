#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file written for crash safety: created as `path.tmp`, written, fsynced, then renamed into
/// place and its directory fsynced (`commit`), so a file that exists under its name is complete.
/// The one atomic writer of the project (shards, manifests, work units, checkpoints).
public struct AtomicFile {
    public let fd: Int32
    /// The temporary path being written.
    public let path: String

    /// Creates (truncates) `path` for writing. Most callers want `write(_:to:)`.
    public static func create(_ path: String) throws -> AtomicFile {
        let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o644)
        guard fd >= 0 else { throw CoreError("cannot create file: \(PosixIO.errorText)", at: SourceLocation(file: path)) }
        return AtomicFile(fd: fd, path: path)
    }

    /// Writes all of `bytes` (at `offset` with `pwrite`, else at the current position).
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int? = nil) throws {
        try PosixIO.writeAll(fd, bytes, at: offset, path: path)
    }

    public func write(_ a: [UInt8], at offset: Int? = nil) throws { try a.withUnsafeBytes { try write($0, at: offset) } }

    /// fsyncs and closes the file.
    public func syncAndClose() throws {
        guard fsync(fd) == 0 else {
            close(fd)
            throw CoreError("fsync failed: \(PosixIO.errorText)", at: SourceLocation(file: path))
        }
        close(fd)
    }

    /// Closes and removes the unfinished file.
    public func abandon() { close(fd); unlink(path) }

    /// Writes `bytes` to `path` atomically: `path.tmp`, fsync, rename, fsync of the directory.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let tmp = path + ".tmp"
        let f = try create(tmp)
        do { try f.write(bytes); try f.syncAndClose() } catch { f.abandon(); throw error }
        try commit(tmp: tmp, to: path)
    }

    /// Writes `text` (UTF-8) to `path` atomically.
    public static func write(_ text: String, to path: String) throws { try write(Array(text.utf8), to: path) }

    /// Renames a finished, fsynced temporary file into place and fsyncs the directory.
    public static func commit(tmp: String, to path: String) throws {
        guard rename(tmp, path) == 0 else {
            throw CoreError("rename \(tmp) failed: \(PosixIO.errorText)", at: SourceLocation(file: path))
        }
        syncDirectory(of: path)
    }

    /// fsyncs the directory holding `path` so a rename survives a crash.
    public static func syncDirectory(of path: String) {
        var dir = path
        if let slash = dir.lastIndex(of: "/") { dir = String(dir[..<slash]) } else { dir = "." }
        if dir.isEmpty { dir = "/" }
        let fd = open(dir, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// `mkdir -p path`: an error naming the component that failed and why (e.g. `/dev/null`
    /// exists and is not a directory), instead of a Foundation error dump.
    public static func makeDirectory(_ path: String) throws {
        guard !path.isEmpty else { throw CoreError("empty directory path", at: SourceLocation(file: "\"\"")) }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
            var st = stat()
            if stat(prefix, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else {
                    throw CoreError("cannot create directory: '\(prefix)' exists and is not a directory", at: SourceLocation(file: path),
                                    hint: "choose another output directory")
                }
                continue
            }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw CoreError("cannot create directory '\(prefix)': \(PosixIO.errorText)", at: SourceLocation(file: path))
            }
        }
    }
}

extension AtomicFile {
    /// Reads a whole file (the counterpart of `write(_:to:)`).
    public static func read(_ path: String) throws -> [UInt8] { try PosixIO.readFile(path) }
}
