/// The value types of GGUF key/value metadata (`gguf_type` in ggml's gguf.h; ids are the
/// on-disk `uint32` tags).
/// Reference: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md ("Metadata").
public enum GGUFValueType: UInt32, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// The upper-case name gguf-py uses (`UINT8`, `STRING`, `ARRAY`, …).
    public var description: String {
        switch self {
        case .uint8: return "UINT8"
        case .int8: return "INT8"
        case .uint16: return "UINT16"
        case .int16: return "INT16"
        case .uint32: return "UINT32"
        case .int32: return "INT32"
        case .float32: return "FLOAT32"
        case .bool: return "BOOL"
        case .string: return "STRING"
        case .array: return "ARRAY"
        case .uint64: return "UINT64"
        case .int64: return "INT64"
        case .float64: return "FLOAT64"
        }
    }

    /// Smallest encoded size of one value of this type (bounds array counts before allocating).
    var minimumEncodedSize: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        case .string: return 8   // u64 length
        case .array: return 12   // u32 element type + u64 count
        }
    }
}

/// One decoded GGUF metadata value. Arrays keep their element type, so an empty array still
/// says what it holds, and nested arrays (`ARRAY` of `ARRAY`) decode as nested values.
public indirect enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    case array(GGUFValueType, [GGUFValue])

    /// The on-disk type tag of this value.
    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .uint64: return .uint64
        case .int64: return .int64
        case .float32: return .float32
        case .float64: return .float64
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        }
    }

    /// Any integer type as Int64 (nil for UInt64 values above Int64.max and for non-integers).
    public var int64Value: Int64? {
        switch self {
        case .uint8(let v): return Int64(v)
        case .int8(let v): return Int64(v)
        case .uint16(let v): return Int64(v)
        case .int16(let v): return Int64(v)
        case .uint32(let v): return Int64(v)
        case .int32(let v): return Int64(v)
        case .uint64(let v): return Int64(exactly: v)
        case .int64(let v): return v
        default: return nil
        }
    }

    /// Any integer type as Int, when it fits.
    public var intValue: Int? { int64Value.flatMap { Int(exactly: $0) } }

    /// FLOAT32 / FLOAT64 (FLOAT32 widened exactly) or an integer as Double.
    public var doubleValue: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        default: return int64Value.map(Double.init)
        }
    }

    /// The text of a STRING value.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value of a BOOL.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// Elements of an array value.
    public var arrayValue: [GGUFValue]? {
        if case .array(_, let a) = self { return a }
        return nil
    }
}
