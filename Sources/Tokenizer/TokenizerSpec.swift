import Foundation

/// Typed mirror of the small sections of an HF tokenizer.json (everything but the BPE
/// vocab and merges, which `TokenizerLoader` streams). Format:
/// https://github.com/huggingface/tokenizers/tree/main/tokenizers/src (serde of each component).

/// One entry of `added_tokens`. Flag semantics follow HF `AddedVocabulary`.
public struct AddedToken: Sendable, Codable, Equatable {
    public var id: Int32
    public var content: String
    /// Only match when not adjacent to alphanumeric characters.
    public var singleWord: Bool
    /// Swallow whitespace on the left of a match.
    public var lstrip: Bool
    /// Swallow whitespace on the right of a match.
    public var rstrip: Bool
    /// Matched against normalized text (true) or the raw input (false).
    public var normalized: Bool
    /// Special tokens are dropped by `decode(skipSpecialTokens: true)`.
    public var special: Bool

    public init(id: Int32, content: String, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false,
                normalized: Bool = false, special: Bool = true) {
        self.id = id
        self.content = content
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
        self.special = special
    }

    enum CodingKeys: String, CodingKey {
        case id, content, lstrip, rstrip, normalized, special
        case singleWord = "single_word"
    }
}

/// `normalizer`: only NFC (alone or in a Sequence) is implemented.
public indirect enum NormalizerSpec: Sendable, Codable, Equatable {
    case nfc
    case sequence([NormalizerSpec])

    enum CodingKeys: String, CodingKey { case type, normalizers }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "NFC": self = .nfc
        case "Sequence": self = .sequence(try c.decode([NormalizerSpec].self, forKey: .normalizers))
        default: throw TokenizerError("normalizer \(type) is not implemented", hint: "supported: NFC, Sequence")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .nfc: try c.encode("NFC", forKey: .type)
        case .sequence(let s): try c.encode("Sequence", forKey: .type); try c.encode(s, forKey: .normalizers)
        }
    }
}

/// `pre_tokenizer`: Split(regex, Isolated), ByteLevel, Sequence.
public indirect enum PreTokenizerSpec: Sendable, Codable, Equatable {
    case split(SplitPattern)
    /// ByteLevel; `useRegex` applies the GPT-2 pattern first.
    case byteLevel(useRegex: Bool)
    case sequence([PreTokenizerSpec])

    enum CodingKeys: String, CodingKey {
        case type, pattern, behavior, invert, pretokenizers
        case individualDigits = "individual_digits"
        case addPrefixSpace = "add_prefix_space", useRegex = "use_regex", trimOffsets = "trim_offsets"
    }
    struct Pattern: Codable { var Regex: String?; var String: String? }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "Sequence":
            self = .sequence(try c.decode([PreTokenizerSpec].self, forKey: .pretokenizers))
        case "ByteLevel":
            if try c.decodeIfPresent(Bool.self, forKey: .addPrefixSpace) == true {
                throw TokenizerError("pre_tokenizer ByteLevel add_prefix_space=true is not implemented")
            }
            self = .byteLevel(useRegex: try c.decodeIfPresent(Bool.self, forKey: .useRegex) ?? true)
        case "Digits":
            // Digits(individual_digits=true) == Split(\p{N}, Isolated).
            guard try c.decodeIfPresent(Bool.self, forKey: .individualDigits) == true else {
                throw TokenizerError("pre_tokenizer Digits with individual_digits=false is not implemented")
            }
            self = .split(.digits)
        case "Split":
            let behavior = try c.decode(String.self, forKey: .behavior)
            guard behavior == "Isolated" else {
                throw TokenizerError("pre_tokenizer Split behavior \(behavior) is not implemented", hint: "supported: Isolated")
            }
            if try c.decodeIfPresent(Bool.self, forKey: .invert) == true {
                throw TokenizerError("pre_tokenizer Split invert=true is not implemented")
            }
            let p = try c.decode(Pattern.self, forKey: .pattern)
            guard let regex = p.Regex else {
                throw TokenizerError("pre_tokenizer Split with a String pattern is not implemented")
            }
            guard let sp = SplitPattern(regex: regex) else {
                throw TokenizerError("pre_tokenizer Split regex \(regex) is not implemented",
                                     hint: "supported: the GPT-2, Llama-3, Qwen2 and \\p{N} patterns")
            }
            self = .split(sp)
        default:
            throw TokenizerError("pre_tokenizer \(type) is not implemented", hint: "supported: Split, ByteLevel, Digits, Sequence")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .sequence(let s):
            try c.encode("Sequence", forKey: .type)
            try c.encode(s, forKey: .pretokenizers)
        case .byteLevel(let r):
            try c.encode("ByteLevel", forKey: .type)
            try c.encode(false, forKey: .addPrefixSpace)
            try c.encode(false, forKey: .trimOffsets)
            try c.encode(r, forKey: .useRegex)
        case .split(let p):
            try c.encode("Split", forKey: .type)
            try c.encode(Pattern(Regex: p.regex, String: nil), forKey: .pattern)
            try c.encode("Isolated", forKey: .behavior)
            try c.encode(false, forKey: .invert)
        }
    }

    /// The split patterns applied in order, and whether a ByteLevel step is present.
    func flatten() -> (splits: [SplitPattern], byteLevel: Bool) {
        switch self {
        case .split(let p): return ([p], false)
        case .byteLevel(let r): return (r ? [.gpt2] : [], true)
        case .sequence(let s):
            var out: [SplitPattern] = []
            var bl = false
            for p in s {
                let f = p.flatten()
                out += f.splits
                bl = bl || f.byteLevel
            }
            return (out, bl)
        }
    }
}

/// `post_processor`: ByteLevel (offsets only, no effect on ids), TemplateProcessing, Sequence.
public indirect enum PostProcessorSpec: Sendable, Codable, Equatable {
    case byteLevel
    /// Pieces of the `single` template: a special token's ids, or the sequence itself (nil).
    case template(single: [[Int32]?])
    case sequence([PostProcessorSpec])

    enum CodingKeys: String, CodingKey { case type, single, processors, special_tokens }
    struct Piece: Codable {
        struct Special: Codable { var id: String; var type_id: Int? }
        struct Seq: Codable { var id: String; var type_id: Int? }
        var SpecialToken: Special?
        var Sequence: Seq?
    }
    struct SpecialEntry: Codable { var id: String; var ids: [Int32]; var tokens: [String] }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "ByteLevel": self = .byteLevel
        case "Sequence": self = .sequence(try c.decode([PostProcessorSpec].self, forKey: .processors))
        case "TemplateProcessing":
            let pieces = try c.decode([Piece].self, forKey: .single)
            let specials = try c.decodeIfPresent([String: SpecialEntry].self, forKey: .special_tokens) ?? [:]
            var single: [[Int32]?] = []
            for p in pieces {
                if let s = p.SpecialToken {
                    guard let e = specials[s.id] else {
                        throw TokenizerError("TemplateProcessing special token \(s.id) missing from special_tokens")
                    }
                    single.append(e.ids)
                } else if p.Sequence != nil {
                    single.append(nil)
                } else {
                    throw TokenizerError("TemplateProcessing piece is neither SpecialToken nor Sequence")
                }
            }
            self = .template(single: single)
        default:
            throw TokenizerError("post_processor \(type) is not implemented",
                                 hint: "supported: ByteLevel, TemplateProcessing, Sequence")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .byteLevel: try c.encode("ByteLevel", forKey: .type)
        case .sequence(let s): try c.encode("Sequence", forKey: .type); try c.encode(s, forKey: .processors)
        case .template: throw TokenizerError("writing TemplateProcessing is not implemented")
        }
    }

    /// Ids added before and after the sequence when `addSpecialTokens` is true.
    func wrap() -> (prefix: [Int32], suffix: [Int32]) {
        switch self {
        case .byteLevel: return ([], [])
        case .template(let single):
            var pre: [Int32] = [], suf: [Int32] = []
            var seen = false
            for p in single {
                if let ids = p { if seen { suf += ids } else { pre += ids } } else { seen = true }
            }
            return (pre, suf)
        case .sequence(let s):
            var pre: [Int32] = [], suf: [Int32] = []
            for p in s { let w = p.wrap(); pre = w.prefix + pre; suf += w.suffix }
            return (pre, suf)
        }
    }
}

/// `decoder`: only ByteLevel is implemented.
public struct DecoderSpec: Sendable, Codable, Equatable {
    public var type: String
    public init(type: String = "ByteLevel") { self.type = type }
    public init(from decoder: Decoder) throws {
        enum K: String, CodingKey { case type }
        let c = try decoder.container(keyedBy: K.self)
        type = try c.decode(String.self, forKey: .type)
        guard type == "ByteLevel" else {
            throw TokenizerError("decoder \(type) is not implemented", hint: "supported: ByteLevel")
        }
    }
}
