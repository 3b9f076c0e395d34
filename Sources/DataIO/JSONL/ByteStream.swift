#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib
import CZstd
import Core
import Records

/// A forward-only stream of (decompressed) bytes read in caller-sized chunks.
///
/// `read(into:)` returns the number of bytes written, 0 only at the end of the stream.
/// Compressed streams throw a `DataIOError` located at the decompressed byte offset
/// when the data is corrupt or truncated; bytes produced before that are valid output.
public protocol ByteStream: AnyObject {
    func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int
    /// Compressed bytes consumed so far (equal to the output for plain files).
    var compressedOffset: Int64 { get }
}

/// How a file's bytes are encoded on disk.
public enum StreamCompression: String, Sendable, Codable, Equatable {
    case none, gzip, zstd

    /// Detects gzip (1F 8B) and zstd (28 B5 2F FD) by magic bytes, falling back on the
    /// extension (`.gz`, `.zst`) only when the file is too short to tell.
    public static func detect(path: String) throws -> StreamCompression {
        let f = try RawFile(path: path)
        var magic = [UInt8](repeating: 0, count: 4)
        let n = try magic.withUnsafeMutableBytes { try f.read(into: $0) }
        if n >= 2, magic[0] == 0x1F, magic[1] == 0x8B { return .gzip }
        if n >= 4, magic[0] == 0x28, magic[1] == 0xB5, magic[2] == 0x2F, magic[3] == 0xFD { return .zstd }
        if n < 4 {
            if path.hasSuffix(".gz") { return .gzip }
            if path.hasSuffix(".zst") { return .zstd }
        }
        return .none
    }

    /// Opens `path` as a decompressed byte stream.
    public static func open(path: String) throws -> ByteStream {
        switch try detect(path: path) {
        case .none: return try RawFile(path: path)
        case .gzip: return try GzipFileStream(path: path)
        case .zstd: return try ZstdFileStream(path: path)
        }
    }
}

/// A plain file read with POSIX `read(2)`; no buffering of its own.
public final class RawFile: ByteStream {
    private let fd: Int32
    public let path: String
    public private(set) var compressedOffset: Int64 = 0

    public init(path: String) throws {
        self.path = path
        fd = Glibc.open(path, O_RDONLY)
        guard fd >= 0 else {
            throw DataIOError("cannot open file: \(String(cString: strerror(errno)))", at: SourceLocation(file: path))
        }
    }

    deinit { close(fd) }

    public func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = dst.baseAddress, dst.count > 0 else { return 0 }
        let n = PosixIO.readSome(fd, base, dst.count)
        guard n >= 0 else {
            throw DataIOError("read failed: \(PosixIO.errorText)", at: SourceLocation(file: path, byteOffset: compressedOffset))
        }
        compressedOffset += Int64(n)
        return n
    }
}

/// Shared plumbing of the compressed streams: an input buffer over a `RawFile`, and the
/// rule that an error found after some bytes were produced is raised on the next call,
/// so the caller always receives every good byte before the damage.
public class CompressedFileStream: ByteStream {
    let file: RawFile
    var input: UnsafeMutableRawBufferPointer
    var inStart = 0, inEnd = 0
    var inputEOF = false
    var done = false
    var pending: DataIOError?
    /// Bytes written into the caller's buffer by the current `read`.
    var partial = 0
    /// Decompressed bytes produced so far.
    public private(set) var produced: Int64 = 0
    public var compressedOffset: Int64 { file.compressedOffset - Int64(inEnd - inStart) }

    init(openingFile path: String, inputChunk: Int) throws {
        file = try RawFile(path: path)
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: inputChunk, alignment: 16)
    }

    deinit { input.deallocate() }

    func loc() -> SourceLocation { SourceLocation(file: file.path, byteOffset: produced) }

    func fill() throws {
        if inStart == inEnd && !inputEOF {
            inStart = 0
            inEnd = try file.read(into: input)
            if inEnd == 0 { inputEOF = true }
        }
    }

    func located(_ e: DataIOError) -> DataIOError {
        var e2 = e
        e2.location = loc()
        e2.reason += " (compressed byte \(compressedOffset))"
        return e2
    }

    public func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int {
        if let p = pending { pending = nil; throw p }
        if done || dst.count == 0 { return 0 }
        partial = 0
        do {
            try step(into: dst)
        } catch let e as DataIOError {
            done = true
            let err = located(e)
            if partial > 0 { pending = err; return partial }
            throw err
        }
        return partial
    }

    /// Fills `dst` from `partial` on as far as possible (subclasses).
    func step(into dst: UnsafeMutableRawBufferPointer) throws {}

    func count(_ made: Int) { produced += Int64(made) }
}

/// Streams a gzip file (RFC 1952), joining concatenated members (multi-member gzip, as
/// written by `cat a.gz b.gz` or bgzip). Reference: https://www.rfc-editor.org/rfc/rfc1952.
public final class GzipFileStream: CompressedFileStream {
    private var strm = z_stream()
    private var live = false
    private var memberEnded = false

    public init(path: String, inputChunk: Int = 1 << 17) throws {
        try super.init(openingFile: path, inputChunk: inputChunk)
        // windowBits 15 + 32: accept gzip or zlib headers (https://www.zlib.net/manual.html).
        guard inflateInit2_(&strm, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataIOError("zlib inflateInit failed", at: SourceLocation(file: path))
        }
        live = true
    }

    deinit { if live { inflateEnd(&strm) } }

    /// One inflate call; output written before an error is kept (counted in `partial`).
    private func inflateStep(_ dst: UnsafeMutableRawBufferPointer) throws -> (used: Int, made: Int, end: Bool) {
        strm.next_in = input.baseAddress!.assumingMemoryBound(to: UInt8.self) + inStart
        strm.avail_in = UInt32(inEnd - inStart)
        strm.next_out = dst.baseAddress!.assumingMemoryBound(to: UInt8.self) + partial
        strm.avail_out = UInt32(min(dst.count - partial, Int(UInt32.max)))
        let inBefore = strm.avail_in, outBefore = strm.avail_out
        let rc = inflate(&strm, Z_NO_FLUSH)
        let used = Int(inBefore - strm.avail_in), made = Int(outBefore - strm.avail_out)
        inStart += used
        partial += made
        count(made)
        switch rc {
        case Z_OK, Z_BUF_ERROR: return (used, made, false)
        case Z_STREAM_END: return (used, made, true)
        default:
            let msg = strm.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
            throw DataIOError("corrupt gzip data: \(msg)", at: loc())
        }
    }

    override func step(into dst: UnsafeMutableRawBufferPointer) throws {
        while partial < dst.count {
            try fill()
            if memberEnded {
                // Another member may follow; trailing zero padding is tolerated as gzip(1) does.
                if inStart == inEnd && inputEOF { done = true; break }
                if input[inStart] == 0 {
                    while inStart < inEnd && input[inStart] == 0 { inStart += 1 }
                    continue
                }
                guard input[inStart] == 0x1F else {
                    throw DataIOError("trailing garbage after gzip member", at: loc(),
                                      hint: "the file is damaged or not gzip past this point")
                }
                guard inflateReset(&strm) == Z_OK else { throw DataIOError("zlib inflateReset failed", at: loc()) }
                memberEnded = false
            }
            if inStart == inEnd && inputEOF {
                throw DataIOError("truncated gzip stream", at: loc(), hint: "the file ends inside a gzip member")
            }
            let (used, made, end) = try inflateStep(dst)
            if end { memberEnded = true }
            if used == 0 && made == 0 && !end && inStart < inEnd {
                throw DataIOError("gzip inflater made no progress", at: loc())
            }
        }
    }
}

/// Streams a zstd file (one or more frames). Reference: https://facebook.github.io/zstd/zstd_manual.html
/// (ZSTD_decompressStream returns 0 exactly when a frame is complete).
public final class ZstdFileStream: CompressedFileStream {
    private var ctx: OpaquePointer?
    private var frameOpen = false

    public init(path: String, inputChunk: Int = 1 << 17) throws {
        try super.init(openingFile: path, inputChunk: inputChunk)
        ctx = ZSTD_createDStream()
        guard ctx != nil else { throw DataIOError("cannot create zstd stream", at: SourceLocation(file: path)) }
        nextInput = ZSTD_initDStream(ctx)
    }

    /// The decoder's hint for the next input size. Feeding no more than this makes every call
    /// complete at most one block, so a block's output is flushed before a later block (or the
    /// frame checksum) can fail — nothing decoded before the damage is lost.
    private var nextInput = 0

    deinit { if ctx != nil { ZSTD_freeDStream(ctx) } }

    /// One ZSTD_decompressStream call; output written before an error is kept.
    private func decompressStep(_ dst: UnsafeMutableRawBufferPointer) throws -> (used: Int, made: Int, hint: Int) {
        let feed = min(inEnd - inStart, nextInput > 0 ? nextInput : 18)  // 18 = ZSTD_FRAMEHEADERSIZE_MAX
        var inb = ZSTD_inBuffer(src: input.baseAddress! + inStart, size: feed, pos: 0)
        var outb = ZSTD_outBuffer(dst: dst.baseAddress! + partial, size: dst.count - partial, pos: 0)
        let r = ZSTD_decompressStream(ctx, &outb, &inb)
        inStart += inb.pos
        partial += outb.pos
        count(outb.pos)
        if ZSTD_isError(r) != 0 {
            throw DataIOError("corrupt zstd data: \(String(cString: ZSTD_getErrorName(r)))", at: loc())
        }
        nextInput = r
        return (inb.pos, outb.pos, r)
    }

    override func step(into dst: UnsafeMutableRawBufferPointer) throws {
        while partial < dst.count {
            try fill()
            let room = dst.count - partial
            let (used, made, hint) = try decompressStep(dst)
            if used > 0 || made > 0 { frameOpen = hint != 0 }
            if inStart == inEnd && inputEOF && made < room {
                // Input exhausted and the decoder had room to spare: the stream is over.
                done = true
                if frameOpen {
                    throw DataIOError("truncated zstd stream", at: loc(), hint: "the file ends inside a zstd frame")
                }
                break
            }
            if used == 0 && made == 0 && inStart < inEnd {
                throw DataIOError("zstd decoder made no progress", at: loc())
            }
        }
    }
}
