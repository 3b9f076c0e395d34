/// A bounds-checked reader for the Thrift compact protocol, enough to decode Parquet metadata.
///
/// Reference: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
/// Every read checks the remaining bytes; nesting depth and container sizes are bounded so a
/// corrupt footer or page header yields a `ThriftError`, never a trap or a huge allocation.
struct ThriftCompactReader {
    /// Compact-protocol type ids (low nibble of a field header).
    enum TType: UInt8 {
        case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6
        case double = 7, binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    struct ThriftError: Error {
        var reason: String
        /// Offset relative to the start of the buffer being decoded.
        var offset: Int
    }

    let base: UnsafeRawBufferPointer
    private(set) var pos: Int
    private var lastFieldId: Int16 = 0
    private var fieldIdStack: [Int16] = []
    /// Value of the boolean carried in the last field header (compact protocol packs it there).
    private var pendingBool: Bool = false

    static let maxDepth = 64

    init(_ buf: UnsafeRawBufferPointer, at start: Int = 0) {
        base = buf
        pos = start
    }

    var remaining: Int { base.count - pos }

    func fail(_ reason: String) -> ThriftError { ThriftError(reason: reason, offset: pos) }

    mutating func readByte() throws -> UInt8 {
        guard pos < base.count else { throw fail("unexpected end of thrift data") }
        let b = base[pos]
        pos += 1
        return b
    }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw fail("varint longer than 10 bytes") }
        }
    }

    mutating func readI64() throws -> Int64 {
        let u = try readVarint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    mutating func readI32() throws -> Int32 {
        let v = try readI64()
        guard let r = Int32(exactly: v) else { throw fail("i32 out of range: \(v)") }
        return r
    }

    mutating func readI16() throws -> Int16 {
        let v = try readI64()
        guard let r = Int16(exactly: v) else { throw fail("i16 out of range: \(v)") }
        return r
    }

    mutating func readDouble() throws -> Double {
        guard remaining >= 8 else { throw fail("unexpected end of thrift data (double)") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(base[pos + i]) << (8 * UInt64(i)) }
        pos += 8
        return Double(bitPattern: bits)
    }

    /// A length-prefixed byte string, as a slice of the underlying buffer.
    mutating func readBinary() throws -> UnsafeRawBufferPointer {
        let n = try readVarint()
        guard n <= UInt64(remaining) else { throw fail("binary length \(n) exceeds the \(remaining) bytes left") }
        let s = UnsafeRawBufferPointer(rebasing: base[pos..<(pos + Int(n))])
        pos += Int(n)
        return s
    }

    mutating func readString() throws -> String {
        let b = try readBinary()
        return String(decoding: b, as: UTF8.self)
    }

    mutating func structBegin() throws {
        guard fieldIdStack.count < Self.maxDepth else { throw fail("thrift nesting deeper than \(Self.maxDepth)") }
        fieldIdStack.append(lastFieldId)
        lastFieldId = 0
    }

    mutating func structEnd() {
        lastFieldId = fieldIdStack.popLast() ?? 0
    }

    /// The next field header of the current struct, or nil at STOP.
    mutating func readFieldHeader() throws -> (id: Int16, type: TType)? {
        let b = try readByte()
        if b == 0 { return nil }
        guard let t = TType(rawValue: b & 0x0F) else { throw fail("unknown thrift field type \(b & 0x0F)") }
        let delta = Int16(b >> 4)
        let id: Int16
        if delta != 0 {
            let (s, o) = lastFieldId.addingReportingOverflow(delta)
            guard !o else { throw fail("thrift field id overflow") }
            id = s
        } else {
            id = try readI16()
        }
        lastFieldId = id
        if t == .boolTrue { pendingBool = true } else if t == .boolFalse { pendingBool = false }
        return (id, t)
    }

    /// A boolean struct field (its value travels in the field header).
    func boolField() -> Bool { pendingBool }

    /// List or set header: element type and count (count bounded by the bytes left).
    mutating func readListHeader() throws -> (type: TType, count: Int) {
        let b = try readByte()
        var n = Int(b >> 4)
        if n == 15 {
            let v = try readVarint()
            guard v <= UInt64(Int32.max) else { throw fail("list size \(v) too large") }
            n = Int(v)
        }
        guard let t = TType(rawValue: b & 0x0F) else { throw fail("unknown thrift list element type \(b & 0x0F)") }
        // Every element takes at least one byte, except in an empty struct... which still has STOP.
        guard n <= remaining else { throw fail("list of \(n) elements exceeds the \(remaining) bytes left") }
        return (t, n)
    }

    /// Reads an i32 field value, checking the wire type.
    mutating func readI32(_ t: TType) throws -> Int32 {
        guard t == .i32 || t == .i16 || t == .byte else { throw fail("expected i32, found \(t)") }
        if t == .byte { return Int32(Int8(bitPattern: try readByte())) }
        return try readI32()
    }

    mutating func readI64(_ t: TType) throws -> Int64 {
        guard t == .i64 || t == .i32 || t == .i16 else { throw fail("expected i64, found \(t)") }
        return try readI64()
    }

    /// Skips a value of type `t` (used for fields this reader does not need).
    mutating func skip(_ t: TType, depth: Int = 0) throws {
        guard depth < Self.maxDepth else { throw fail("thrift nesting deeper than \(Self.maxDepth)") }
        switch t {
        case .stop: throw fail("unexpected STOP")
        case .boolTrue, .boolFalse: return
        case .byte: _ = try readByte()
        case .i16, .i32, .i64: _ = try readVarint()
        case .double: _ = try readDouble()
        case .binary: _ = try readBinary()
        case .list, .set:
            let (et, n) = try readListHeader()
            for _ in 0..<n {
                if et == .boolTrue || et == .boolFalse { _ = try readByte() } else { try skip(et, depth: depth + 1) }
            }
        case .map:
            let n = try readVarint()
            guard n <= UInt64(remaining) else { throw fail("map of \(n) entries exceeds the bytes left") }
            if n == 0 { return }
            let kv = try readByte()
            guard let kt = TType(rawValue: kv >> 4), let vt = TType(rawValue: kv & 0x0F) else {
                throw fail("unknown thrift map types")
            }
            for _ in 0..<Int(n) {
                if kt == .boolTrue || kt == .boolFalse { _ = try readByte() } else { try skip(kt, depth: depth + 1) }
                if vt == .boolTrue || vt == .boolFalse { _ = try readByte() } else { try skip(vt, depth: depth + 1) }
            }
        case .structure:
            try structBegin()
            while let (_, ft) = try readFieldHeader() { try skip(ft, depth: depth + 1) }
            structEnd()
        }
    }

    /// Reads a struct, calling `field` for each field header; `field` must consume the value
    /// (or call `skip`).
    mutating func readStruct(_ field: (inout ThriftCompactReader, Int16, TType) throws -> Void) throws {
        try structBegin()
        while let (id, t) = try readFieldHeader() { try field(&self, id, t) }
        structEnd()
    }

    /// `readStruct` that also enforces the struct's required fields (parquet.thrift `required`):
    /// each id in `required` must appear with a wire type compatible with its declared type
    /// (`.i64` accepts any integer, `.i32` i32/i16/byte), else a `ThriftError` naming `name` and
    /// the field. A flipped byte that renames or retypes a required field is caught here.
    mutating func readStruct(_ name: String, required: [(id: Int16, type: TType)],
                             _ field: (inout ThriftCompactReader, Int16, TType) throws -> Void) throws {
        var seen: UInt64 = 0
        let start = pos
        try readStruct { r, id, t in
            if let want = required.first(where: { $0.id == id })?.type, Self.compatible(t, want), id >= 0, id < 64 {
                seen |= 1 << UInt64(id)
            }
            try field(&r, id, t)
        }
        for f in required where f.id < 0 || f.id >= 64 || seen & (1 << UInt64(f.id)) == 0 {
            throw ThriftError(reason: "\(name) is missing required field \(f.id) (\(f.type))", offset: start)
        }
    }

    static func compatible(_ t: TType, _ want: TType) -> Bool {
        switch want {
        case .i64: return t == .i64 || t == .i32 || t == .i16
        case .i32: return t == .i32 || t == .i16 || t == .byte
        case .boolTrue, .boolFalse: return t == .boolTrue || t == .boolFalse
        default: return t == want
        }
    }

    /// Reads a list whose elements are read by `element`.
    mutating func readList(_ element: (inout ThriftCompactReader, TType) throws -> Void) throws {
        let (et, n) = try readListHeader()
        for _ in 0..<n { try element(&self, et) }
    }
}
