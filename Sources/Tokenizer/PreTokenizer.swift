/// The pre-tokenizer regexes HF tokenizers ship, as hand-written scanners over Unicode
/// scalar classes (no regex engine). Each reproduces leftmost-first alternation with the
/// regex's backtracking exactly (see the per-case comments).
///
/// GPT-2 (https://github.com/openai/gpt-2/blob/master/src/encoder.py):
///   `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
/// Llama-3 (`maxDigits` 3) / Qwen2 (`maxDigits` 1):
///   `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
///
/// Digits (`\p{N}`, HF `Digits(individual_digits=true)`): every number scalar is its own piece,
/// the runs between them are pieces too (llama.cpp's first step for `smollm`, `starcoder`, …).
public enum SplitPattern: Sendable, Equatable {
    case gpt2
    case llama3(maxDigits: Int)
    case digits

    static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let digitsRegex = #"\p{N}"#
    static let qwen2Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// Recognises one of the supported regex strings.
    public init?(regex: String) {
        switch regex {
        case SplitPattern.gpt2Regex: self = .gpt2
        case SplitPattern.llama3Regex: self = .llama3(maxDigits: 3)
        case SplitPattern.qwen2Regex: self = .llama3(maxDigits: 1)
        case SplitPattern.digitsRegex: self = .digits
        default: return nil
        }
    }

    /// The regex this scanner implements (written back by the trainer).
    public var regex: String {
        switch self {
        case .gpt2: return SplitPattern.gpt2Regex
        case .llama3(let d): return d == 3 ? SplitPattern.llama3Regex : SplitPattern.qwen2Regex
        case .digits: return SplitPattern.digitsRegex
        }
    }

    /// Splits scalars `lo ..< hi` (scalar values `sc`, classes `cl`) into match ranges,
    /// calling `emit(start, end)` in order. Every scalar belongs to exactly one piece.
    @inline(__always)
    func split(_ sc: UnsafePointer<UInt32>, _ cl: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int, _ emit: (Int, Int) -> Void) {
        switch self {
        case .gpt2: SplitPattern.scanGPT2(sc, cl, lo, hi, emit)
        case .llama3(let d): SplitPattern.scanLlama3(sc, cl, lo, hi, d, emit)
        case .digits: SplitPattern.scanDigits(cl, lo, hi, emit)
        }
    }

    /// `\p{N}` with Isolated behaviour: each number scalar alone, the gaps between as pieces.
    static func scanDigits(_ cl: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int, _ emit: (Int, Int) -> Void) {
        var i = lo
        while i < hi {
            if cl[i] == CharClass.number { emit(i, i + 1); i += 1; continue }
            var j = i + 1
            while j < hi && cl[j] != CharClass.number { j += 1 }
            emit(i, j); i = j
        }
    }

    /// Length of a contraction `'s|'t|'re|'ve|'m|'ll|'d` at `i` (which holds `'`), or 0.
    /// Case-insensitive matching follows Unicode simple case folding: `s` also matches
    /// `S` and U+017F LATIN SMALL LETTER LONG S.
    @inline(__always)
    static func contraction(_ sc: UnsafePointer<UInt32>, _ i: Int, _ hi: Int, caseInsensitive: Bool) -> Int {
        guard i + 1 < hi else { return 0 }
        @inline(__always) func low(_ v: UInt32) -> UInt32 {
            guard caseInsensitive else { return v }
            if v >= 0x41 && v <= 0x5A { return v + 0x20 }
            if v == 0x17F { return 0x73 }
            return v
        }
        let a = low(sc[i + 1])
        switch a {
        case 0x73, 0x74, 0x6D, 0x64: return 2  // s t m d
        case 0x72, 0x76:  // r v → re ve
            return (i + 2 < hi && low(sc[i + 2]) == 0x65) ? 3 : 0
        case 0x6C:  // l → ll
            return (i + 2 < hi && low(sc[i + 2]) == 0x6C) ? 3 : 0
        default: return 0
        }
    }

    static func scanLlama3(_ sc: UnsafePointer<UInt32>, _ cl: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int,
                           _ maxDigits: Int, _ emit: (Int, Int) -> Void) {
        let L = CharClass.letter, N = CharClass.number, O = CharClass.other, NL = CharClass.newline
        var i = lo
        while i < hi {
            let c = cl[i]
            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if sc[i] == 0x27 {
                let n = contraction(sc, i, hi, caseInsensitive: true)
                if n > 0 { emit(i, i + n); i += n; continue }
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+ — the optional char is tried first (greedy), then none.
            if c != L && c != N && c != NL && i + 1 < hi && cl[i + 1] == L {
                var j = i + 2
                while j < hi && cl[j] == L { j += 1 }
                emit(i, j); i = j; continue
            }
            if c == L {
                var j = i + 1
                while j < hi && cl[j] == L { j += 1 }
                emit(i, j); i = j; continue
            }
            // \p{N}{1,maxDigits}
            if c == N {
                var j = i + 1
                while j < hi && j - i < maxDigits && cl[j] == N { j += 1 }
                emit(i, j); i = j; continue
            }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
            var s = i
            if sc[i] == 0x20 && i + 1 < hi && cl[i + 1] == O { s = i + 1 }
            if cl[s] == O {
                var j = s + 1
                while j < hi && cl[j] == O { j += 1 }
                while j < hi && cl[j] == NL { j += 1 }
                emit(i, j); i = j; continue
            }
            // Whitespace run [i, j).
            var j = i + 1
            var lastNL = c == NL ? i : -1
            while j < hi && cl[j] >= CharClass.space {
                if cl[j] == NL { lastNL = j }
                j += 1
            }
            // `\s*[\r\n]+`: \s* backtracks to the last newline of the run; [\r\n]+ then takes it.
            if lastNL >= 0 { emit(i, lastNL + 1); i = lastNL + 1; continue }
            // `\s+(?!\S)`: whole run at the end; otherwise give the last char back if the run has ≥ 2.
            if j == hi { emit(i, j); i = j; continue }
            if j - i >= 2 { emit(i, j - 1); i = j - 1; continue }
            // `\s+`
            emit(i, j); i = j
        }
    }

    static func scanGPT2(_ sc: UnsafePointer<UInt32>, _ cl: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int,
                         _ emit: (Int, Int) -> Void) {
        let L = CharClass.letter, N = CharClass.number, O = CharClass.other
        var i = lo
        while i < hi {
            if sc[i] == 0x27 {
                let n = contraction(sc, i, hi, caseInsensitive: false)
                if n > 0 { emit(i, i + n); i += n; continue }
            }
            // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`
            var s = i
            if sc[i] == 0x20 && i + 1 < hi && cl[i + 1] <= N { s = i + 1 }
            let k = cl[s]
            if k == L || k == N || k == O {
                var j = s + 1
                while j < hi && cl[j] == k { j += 1 }
                emit(i, j); i = j; continue
            }
            // Whitespace run: `\s+(?!\S)` then `\s+`.
            var j = i + 1
            while j < hi && cl[j] >= CharClass.space { j += 1 }
            if j == hi { emit(i, j); i = j; continue }
            if j - i >= 2 { emit(i, j - 1); i = j - 1; continue }
            emit(i, j); i = j
        }
    }
}
