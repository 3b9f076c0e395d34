import Records
/// Unicode NFC as HF `tokenizers` applies it (see `NFC`), for callers that need the same
/// normalization outside encoding (e.g. comparing decoded text).
public enum UnicodeNFC {
    /// NFC of `text`.
    public static func normalize(_ text: String) -> String {
        var s = text
        return s.withUTF8 { NFC.normalize($0) }
    }

    /// False when `text` is certainly NFC already (UAX #15 quick check).
    public static func mayChange(_ text: String) -> Bool {
        var s = text
        return s.withUTF8 { NFC.mayChange($0) }
    }
}

extension Tokenizer {
    /// Whether the tokenizer's normalizer applies NFC.
    public var normalizesNFC: Bool { nfc }

    /// Lower-case hex SHA-256 of `bytes` (the algorithm behind `contentHash`).
    public static func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hex(bytes) }

    /// For tests: BPE of raw `bytes` as one pre-token by the production merger (array scan for
    /// short words, heap for long ones) and by the naive twin.
    public func mergeTwins(_ bytes: [UInt8]) -> (fast: [Int32], naive: [Int32]) {
        let ids = bytes.map { byteToID[Int($0)] }.filter { $0 >= 0 }
        var merger = BPEMerger()
        var out: [Int32] = []
        ids.withUnsafeBufferPointer { merger.merge($0, merges: merges, into: &out) }
        return (out, BPEMerger.naiveMerge(ids, merges: merges))
    }
}

/// Python `json.dumps(value, ensure_ascii=False)` text of a JSON value (what chat templates'
/// `tojson` writes): separators `", "` / `": "`, key order kept, floats in Python `repr` form.
public enum PythonStyleJSON {
    public static func dumps(_ v: Records.JSONValue) -> String { PythonJSON.dumps(v) }
    public static func floatRepr(_ d: Double) -> String { PythonJSON.pythonFloatRepr(d) }
}
