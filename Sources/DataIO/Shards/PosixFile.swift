#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Records

/// Minimal POSIX file used for crash-safe writes: write to `path.tmp`, fsync, rename, fsync the directory.
struct PosixFile {
    let fd: Int32
    let path: String

    static func create(_ path: String) throws -> PosixFile {
        let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o644)
        guard fd >= 0 else { throw DataIOError("cannot create file: \(String(cString: strerror(errno)))", at: SourceLocation(file: path)) }
        return PosixFile(fd: fd, path: path)
    }

    func write(_ p: UnsafeRawBufferPointer, at offset: Int? = nil) throws {
        var done = 0
        while done < p.count {
            let n: Int
            if let offset {
                n = pwrite(fd, p.baseAddress! + done, p.count - done, off_t(offset + done))
            } else {
                n = Glibc.write(fd, p.baseAddress! + done, p.count - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw DataIOError("write failed: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
            }
            done += n
        }
    }

    func write(_ a: [UInt8], at offset: Int? = nil) throws { try a.withUnsafeBytes { try write($0, at: offset) } }

    func syncAndClose() throws {
        guard fsync(fd) == 0 else {
            close(fd)
            throw DataIOError("fsync failed: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
        }
        close(fd)
    }

    func abandon() { close(fd); unlink(path) }

    /// Maps the whole file at `path` read-only (`PROT_READ`, `MAP_PRIVATE`) for the binary
    /// readers (shards, safetensors, GGUF); the caller `munmap`s it. `what` names the file in
    /// errors; a file shorter than `minimumBytes` throws `tooShort(size)` before anything is mapped.
    static func mapReadOnly(_ path: String, what: String, minimumBytes: Int,
                            tooShort: (Int) -> DataIOError) throws -> (base: UnsafeMutableRawPointer, size: Int) {
        let loc = SourceLocation(file: path)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DataIOError("cannot open \(what): \(String(cString: strerror(errno)))", at: loc) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DataIOError("cannot stat \(what)", at: loc) }
        let size = Int(st.st_size)
        guard size >= minimumBytes else { throw tooShort(size) }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw DataIOError("mmap failed: \(String(cString: strerror(errno)))", at: loc)
        }
        return (p, size)
    }
}

/// File-system helpers shared by shard and pipeline writers.
public enum AtomicFile {
    /// `mkdir -p path`: a located `DataIOError` naming the component that failed and why
    /// (e.g. `/dev/null` exists and is not a directory), instead of a Foundation error dump.
    public static func makeDirectory(_ path: String) throws {
        guard !path.isEmpty else { throw DataIOError("empty directory path", at: SourceLocation(file: "\"\"")) }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
            var st = stat()
            if stat(prefix, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else {
                    throw DataIOError("cannot create directory: '\(prefix)' exists and is not a directory", at: SourceLocation(file: path),
                                      hint: "choose another output directory")
                }
                continue
            }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw DataIOError("cannot create directory '\(prefix)': \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
            }
        }
    }

    /// Writes `bytes` to `path` atomically: `path.tmp`, fsync, rename, fsync of the directory.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let tmp = path + ".tmp"
        let f = try PosixFile.create(tmp)
        do { try f.write(bytes); try f.syncAndClose() } catch { f.abandon(); throw error }
        try commit(tmp: tmp, to: path)
    }

    /// Renames a finished, fsynced temporary file into place and fsyncs the directory.
    public static func commit(tmp: String, to path: String) throws {
        guard rename(tmp, path) == 0 else {
            throw DataIOError("rename \(tmp) failed: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
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

    /// Reads a whole file.
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DataIOError("cannot open: \(String(cString: strerror(errno)))", at: SourceLocation(file: path)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DataIOError("cannot stat", at: SourceLocation(file: path)) }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        while done < out.count {
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 { if errno == EINTR { continue }; throw DataIOError("read failed", at: SourceLocation(file: path)) }
            if n == 0 { break }
            done += n
        }
        if done < out.count { out.removeSubrange(done...) }
        return out
    }

    /// CRC-32C and size of a file, streamed in 4 MiB pieces.
    public static func checksum(_ path: String) throws -> (crc: UInt32, size: Int) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DataIOError("cannot open: \(String(cString: strerror(errno)))", at: SourceLocation(file: path)) }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 4 << 20)
        var crc: UInt32 = 0, size = 0
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw DataIOError("read failed", at: SourceLocation(file: path)) }
            if n == 0 { break }
            crc = buf.withUnsafeBytes { CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            size += n
        }
        return (crc, size)
    }
}
