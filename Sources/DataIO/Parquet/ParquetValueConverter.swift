import Records

/// Turns physical Parquet values into the JSON values pyarrow's `to_pylist()` would give
/// (after `json.dumps` with the `inspect --raw` conventions).
///
/// - BYTE_ARRAY annotated STRING / ENUM / JSON → `.string` (invalid UTF-8 is replaced by U+FFFD);
///   other BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY (incl. UUID, FLOAT16) → base64 `.string`.
/// - INT32 / INT64 (any bit width, signed or not) → `.int`; UINT64 above Int64.max → `.bigInt`
///   (exact, like pyarrow's Python int).
/// - FLOAT → `.double` (the float widened exactly); DOUBLE → `.double`; BOOLEAN → `.bool`.
/// - DECIMAL → `.string` as Python's `str(Decimal)` prints it (e.g. "-12.50").
/// - DATE → `.string` "YYYY-MM-DD"; TIMESTAMP → `.string` as `datetime.isoformat()`
///   ("2020-01-01T00:00:00.250000", "+00:00" appended when adjusted to UTC; nanoseconds are
///   truncated to microseconds as Python's datetime does); TIME → raw `.int` in its unit.
/// - INT96 → unsupported (an error naming the column).
struct ParquetValueConverter {
    enum Kind {
        case bool, int32, uint32, int64, uint64, float, double
        case string, binary
        case date
        case timestamp(unit: Int, utc: Bool)
        case decimal(scale: Int)
    }

    let kind: Kind

    struct Unsupported: Error { var reason: String }

    init(leaf: ParquetSchemaNode) throws {
        guard let p = leaf.physicalType else { throw Unsupported(reason: "not a leaf") }
        switch (p, leaf.logicalType) {
        case (.int96, _): throw Unsupported(reason: "INT96 (legacy timestamp) columns are not supported")
        case (.boolean, _): kind = .bool
        case (.float, _): kind = .float
        case (.double, _): kind = .double
        case (.int32, .decimal(let s, _)?), (.int64, .decimal(let s, _)?),
             (.byteArray, .decimal(let s, _)?), (.fixedLenByteArray, .decimal(let s, _)?):
            kind = .decimal(scale: s)
        case (.int32, .date?): kind = .date
        case (.int64, .timestamp(let utc, let unit)?): kind = .timestamp(unit: unit, utc: utc)
        case (.int32, .integer(_, false)?): kind = .uint32
        case (.int64, .integer(_, false)?): kind = .uint64
        case (.int32, _): kind = .int32
        case (.int64, _): kind = .int64
        case (.byteArray, .string?), (.byteArray, .enumeration?), (.byteArray, .json?): kind = .string
        case (.byteArray, _), (.fixedLenByteArray, _): kind = .binary
        }
    }

    @inline(__always) func int32(_ v: Int32) -> JSONValue {
        switch kind {
        case .uint32: return .int(Int64(UInt32(bitPattern: v)))
        case .date: return .string(Self.isoDate(days: Int64(v)))
        case .decimal(let s): return .string(Self.decimalString(magnitudeDigits: String(v.magnitude), negative: v < 0, scale: s))
        default: return .int(Int64(v))
        }
    }

    @inline(__always) func int64(_ v: Int64) -> JSONValue {
        switch kind {
        case .uint64:
            let u = UInt64(bitPattern: v)
            return u <= UInt64(Int64.max) ? .int(v) : .bigInt(String(u))
        case .timestamp(let unit, let utc): return .string(Self.isoTimestamp(v, unit: unit, utc: utc))
        case .decimal(let s): return .string(Self.decimalString(magnitudeDigits: String(v.magnitude), negative: v < 0, scale: s))
        default: return .int(v)
        }
    }

    @inline(__always) func bytes(_ b: UnsafeRawBufferPointer) -> JSONValue {
        switch kind {
        case .string:
            return .string(String(decoding: UnsafeBufferPointer(start: b.baseAddress?.assumingMemoryBound(to: UInt8.self), count: b.count), as: UTF8.self))
        case .decimal(let s):
            let (digits, neg) = Self.bigEndianTwosComplementDigits(b)
            return .string(Self.decimalString(magnitudeDigits: digits, negative: neg, scale: s))
        default:
            return .string(Self.base64(b))
        }
    }

    // MARK: - Formatting helpers

    private static let b64: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding (RFC 4648 §4), as Python's `base64.b64encode`.
    static func base64(_ b: UnsafeRawBufferPointer) -> String {
        let n = b.count
        let outLen = (n + 2) / 3 * 4
        if outLen == 0 { return "" }
        return String(unsafeUninitializedCapacity: outLen) { out in
            b64.withUnsafeBufferPointer { t in
                var i = 0, o = 0
                while i + 3 <= n {
                    let v = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
                    out[o] = t[Int(v >> 18)]; out[o + 1] = t[Int(v >> 12 & 63)]
                    out[o + 2] = t[Int(v >> 6 & 63)]; out[o + 3] = t[Int(v & 63)]
                    i += 3; o += 4
                }
                if n - i == 1 {
                    let v = UInt32(b[i]) << 16
                    out[o] = t[Int(v >> 18)]; out[o + 1] = t[Int(v >> 12 & 63)]; out[o + 2] = 61; out[o + 3] = 61
                } else if n - i == 2 {
                    let v = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8
                    out[o] = t[Int(v >> 18)]; out[o + 1] = t[Int(v >> 12 & 63)]
                    out[o + 2] = t[Int(v >> 6 & 63)]; out[o + 3] = 61
                }
            }
            return outLen
        }
    }

    /// Decimal digits of a big-endian two's-complement integer of any length, and its sign.
    static func bigEndianTwosComplementDigits(_ b: UnsafeRawBufferPointer) -> (String, Bool) {
        guard b.count > 0 else { return ("0", false) }
        let negative = b[0] & 0x80 != 0
        // Magnitude as big-endian bytes.
        var mag = [UInt8](b)
        if negative {
            for i in 0..<mag.count { mag[i] = ~mag[i] }
            var i = mag.count - 1
            while i >= 0 { let (s, o) = mag[i].addingReportingOverflow(1); mag[i] = s; if !o { break }; i -= 1 }
        }
        // Repeated division by 10^9 over 32-bit limbs.
        let full = [UInt8](repeating: 0, count: (4 - mag.count % 4) % 4) + mag
        var limbs: [UInt32] = []
        for j in stride(from: 0, to: full.count, by: 4) {
            limbs.append(UInt32(full[j]) << 24 | UInt32(full[j + 1]) << 16 | UInt32(full[j + 2]) << 8 | UInt32(full[j + 3]))
        }
        var chunks: [UInt32] = []
        while limbs.contains(where: { $0 != 0 }) {
            var rem: UInt64 = 0
            for j in 0..<limbs.count {
                let cur = rem << 32 | UInt64(limbs[j])
                limbs[j] = UInt32(cur / 1_000_000_000)
                rem = cur % 1_000_000_000
            }
            chunks.append(UInt32(rem))
        }
        if chunks.isEmpty { return ("0", negative) }
        var s = String(chunks.last!)
        for c in chunks.dropLast().reversed() {
            let t = String(c)
            s += String(repeating: "0", count: 9 - t.count) + t
        }
        return (s, negative)
    }

    /// Python's `str(Decimal)` for an integer coefficient and exponent -scale.
    /// (https://docs.python.org/3/library/decimal.html#decimal.Decimal.to_eng_string, `__str__` rules)
    static func decimalString(magnitudeDigits d: String, negative: Bool, scale: Int) -> String {
        let sign = negative ? "-" : ""
        let exp = -scale
        let adjusted = exp + d.count - 1
        if exp <= 0 && adjusted >= -6 {
            if scale == 0 { return sign + d }
            if d.count > scale {
                let cut = d.index(d.endIndex, offsetBy: -scale)
                return sign + d[..<cut] + "." + d[cut...]
            }
            return sign + "0." + String(repeating: "0", count: scale - d.count) + d
        }
        var s = sign + String(d.first!)
        if d.count > 1 { s += "." + d.dropFirst() }
        s += "E" + (adjusted >= 0 ? "+" : "") + String(adjusted)
        return s
    }

    /// Proleptic Gregorian civil date from days since 1970-01-01
    /// (http://howardhinnant.github.io/date_algorithms.html, civil_from_days).
    static func civil(_ days: Int64) -> (Int64, Int, Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v.magnitude)
        return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
    }

    static func isoDate(days: Int64) -> String {
        let (y, m, d) = civil(days)
        return "\(pad(y, 4))-\(pad(Int64(m), 2))-\(pad(Int64(d), 2))"
    }

    static func isoTimestamp(_ v: Int64, unit: Int, utc: Bool) -> String {
        let perSecond: Int64 = unit == 1 ? 1_000 : (unit == 2 ? 1_000_000 : 1_000_000_000)
        var secs = v / perSecond
        var frac = v % perSecond
        if frac < 0 { frac += perSecond; secs -= 1 }
        let micros = unit == 1 ? frac * 1000 : (unit == 2 ? frac : frac / 1000)
        var days = secs / 86400
        var sod = secs % 86400
        if sod < 0 { sod += 86400; days -= 1 }
        var s = isoDate(days: days) + "T" + pad(sod / 3600, 2) + ":" + pad(sod / 60 % 60, 2) + ":" + pad(sod % 60, 2)
        if micros != 0 { s += "." + pad(micros, 6) }
        if utc { s += "+00:00" }
        return s
    }
}
