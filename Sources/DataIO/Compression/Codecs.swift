import CSnappy
import CZlib
import CZstd
import Records

/// One-shot block codecs used by Parquet pages and shard blocks.
///
/// References: zlib https://www.zlib.net/manual.html (inflateInit2, windowBits 15+32
/// auto-detects gzip or zlib headers), zstd https://facebook.github.io/zstd/zstd_manual.html,
/// snappy raw format https://github.com/google/snappy/blob/main/format_description.txt.
public enum Codecs {
    /// Decompresses a Snappy raw block. `expected`, if given, must equal the decoded size.
    public static func snappyDecompress(_ src: UnsafeRawBufferPointer, expected: Int? = nil, at loc: SourceLocation) throws -> [UInt8] {
        var outLen = 0
        let s0 = src.baseAddress?.assumingMemoryBound(to: CChar.self)
        guard snappy_uncompressed_length(s0, src.count, &outLen) == SNAPPY_OK else {
            throw DataIOError("corrupt snappy block (bad length header)", at: loc)
        }
        if let expected, expected != outLen {
            throw DataIOError("snappy block decodes to \(outLen) bytes, expected \(expected)", at: loc)
        }
        // A snappy element emits at most 64 bytes per 3 input bytes (copy with 2-byte offset), so
        // a length header beyond ~22× the input is a lie; refuse it before allocating.
        guard outLen <= 1 << 31, outLen <= 32 + src.count * 22 else {
            throw DataIOError("snappy block claims \(outLen) bytes from \(src.count) compressed bytes", at: loc)
        }
        var out = [UInt8](repeating: 0, count: outLen)
        var got = outLen
        let st = out.withUnsafeMutableBytes { o in
            snappy_uncompress(s0, src.count, o.baseAddress?.assumingMemoryBound(to: CChar.self), &got)
        }
        guard st == SNAPPY_OK, got == outLen else { throw DataIOError("corrupt snappy block", at: loc) }
        return out
    }

    /// Decompresses a complete gzip (or zlib) stream; concatenated gzip members are joined.
    public static func gzipDecompress(_ src: UnsafeRawBufferPointer, expected: Int? = nil, at loc: SourceLocation) throws -> [UInt8] {
        var out = [UInt8]()
        // Deflate cannot exceed 1032:1, so a claimed size beyond that is never reserved up front.
        out.reserveCapacity(min(expected ?? src.count * 4, src.count &* 1032 + 64))
        var stream = GzipInflater()
        try stream.start(at: loc)
        defer { stream.end() }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var consumed = 0
        var finished = false
        while !finished {
            let (used, produced, end) = try chunk.withUnsafeMutableBytes { dst in
                try stream.inflate(UnsafeRawBufferPointer(rebasing: src[consumed...]), into: dst, at: loc)
            }
            consumed += used
            out.append(contentsOf: chunk[0..<produced])
            if let expected, out.count > expected {
                throw DataIOError("gzip block decodes to more than the expected \(expected) bytes", at: loc)
            }
            if end {
                // Another member may follow (multi-member gzip).
                if consumed < src.count { try stream.reset(at: loc) } else { finished = true }
            } else if used == 0 && produced == 0 {
                throw DataIOError("truncated gzip data", at: loc)
            }
        }
        if let expected, out.count != expected {
            throw DataIOError("gzip block decodes to \(out.count) bytes, expected \(expected)", at: loc)
        }
        return out
    }

    /// Decompresses one or more zstd frames. `expected`, if given, must equal the decoded size.
    /// With `expected`, the output is allocated up front only when the first frame header
    /// records exactly that content size; a frame recording more is an error before any
    /// allocation, and a frame without a recorded size is decoded incrementally and stopped at
    /// `expected` bytes — so a block that merely claims a huge size costs nothing.
    public static func zstdDecompress(_ src: UnsafeRawBufferPointer, expected: Int? = nil, at loc: SourceLocation) throws -> [UInt8] {
        if let expected {
            guard expected >= 0 else { throw DataIOError("zstd block claims a negative size \(expected)", at: loc) }
            if expected == 0 && src.count == 0 { return [] }
            // ZSTD_CONTENTSIZE_UNKNOWN is (0ULL - 1), ZSTD_CONTENTSIZE_ERROR (0ULL - 2) in zstd.h.
            let unknown = UInt64.max, error = UInt64.max - 1
            let declared = ZSTD_getFrameContentSize(src.baseAddress, src.count)
            if declared == error {
                throw DataIOError("corrupt zstd block: bad frame header", at: loc)
            }
            if declared != unknown && declared > UInt64(expected) {
                throw DataIOError("zstd frame holds \(declared) bytes, expected \(expected)", at: loc)
            }
            if declared != UInt64(expected) {
                // Unknown or smaller first frame (more frames may follow): decode incrementally, capped.
                let out = try zstdStream(src, limit: expected, at: loc)
                guard out.count == expected else {
                    throw DataIOError("zstd block decodes to \(out.count) bytes, expected \(expected)", at: loc)
                }
                return out
            }
            var out = [UInt8](repeating: 0, count: expected)
            let r = out.withUnsafeMutableBytes { o in
                ZSTD_decompress(o.baseAddress, expected, src.baseAddress, src.count)
            }
            if ZSTD_isError(r) != 0 {
                throw DataIOError("corrupt zstd block: \(String(cString: ZSTD_getErrorName(r)))", at: loc)
            }
            guard r == expected else { throw DataIOError("zstd block decodes to \(r) bytes, expected \(expected)", at: loc) }
            return out
        }
        return try zstdStream(src, limit: nil, at: loc)
    }

    /// Streaming zstd decode of every frame in `src`; more than `limit` bytes is an error.
    static func zstdStream(_ src: UnsafeRawBufferPointer, limit: Int?, at loc: SourceLocation) throws -> [UInt8] {
        var reader = ZstdInflater()
        try reader.start(at: loc)
        defer { reader.end() }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var consumed = 0
        while true {
            let (used, produced, hint) = try chunk.withUnsafeMutableBytes { dst in
                try reader.decompress(UnsafeRawBufferPointer(rebasing: src[consumed...]), into: dst, at: loc)
            }
            consumed += used
            out.append(contentsOf: chunk[0..<produced])
            if let limit, out.count > limit {
                throw DataIOError("zstd block decodes to more than the expected \(limit) bytes", at: loc)
            }
            if consumed >= src.count && produced < chunk.count {
                if hint != 0 { throw DataIOError("truncated zstd data", at: loc) }
                return out
            }
            if used == 0 && produced == 0 { throw DataIOError("truncated zstd data", at: loc) }
        }
    }

    /// Compresses `src` into one zstd frame (with the content size recorded).
    public static func zstdCompress(_ src: UnsafeRawBufferPointer, level: Int32 = 3) -> [UInt8] {
        let bound = ZSTD_compressBound(src.count)
        var out = [UInt8](repeating: 0, count: bound)
        let r = out.withUnsafeMutableBytes { o in
            ZSTD_compress(o.baseAddress, bound, src.baseAddress, src.count, level)
        }
        precondition(ZSTD_isError(r) == 0, "ZSTD_compress failed: \(String(cString: ZSTD_getErrorName(r)))")
        out.removeSubrange(r...)
        return out
    }

    /// Compresses `src` as a gzip member (used by tests and fixtures).
    public static func gzipCompress(_ src: UnsafeRawBufferPointer, level: Int32 = 6) -> [UInt8] {
        var strm = z_stream()
        var rc = deflateInit2_(&strm, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(rc == Z_OK, "deflateInit2 failed")
        defer { deflateEnd(&strm) }
        let bound = Int(deflateBound(&strm, UInt(src.count))) + 32
        var out = [UInt8](repeating: 0, count: bound)
        out.withUnsafeMutableBytes { o in
            strm.next_in = UnsafeMutablePointer(mutating: src.baseAddress?.assumingMemoryBound(to: UInt8.self))
            strm.avail_in = UInt32(src.count)
            strm.next_out = o.baseAddress?.assumingMemoryBound(to: UInt8.self)
            strm.avail_out = UInt32(bound)
            rc = deflate(&strm, Z_FINISH)
        }
        precondition(rc == Z_STREAM_END, "deflate did not finish")
        out.removeSubrange(Int(strm.total_out)...)
        return out
    }
}

/// Incremental gzip / zlib inflater (RFC 1950 / 1952 via zlib).
public struct GzipInflater {
    private var strm = z_stream()
    private var live = false

    public init() {}

    public mutating func start(at loc: SourceLocation) throws {
        let rc = inflateInit2_(&strm, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw DataIOError("zlib inflateInit failed (\(rc))", at: loc) }
        live = true
    }

    public mutating func reset(at loc: SourceLocation) throws {
        guard inflateReset(&strm) == Z_OK else { throw DataIOError("zlib inflateReset failed", at: loc) }
    }

    /// Inflates from `src` into `dst`; returns (bytes consumed, bytes produced, end of member).
    public mutating func inflate(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, at loc: SourceLocation) throws -> (Int, Int, Bool) {
        strm.next_in = UnsafeMutablePointer(mutating: src.baseAddress?.assumingMemoryBound(to: UInt8.self))
        strm.avail_in = UInt32(min(src.count, Int(UInt32.max)))
        strm.next_out = dst.baseAddress?.assumingMemoryBound(to: UInt8.self)
        strm.avail_out = UInt32(dst.count)
        let before = strm.avail_in
        let rc = CZlib.inflate(&strm, Z_NO_FLUSH)
        let used = Int(before - strm.avail_in)
        let produced = dst.count - Int(strm.avail_out)
        switch rc {
        case Z_OK: return (used, produced, false)
        case Z_STREAM_END: return (used, produced, true)
        case Z_BUF_ERROR: return (used, produced, false)
        default:
            let msg = strm.msg.map { String(cString: $0) } ?? "error \(rc)"
            throw DataIOError("corrupt gzip data: \(msg)", at: loc)
        }
    }

    public mutating func end() {
        if live { inflateEnd(&strm); live = false }
    }
}

/// Incremental zstd decompressor (ZSTD_decompressStream).
public struct ZstdInflater {
    private var ctx: OpaquePointer?

    public init() {}

    public mutating func start(at loc: SourceLocation) throws {
        ctx = ZSTD_createDStream()
        guard ctx != nil else { throw DataIOError("cannot create zstd stream", at: loc) }
        ZSTD_initDStream(ctx)
    }

    /// Returns (bytes consumed, bytes produced, hint) — hint 0 means a frame just ended.
    public mutating func decompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, at loc: SourceLocation) throws -> (Int, Int, Int) {
        var inb = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
        var outb = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
        let r = ZSTD_decompressStream(ctx, &outb, &inb)
        if ZSTD_isError(r) != 0 {
            throw DataIOError("corrupt zstd data: \(String(cString: ZSTD_getErrorName(r)))", at: loc)
        }
        return (inb.pos, outb.pos, r)
    }

    public mutating func end() {
        if ctx != nil { ZSTD_freeDStream(ctx); ctx = nil }
    }
}
