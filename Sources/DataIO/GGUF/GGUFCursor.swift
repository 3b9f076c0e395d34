import Records

/// A bounds-checked little-endian reader over the header of a mapped GGUF file. Every read
/// checks the remaining bytes first; every count is checked against what the rest of the
/// file could hold before anything is allocated; every u64 is converted to Int with a check.
/// Errors are `DataIOError`s located at the byte offset and the key being read.
struct GGUFCursor {
    let base: UnsafeRawPointer
    let size: Int
    let path: String
    var pos = 0
    /// The key / tensor being decoded, for error locations.
    var field: String?

    /// Nesting limit for ARRAY of ARRAY (the format has none; this keeps recursion bounded).
    static let maxDepth = 16

    init(base: UnsafeRawPointer, size: Int, path: String) {
        self.base = base
        self.size = size
        self.path = path
    }

    var remaining: Int { size - pos }

    func error(_ reason: String, at offset: Int? = nil, hint: String? = nil) -> DataIOError {
        DataIOError(reason, at: SourceLocation(file: path, byteOffset: Int64(offset ?? pos), field: field), hint: hint)
    }

    mutating func need(_ n: Int, _ what: String) throws {
        guard n >= 0, n <= remaining else {
            throw error("truncated: \(what) needs \(n) bytes, \(remaining) left in the file",
                        hint: "the file is cut short or a length field is corrupt")
        }
    }

    mutating func load<T: FixedWidthInteger>(_ t: T.Type, _ what: String) throws -> T {
        try need(MemoryLayout<T>.size, what)
        let v = T(littleEndian: base.loadUnaligned(fromByteOffset: pos, as: T.self))
        pos += MemoryLayout<T>.size
        return v
    }

    mutating func u32(_ what: String) throws -> UInt32 { try load(UInt32.self, what) }
    mutating func u64(_ what: String) throws -> UInt64 { try load(UInt64.self, what) }

    /// A u64 count or size as Int, at most `limit`.
    mutating func count(_ what: String, limit: Int) throws -> Int {
        let at = pos
        let v = try u64(what)
        guard let n = Int(exactly: v), n <= limit else {
            throw error("\(what) \(v) is larger than the rest of the file allows (\(limit))", at: at,
                        hint: "corrupt or hostile header")
        }
        return n
    }

    /// A GGUF string: u64 byte length, UTF-8 bytes (not NUL-terminated; may contain NUL).
    mutating func string(_ what: String) throws -> String {
        let at = pos
        let n = try count("\(what) length", limit: remaining - 8)
        try need(n, what)
        let bytes = UnsafeRawBufferPointer(start: base + pos, count: n)
        guard let s = String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self) else {
            throw error("\(what) is not valid UTF-8", at: at)
        }
        pos += n
        return s
    }

    mutating func valueType(_ what: String) throws -> GGUFValueType {
        let at = pos
        let t = try u32(what)
        guard let vt = GGUFValueType(rawValue: t) else {
            throw error("unknown metadata value type \(t)", at: at, hint: "valid types are 0 ... 12")
        }
        return vt
    }

    /// One value of type `t`.
    mutating func value(_ t: GGUFValueType, depth: Int = 0) throws -> GGUFValue {
        switch t {
        case .uint8: return .uint8(try load(UInt8.self, "UINT8"))
        case .int8: return .int8(try load(Int8.self, "INT8"))
        case .uint16: return .uint16(try load(UInt16.self, "UINT16"))
        case .int16: return .int16(try load(Int16.self, "INT16"))
        case .uint32: return .uint32(try load(UInt32.self, "UINT32"))
        case .int32: return .int32(try load(Int32.self, "INT32"))
        case .uint64: return .uint64(try load(UInt64.self, "UINT64"))
        case .int64: return .int64(try load(Int64.self, "INT64"))
        case .float32: return .float32(Float(bitPattern: try load(UInt32.self, "FLOAT32")))
        case .float64: return .float64(Double(bitPattern: try load(UInt64.self, "FLOAT64")))
        case .bool:
            let at = pos
            let b = try load(UInt8.self, "BOOL")
            guard b <= 1 else { throw error("BOOL value \(b) is neither 0 nor 1", at: at) }
            return .bool(b == 1)
        case .string: return .string(try string("STRING"))
        case .array:
            guard depth < Self.maxDepth else {
                throw error("arrays nested deeper than \(Self.maxDepth) levels", hint: "corrupt or hostile header")
            }
            let et = try valueType("array element type")
            let n = try count("array length", limit: max(0, remaining - 8) / et.minimumEncodedSize)
            var out: [GGUFValue] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try value(et, depth: depth + 1)) }
            return .array(et, out)
        }
    }
}
