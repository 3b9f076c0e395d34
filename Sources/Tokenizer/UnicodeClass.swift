/// Character classes the pre-tokenizer regexes distinguish, from Unicode scalar properties:
/// `\p{L}` = General_Category L*, `\p{N}` = N*, `\s` = White_Space (as in Oniguruma /
/// Rust `regex`, which HF tokenizers use). `\r` and `\n` get their own class.
enum CharClass {
    static let other: UInt8 = 0
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let space: UInt8 = 3
    static let newline: UInt8 = 4

    /// Classes of U+0000…U+FFFF, computed once.
    static let bmp: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 0x10000)
        for v in 0..<0x10000 {
            if let s = Unicode.Scalar(UInt32(v)) { t[v] = compute(s) }
        }
        return t
    }()

    static func compute(_ s: Unicode.Scalar) -> UInt8 {
        if s.value == 0x0A || s.value == 0x0D { return newline }
        let p = s.properties
        if p.isWhitespace { return space }
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return letter
        case .decimalNumber, .letterNumber, .otherNumber: return number
        default: return other
        }
    }

    /// `bmp` as a raw pointer (allocated once, never freed) for the hot path.
    nonisolated(unsafe) static let bmpPointer: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 0x10000)
        p.initialize(from: bmp, count: 0x10000)
        return UnsafePointer(p)
    }()

    @inline(__always)
    static func of(_ v: UInt32) -> UInt8 {
        if v < 0x10000 { return bmpPointer[Int(v)] }
        guard let s = Unicode.Scalar(v) else { return other }
        return compute(s)
    }

    /// Rust `regex` Unicode `\w` (Alphabetic, M*, Nd, Pc, Join_Control): HF checks a
    /// `single_word` added token's neighbours with `\w$` / `^\w`.
    static func isWordChar(_ s: Unicode.Scalar) -> Bool {
        let p = s.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}
