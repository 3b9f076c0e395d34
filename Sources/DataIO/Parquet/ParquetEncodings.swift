/// Low-level Parquet value encodings over raw byte buffers, all bounds-checked up front so
/// the inner loops can run unchecked.
///
/// Reference: https://github.com/apache/parquet-format/blob/master/Encodings.md
/// (RLE / bit-packing hybrid, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY,
/// BYTE_STREAM_SPLIT, PLAIN).

/// A decoding failure: reason plus byte offset relative to the decoded buffer.
struct EncodingError: Error {
    var reason: String
    var offset: Int
}

enum ParquetEncodings {
    /// Number of bits needed to store values in 0...maxValue.
    static func bitWidth(_ maxValue: Int) -> Int {
        maxValue <= 0 ? 0 : (Int.bitWidth - maxValue.leadingZeroBitCount)
    }

    /// Unpacks `count` values of `width` bits (LSB-first) from `src`. The caller checked that
    /// `src` holds at least ceil(count * width / 8) bytes. width in 0...64.
    @inline(__always)
    static func unpack(_ src: UnsafePointer<UInt8>, width: Int, count: Int, _ sink: (Int, UInt64) -> Void) {
        if width == 0 {
            for i in 0..<count { sink(i, 0) }
            return
        }
        var acc: UInt64 = 0
        var nbits = 0
        var p = src
        if width <= 56 {
            let mask: UInt64 = (1 << UInt64(width)) - 1
            for i in 0..<count {
                while nbits < width {
                    acc |= UInt64(p.pointee) << UInt64(nbits)
                    p += 1
                    nbits += 8
                }
                sink(i, acc & mask)
                acc >>= UInt64(width)
                nbits -= width
            }
        } else {
            // Wide values: read bit by byte without a 64-bit accumulator overflow.
            var bit = 0
            for i in 0..<count {
                var v: UInt64 = 0
                var got = 0
                while got < width {
                    let byte = UInt64(src[bit >> 3]) >> UInt64(bit & 7)
                    let take = min(8 - (bit & 7), width - got)
                    v |= (byte & ((1 << UInt64(take)) - 1)) << UInt64(got)
                    got += take
                    bit += take
                }
                sink(i, v)
            }
        }
    }

    /// Decodes `count` values of the RLE / bit-packed hybrid encoding (no length prefix) from
    /// `buf` into `out`. Returns the number of bytes consumed.
    @discardableResult
    static func decodeHybrid<T: FixedWidthInteger>(
        _ buf: UnsafeRawBufferPointer, bitWidth: Int, count: Int, into out: UnsafeMutablePointer<T>
    ) throws -> Int {
        guard bitWidth >= 0 && bitWidth <= 32 else { throw EncodingError(reason: "RLE bit width \(bitWidth) out of range", offset: 0) }
        guard count > 0 else { return 0 }
        guard let base = buf.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw EncodingError(reason: "RLE data missing (\(count) values expected)", offset: 0)
        }
        let n = buf.count
        var pos = 0
        var done = 0
        let byteWidth = (bitWidth + 7) / 8
        let maxValue = T.max
        while done < count {
            // Header varint.
            var header: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard pos < n else { throw EncodingError(reason: "RLE data ends after \(done) of \(count) values", offset: pos) }
                let b = base[pos]
                pos += 1
                header |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
                guard shift <= 56 else { throw EncodingError(reason: "RLE run header varint too long", offset: pos) }
            }
            if header & 1 == 0 {
                let runLen = Int(clamping: header >> 1)
                guard runLen > 0 else { throw EncodingError(reason: "RLE run of length 0", offset: pos) }
                guard pos + byteWidth <= n else { throw EncodingError(reason: "RLE run value truncated", offset: pos) }
                var v: UInt64 = 0
                for k in 0..<byteWidth { v |= UInt64(base[pos + k]) << UInt64(8 * k) }
                pos += byteWidth
                guard v <= UInt64(maxValue) else { throw EncodingError(reason: "RLE value \(v) too large", offset: pos) }
                let take = min(runLen, count - done)
                let tv = T(truncatingIfNeeded: v)
                (out + done).initialize(repeating: tv, count: take)
                done += take
            } else {
                let groups = Int(clamping: header >> 1)
                guard groups > 0 else { throw EncodingError(reason: "bit-packed run of 0 groups", offset: pos) }
                let runValues = groups > Int.max / 8 ? Int.max : groups * 8
                let take = min(runValues, count - done)
                let (rb, overflow) = groups.multipliedReportingOverflow(by: bitWidth)
                let runBytes = overflow ? Int.max : rb
                let needBytes = (take * bitWidth + 7) / 8
                guard needBytes <= n - pos else {
                    throw EncodingError(reason: "bit-packed run truncated (needs \(needBytes) bytes, \(n - pos) left)", offset: pos)
                }
                let dst = out + done
                unpack(base + pos, width: bitWidth, count: take) { i, v in dst[i] = T(truncatingIfNeeded: v) }
                done += take
                pos += min(runBytes, n - pos)
            }
        }
        return pos
    }

    /// A DELTA_BINARY_PACKED stream: decodes up to `limit` values; returns the values and the
    /// byte offset just past the stream (only exact when all of its values were decoded).
    static func decodeDeltaBinaryPacked(_ buf: UnsafeRawBufferPointer, limit: Int, requireAll: Bool) throws -> (values: [Int64], end: Int) {
        var r = ByteCursor(buf)
        let blockSize = try r.uvarint()
        let miniblocks = try r.uvarint()
        let total = try r.uvarint()
        var last = try r.zigzag()
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 16, miniblocks > 0, blockSize % miniblocks == 0,
              (blockSize / miniblocks) % 32 == 0
        else { throw EncodingError(reason: "bad DELTA_BINARY_PACKED header (block \(blockSize), miniblocks \(miniblocks))", offset: 0) }
        guard total <= UInt64(limit) || !requireAll else {
            throw EncodingError(reason: "DELTA_BINARY_PACKED claims \(total) values, at most \(limit) expected", offset: 0)
        }
        let want = min(Int(clamping: total), limit)
        var out = [Int64]()
        out.reserveCapacity(want)
        if want == 0 { return (out, r.pos) }
        out.append(last)
        let perMini = Int(blockSize / miniblocks)
        let nMini = Int(miniblocks)
        var widths = [Int](repeating: 0, count: nMini)
        while out.count < want {
            let minDelta = try r.zigzag()
            for k in 0..<nMini {
                let w = Int(try r.byte())
                guard w <= 64 else { throw EncodingError(reason: "miniblock bit width \(w) > 64", offset: r.pos) }
                widths[k] = w
            }
            for k in 0..<nMini where out.count < want {
                let w = widths[k]
                let bytes = perMini * w / 8
                guard bytes <= r.left else { throw EncodingError(reason: "DELTA_BINARY_PACKED miniblock truncated", offset: r.pos) }
                let take = min(perMini, want - out.count)
                let p = r.pointer
                unpack(p, width: w, count: take) { _, d in
                    last = last &+ minDelta &+ Int64(bitPattern: d)
                    out.append(last)
                }
                r.pos += bytes
            }
        }
        return (out, r.pos)
    }

    /// PLAIN-style byte-array lengths for DELTA_LENGTH_BYTE_ARRAY: lengths then concatenated data.
    /// Calls `sink(pointer, length)` for each value; returns the end offset.
    @discardableResult
    static func decodeDeltaLengthByteArray(
        _ buf: UnsafeRawBufferPointer, count: Int, _ sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        let (lengths, start) = try decodeDeltaBinaryPacked(buf, limit: count, requireAll: true)
        guard lengths.count == count else {
            throw EncodingError(reason: "DELTA_LENGTH_BYTE_ARRAY has \(lengths.count) lengths, expected \(count)", offset: 0)
        }
        var pos = start
        for len in lengths {
            guard len >= 0, len <= Int64(buf.count - pos) else {
                throw EncodingError(reason: "byte array length \(len) exceeds the \(buf.count - pos) bytes left", offset: pos)
            }
            try sink(UnsafeRawBufferPointer(rebasing: buf[pos..<(pos + Int(len))]))
            pos += Int(len)
        }
        return pos
    }

    /// DELTA_BYTE_ARRAY (incremental / front coding): prefix lengths, then suffixes as
    /// DELTA_LENGTH_BYTE_ARRAY; each value is the previous value's prefix plus its suffix.
    static func decodeDeltaByteArray(
        _ buf: UnsafeRawBufferPointer, count: Int, _ sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let (prefixes, start) = try decodeDeltaBinaryPacked(buf, limit: count, requireAll: true)
        guard prefixes.count == count else {
            throw EncodingError(reason: "DELTA_BYTE_ARRAY has \(prefixes.count) prefix lengths, expected \(count)", offset: 0)
        }
        var prev = [UInt8]()
        var cur = [UInt8]()
        var i = 0
        let rest = UnsafeRawBufferPointer(rebasing: buf[start...])
        try decodeDeltaLengthByteArray(rest, count: count) { suffix in
            let pre = prefixes[i]
            guard pre >= 0, pre <= Int64(prev.count) else {
                throw EncodingError(reason: "prefix length \(pre) exceeds previous value length \(prev.count)", offset: start)
            }
            cur.removeAll(keepingCapacity: true)
            cur.append(contentsOf: prev[0..<Int(pre)])
            cur.append(contentsOf: suffix)
            try cur.withUnsafeBytes { try sink($0) }
            swap(&prev, &cur)
            i += 1
        }
    }
}

/// A forward cursor over a byte buffer with checked reads.
struct ByteCursor {
    let buf: UnsafeRawBufferPointer
    var pos = 0

    init(_ buf: UnsafeRawBufferPointer) { self.buf = buf }

    var left: Int { buf.count - pos }
    var pointer: UnsafePointer<UInt8> {
        (buf.baseAddress! + pos).assumingMemoryBound(to: UInt8.self)
    }

    mutating func byte() throws -> UInt8 {
        guard pos < buf.count else { throw EncodingError(reason: "unexpected end of data", offset: pos) }
        defer { pos += 1 }
        return buf[pos]
    }

    mutating func uvarint() throws -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            v |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return v }
            shift += 7
            guard shift <= 63 else { throw EncodingError(reason: "varint too long", offset: pos) }
        }
    }

    mutating func zigzag() throws -> Int64 {
        let u = try uvarint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }
}
