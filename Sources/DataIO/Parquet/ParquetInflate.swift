#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Records

/// GZIP page decompression. Uses libdeflate (https://github.com/ebiggers/libdeflate) when its
/// shared library is present — loaded at run time with dlopen, so it is an optional speed-up
/// (2–3× zlib's inflate, CRC-32 and size still verified) and not a build dependency — and
/// zlib through `GzipInflater` otherwise. Debian's `libdeflate0` comes with libtiff.
enum ParquetInflate {
    private typealias Alloc = @convention(c) () -> OpaquePointer?
    private typealias Free = @convention(c) (OpaquePointer?) -> Void
    /// libdeflate_gzip_decompress_ex(d, in, in_nbytes, out, out_nbytes_avail, &actual_in, &actual_out)
    private typealias GzipEx = @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int, UnsafeMutableRawPointer?, Int,
                                               UnsafeMutablePointer<Int>?, UnsafeMutablePointer<Int>?) -> Int32

    private struct Lib {
        let alloc: Alloc
        let free: Free
        let gzip: GzipEx
    }

    private static let lib: Lib? = {
        for name in ["libdeflate.so.0", "libdeflate.so", "libdeflate.0.dylib", "libdeflate.dylib"] {
            guard let h = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
            guard let a = dlsym(h, "libdeflate_alloc_decompressor"), let f = dlsym(h, "libdeflate_free_decompressor"),
                  let g = dlsym(h, "libdeflate_gzip_decompress_ex")
            else { continue }
            return Lib(alloc: unsafeBitCast(a, to: Alloc.self), free: unsafeBitCast(f, to: Free.self),
                       gzip: unsafeBitCast(g, to: GzipEx.self))
        }
        return nil
    }()

    /// Whether libdeflate was found.
    static var hasLibdeflate: Bool { lib != nil }

    /// Decompresses a gzip page (one or more members) into exactly `size` bytes.
    static func gunzip(_ src: UnsafeRawBufferPointer, size: Int, at loc: SourceLocation) throws -> [UInt8] {
        if ParquetFile.useLibdeflate, let lib, size > 0, src.count > 0, let d = lib.alloc() {
            defer { lib.free(d) }
            var inPos = 0, outPos = 0
            var status: Int32 = 0
            let out = [UInt8](unsafeUninitializedCapacity: size) { buf, n in
                let dst = UnsafeMutableRawPointer(buf.baseAddress!)
                while inPos < src.count && outPos < size {
                    var used = 0, produced = 0
                    status = lib.gzip(d, src.baseAddress! + inPos, src.count - inPos, dst + outPos, size - outPos, &used, &produced)
                    if status != 0 { break }
                    inPos += used
                    outPos += produced
                    if used == 0 { break }
                }
                n = status == 0 && outPos == size ? size : 0
            }
            // 1 = bad data (incl. CRC / size mismatch), 3 = more output than the header declares.
            guard status == 0 else {
                throw DataIOError(status == 3 ? "gzip page decodes to more than the \(size) bytes its header declares"
                                              : "corrupt gzip page (libdeflate status \(status))", at: loc)
            }
            guard outPos == size else { throw DataIOError("gzip page decodes to \(outPos) bytes, header declares \(size)", at: loc) }
            return out
        }
        return try ParquetColumnReader.gunzip(src, size: size, at: loc)
    }
}
