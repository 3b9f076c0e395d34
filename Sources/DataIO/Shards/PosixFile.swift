#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Core
import Records

/// Read-only memory maps for the binary readers (shards, safetensors, GGUF). Writing goes
/// through Core's `AtomicFile`, reading through `PosixIO`.
enum PosixFile {
    /// Maps the whole file at `path` read-only (`PROT_READ`, `MAP_PRIVATE`); the caller
    /// `munmap`s it. `what` names the file in errors; a file shorter than `minimumBytes` throws
    /// `tooShort(size)` before anything is mapped.
    static func mapReadOnly(_ path: String, what: String, minimumBytes: Int,
                            tooShort: (Int) -> DataIOError) throws -> (base: UnsafeMutableRawPointer, size: Int) {
        let loc = SourceLocation(file: path)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DataIOError("cannot open \(what): \(PosixIO.errorText)", at: loc) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DataIOError("cannot stat \(what)", at: loc) }
        let size = Int(st.st_size)
        guard size >= minimumBytes else { throw tooShort(size) }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw DataIOError("mmap failed: \(PosixIO.errorText)", at: loc)
        }
        return (p, size)
    }
}

extension AtomicFile {
    /// CRC-32C and size of a file, streamed in 4 MiB pieces.
    public static func checksum(_ path: String) throws -> (crc: UInt32, size: Int) {
        var crc: UInt32 = 0, size = 0
        try dataIO {
            try PosixIO.forEachChunk(path) { piece in
                crc = CRC32C.update(crc, piece)
                size += piece.count
            }
        }
        return (crc, size)
    }
}
