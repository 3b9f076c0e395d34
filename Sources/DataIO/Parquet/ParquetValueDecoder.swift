import Records

/// Decodes the values section of a data or dictionary page into JSON values.
///
/// Reference: https://github.com/apache/parquet-format/blob/master/Encodings.md
/// Sizes are checked against the buffer before any loop runs; loops read unaligned
/// little-endian words straight from the page buffer.
struct ParquetValueDecoder {
    let physical: ParquetPhysicalType
    let typeLength: Int
    let converter: ParquetValueConverter

    /// Reserves room for `n` more values with geometric growth (an exact reserve per page
    /// would reallocate the whole column for every page).
    @inline(__always)
    static func grow(_ out: inout [JSONValue], by n: Int) {
        let want = out.count + n
        if want > out.capacity { out.reserveCapacity(max(want, out.capacity * 2)) }
    }

    private func need(_ bytes: Int, _ buf: UnsafeRawBufferPointer, _ what: String) throws {
        guard bytes <= buf.count else {
            throw EncodingError(reason: "\(what) needs \(bytes) bytes, page has \(buf.count)", offset: buf.count)
        }
    }

    /// PLAIN: fixed-width little-endian values, bit-packed booleans, or length-prefixed byte arrays.
    /// Returns the number of bytes consumed.
    @discardableResult
    func decodePlain(_ buf: UnsafeRawBufferPointer, count: Int, into out: inout [JSONValue]) throws -> Int {
        Self.grow(&out, by: count)
        let c = converter
        switch physical {
        case .boolean:
            let bytes = (count + 7) / 8
            try need(bytes, buf, "\(count) PLAIN booleans")
            for i in 0..<count { out.append(.bool(buf[i >> 3] >> UInt8(i & 7) & 1 == 1)) }
            return bytes
        case .int32:
            try need(count * 4, buf, "\(count) INT32 values")
            for i in 0..<count { out.append(c.int32(Int32(littleEndian: buf.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))) }
            return count * 4
        case .int64:
            try need(count * 8, buf, "\(count) INT64 values")
            for i in 0..<count { out.append(c.int64(Int64(littleEndian: buf.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)))) }
            return count * 8
        case .float:
            try need(count * 4, buf, "\(count) FLOAT values")
            for i in 0..<count {
                let bits = UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
                out.append(.double(Double(Float(bitPattern: bits))))
            }
            return count * 4
        case .double:
            try need(count * 8, buf, "\(count) DOUBLE values")
            for i in 0..<count {
                let bits = UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                out.append(.double(Double(bitPattern: bits)))
            }
            return count * 8
        case .fixedLenByteArray:
            let w = typeLength
            try need(count * w, buf, "\(count) FIXED_LEN_BYTE_ARRAY(\(w)) values")
            for i in 0..<count { out.append(c.bytes(UnsafeRawBufferPointer(rebasing: buf[(i * w)..<(i * w + w)]))) }
            return count * w
        case .byteArray:
            var pos = 0
            let n = buf.count
            for _ in 0..<count {
                guard n - pos >= 4 else { throw EncodingError(reason: "byte array length prefix truncated", offset: pos) }
                let len = Int(UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: pos, as: UInt32.self)))
                pos += 4
                guard len <= n - pos else {
                    throw EncodingError(reason: "byte array of \(len) bytes exceeds the \(n - pos) bytes left", offset: pos - 4)
                }
                out.append(c.bytes(UnsafeRawBufferPointer(rebasing: buf[pos..<(pos + len)])))
                pos += len
            }
            return pos
        case .int96:
            throw EncodingError(reason: "INT96 is not supported", offset: 0)
        }
    }

    /// Decodes `count` non-null values in `encoding` and appends them to `out`.
    func decode(_ encoding: Int32, _ buf: UnsafeRawBufferPointer, count: Int, dictionary: [JSONValue]?,
                into out: inout [JSONValue]) throws {
        guard count > 0 else { return }
        guard let enc = ParquetEncoding(rawValue: encoding) else {
            throw EncodingError(reason: "unknown encoding \(encoding)", offset: 0)
        }
        switch enc {
        case .plain:
            try decodePlain(buf, count: count, into: &out)
        case .plainDictionary, .rleDictionary:
            guard let dict = dictionary else { throw EncodingError(reason: "dictionary-encoded page without a dictionary page", offset: 0) }
            guard buf.count >= 1 else { throw EncodingError(reason: "dictionary index bit width missing", offset: 0) }
            let width = Int(buf[0])
            var idx = [UInt32](repeating: 0, count: count)
            _ = try idx.withUnsafeMutableBufferPointer { p in
                try ParquetEncodings.decodeHybrid(UnsafeRawBufferPointer(rebasing: buf[1...]), bitWidth: width, count: count, into: p.baseAddress!)
            }
            Self.grow(&out, by: count)
            let n = UInt32(dict.count)
            for (k, i) in idx.enumerated() {
                guard i < n else { throw EncodingError(reason: "dictionary index \(i) out of range (dictionary has \(n) values) at value \(k)", offset: 1) }
                out.append(dict[Int(i)])
            }
        case .rle:
            guard physical == .boolean else { throw EncodingError(reason: "RLE encoding for \(physical.name) values", offset: 0) }
            guard buf.count >= 4 else { throw EncodingError(reason: "RLE boolean length prefix truncated", offset: 0) }
            let len = Int(UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
            guard len <= buf.count - 4 else { throw EncodingError(reason: "RLE boolean run of \(len) bytes exceeds the page", offset: 0) }
            var bits = [UInt8](repeating: 0, count: count)
            _ = try bits.withUnsafeMutableBufferPointer { p in
                try ParquetEncodings.decodeHybrid(UnsafeRawBufferPointer(rebasing: buf[4..<(4 + len)]), bitWidth: 1, count: count, into: p.baseAddress!)
            }
            Self.grow(&out, by: count)
            for b in bits { out.append(.bool(b != 0)) }
        case .deltaBinaryPacked:
            guard physical == .int32 || physical == .int64 else {
                throw EncodingError(reason: "DELTA_BINARY_PACKED for \(physical.name) values", offset: 0)
            }
            let (vals, _) = try ParquetEncodings.decodeDeltaBinaryPacked(buf, limit: count, requireAll: false)
            guard vals.count == count else { throw EncodingError(reason: "DELTA_BINARY_PACKED has \(vals.count) values, expected \(count)", offset: 0) }
            Self.grow(&out, by: count)
            let c = converter
            if physical == .int32 {
                for v in vals { out.append(c.int32(Int32(truncatingIfNeeded: v))) }
            } else {
                for v in vals { out.append(c.int64(v)) }
            }
        case .deltaLengthByteArray:
            guard physical == .byteArray else { throw EncodingError(reason: "DELTA_LENGTH_BYTE_ARRAY for \(physical.name) values", offset: 0) }
            Self.grow(&out, by: count)
            let c = converter
            try ParquetEncodings.decodeDeltaLengthByteArray(buf, count: count) { out.append(c.bytes($0)) }
        case .deltaByteArray:
            guard physical == .byteArray || physical == .fixedLenByteArray else {
                throw EncodingError(reason: "DELTA_BYTE_ARRAY for \(physical.name) values", offset: 0)
            }
            Self.grow(&out, by: count)
            let c = converter
            let w = physical == .fixedLenByteArray ? typeLength : -1
            try ParquetEncodings.decodeDeltaByteArray(buf, count: count) { v in
                guard w < 0 || v.count == w else { throw EncodingError(reason: "DELTA_BYTE_ARRAY value of \(v.count) bytes in a FIXED_LEN_BYTE_ARRAY(\(w)) column", offset: 0) }
                out.append(c.bytes(v))
            }
        case .byteStreamSplit:
            try decodeByteStreamSplit(buf, count: count, into: &out)
        default:
            throw EncodingError(reason: "unsupported encoding \(enc)", offset: 0)
        }
    }

    /// BYTE_STREAM_SPLIT: byte k of value i is at k * N + i, N the number of values in the page.
    func decodeByteStreamSplit(_ buf: UnsafeRawBufferPointer, count: Int, into out: inout [JSONValue]) throws {
        let w: Int
        switch physical {
        case .float, .int32: w = 4
        case .double, .int64: w = 8
        case .fixedLenByteArray: w = typeLength
        default: throw EncodingError(reason: "BYTE_STREAM_SPLIT for \(physical.name) values", offset: 0)
        }
        guard w > 0, buf.count % w == 0, buf.count / w >= count else {
            throw EncodingError(reason: "BYTE_STREAM_SPLIT data of \(buf.count) bytes does not hold \(count) values of \(w) bytes", offset: 0)
        }
        let n = buf.count / w
        var tmp = [UInt8](repeating: 0, count: count * w)
        for i in 0..<count { for k in 0..<w { tmp[i * w + k] = buf[k * n + i] } }
        _ = try tmp.withUnsafeBytes { try decodePlain($0, count: count, into: &out) }
    }
}
