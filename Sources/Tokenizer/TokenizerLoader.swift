import Core
import Foundation

/// Everything read from a tokenizer.json, typed.
struct LoadedTokenizer {
    var vocab: ByteStringTable
    /// Vocab tokens whose text is not byte-level (unreachable by BPE; kept for decode / id(of:)).
    var extraTokens: [String: Int32]
    var merges: PairTable
    var mergeCount: Int
    var ignoreMerges: Bool
    var addedTokens: [AddedToken]
    var normalizer: NormalizerSpec?
    var preTokenizer: PreTokenizerSpec?
    var postProcessor: PostProcessorSpec?
    var decoder: DecoderSpec?
}

/// Reads an HF tokenizer.json: small sections through `Codable`, the vocab and merges
/// streamed by `JSONScanner` into flat hash tables.
/// Format: https://github.com/huggingface/tokenizers/blob/main/tokenizers/src/tokenizer/serialization.rs
enum TokenizerLoader {
    /// Ids index flat arrays, so they are bounded (16.7M, far above any real vocabulary).
    static let maxID = 1 << 24

    static func load(bytes: UnsafeBufferPointer<UInt8>, file: String) throws -> LoadedTokenizer {
        var s = JSONScanner(bytes, file: file)
        var model: (ByteStringTable, [String: Int32], PairTable, Int, Bool)?
        var added: [AddedToken] = []
        var normalizer: NormalizerSpec?
        var pre: PreTokenizerSpec?
        var post: PostProcessorSpec?
        var dec: DecoderSpec?
        try s.expect(UInt8(ascii: "{"))
        if s.peek() == UInt8(ascii: "}") { s.i += 1 } else {
            repeat {
                let key = try s.readString()
                try s.expect(UInt8(ascii: ":"))
                switch key {
                case "version": _ = try s.skipValue()
                case "truncation", "padding":
                    if s.peek() != UInt8(ascii: "n") {
                        throw TokenizerError("\(key) is not implemented (must be null)", at: "\(file) (byte \(s.i))")
                    }
                    _ = try s.skipValue()
                case "added_tokens": added = try decode([AddedToken].self, &s, key)
                case "normalizer": normalizer = try decodeOptional(NormalizerSpec.self, &s, key)
                case "pre_tokenizer": pre = try decodeOptional(PreTokenizerSpec.self, &s, key)
                case "post_processor": post = try decodeOptional(PostProcessorSpec.self, &s, key)
                case "decoder": dec = try decodeOptional(DecoderSpec.self, &s, key)
                case "model": model = try readModel(&s)
                default:
                    throw TokenizerError("unknown top-level key '\(key)'", at: file)
                }
            } while try s.next(close: UInt8(ascii: "}"))
        }
        guard let model else { throw TokenizerError("no 'model' section", at: file) }
        return LoadedTokenizer(vocab: model.0, extraTokens: model.1, merges: model.2, mergeCount: model.3,
                               ignoreMerges: model.4, addedTokens: added, normalizer: normalizer, preTokenizer: pre,
                               postProcessor: post, decoder: dec)
    }

    private static func decode<T: Decodable>(_ t: T.Type, _ s: inout JSONScanner, _ key: String) throws -> T {
        let r = try s.skipValue()
        let data = Data(UnsafeBufferPointer(rebasing: s.b[r]))
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let e as TokenizerError {
            var e = e
            e.location = SourceLocation(file: "\(s.file) '\(key)' (byte \(r.lowerBound))")
            throw e
        } catch {
            throw TokenizerError("cannot read '\(key)': \(error)", at: "\(s.file) (byte \(r.lowerBound))")
        }
    }

    private static func decodeOptional<T: Decodable>(_ t: T.Type, _ s: inout JSONScanner, _ key: String) throws -> T? {
        if s.peek() == UInt8(ascii: "n") { _ = try s.skipValue(); return nil }
        return try decode(T.self, &s, key)
    }

    /// Byte-level token text (UTF-8 of GPT-2 mapped chars) → raw bytes, appended to `out`; false if not byte-level.
    @inline(__always)
    static func byteLevelDecode(_ p: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        var i = 0
        let n = p.count
        let map = ByteLevel.charToByte
        while i < n {
            let c0 = p[i]
            var v: Int
            if c0 < 0x80 { v = Int(c0); i += 1 }
            else if c0 & 0xE0 == 0xC0, i + 1 < n { v = Int(c0 & 0x1F) << 6 | Int(p[i + 1] & 0x3F); i += 2 }
            else { return false }
            guard v < map.count, map[v] >= 0 else { return false }
            out.append(UInt8(map[v]))
        }
        return true
    }

    private static func readModel(_ s: inout JSONScanner) throws -> (ByteStringTable, [String: Int32], PairTable, Int, Bool) {
        var arena: [UInt8] = []
        var spans: [(id: Int32, start: Int32, end: Int32)] = []
        var extra: [String: Int32] = [:]
        // Merge parts, byte-level decoded to raw bytes: merge k is mergeArena[mo[3k]..<mo[3k+1]] + [mo[3k+1]..<mo[3k+2]].
        var mergeArena: [UInt8] = []
        var mo: [Int32] = []
        var mergeText: [UInt8] = []
        var ignoreMerges = false
        var sawType = false
        try s.expect(UInt8(ascii: "{"))
        repeat {
            let key = try s.readString()
            try s.expect(UInt8(ascii: ":"))
            let at = "\(s.file) model.\(key) (byte \(s.i))"
            switch key {
            case "type":
                let t = try s.readString()
                guard t == "BPE" else { throw TokenizerError("model type \(t) is not implemented", at: at, hint: "only BPE") }
                sawType = true
            case "dropout", "unk_token":
                if s.peek() != UInt8(ascii: "n") { throw TokenizerError("model.\(key) is not implemented (must be null)", at: at) }
                _ = try s.skipValue()
            case "continuing_subword_prefix", "end_of_word_suffix":
                let v = try s.parseValue()
                if !(v.isNull || v.stringValue == "") {
                    throw TokenizerError("model.\(key) = \(v) is not implemented (must be null or empty)", at: at)
                }
            case "fuse_unk": _ = try s.skipValue()
            case "byte_fallback":
                if try s.parseValue().boolValue == true { throw TokenizerError("model.byte_fallback=true is not implemented", at: at) }
            case "ignore_merges":
                ignoreMerges = try s.parseValue().boolValue ?? false
            case "vocab":
                spans.reserveCapacity(160_000)
                arena.reserveCapacity(1 << 20)
                var key: [UInt8] = []
                try s.expect(UInt8(ascii: "{"))
                if s.peek() == UInt8(ascii: "}") { s.i += 1; break }
                repeat {
                    key.removeAll(keepingCapacity: true)
                    try s.readString(into: &key)
                    try s.expect(UInt8(ascii: ":"))
                    let id = try s.readInt()
                    guard id >= 0, id < TokenizerLoader.maxID else {
                        throw s.fail("vocab id \(id) out of range (0 ..< \(TokenizerLoader.maxID))")
                    }
                    let start = arena.count
                    if key.withUnsafeBufferPointer({ byteLevelDecode($0, into: &arena) }) {
                        spans.append((Int32(id), Int32(start), Int32(arena.count)))
                    } else {
                        arena.removeSubrange(start...)
                        extra[String(decoding: key, as: UTF8.self)] = Int32(id)
                    }
                } while try s.next(close: UInt8(ascii: "}"))
            case "merges":
                try s.expect(UInt8(ascii: "["))
                if s.peek() == UInt8(ascii: "]") { s.i += 1; break }
                mergeArena.reserveCapacity(1 << 21)
                mo.reserveCapacity(900_000)
                func part(_ text: ArraySlice<UInt8>) throws {
                    let ok = text.withUnsafeBufferPointer { byteLevelDecode($0, into: &mergeArena) }
                    if !ok {
                        throw TokenizerError("merge \(mo.count / 3) part '\(String(decoding: text, as: UTF8.self))' is not byte-level text",
                                             at: "\(s.file) (byte \(s.i))")
                    }
                }
                repeat {
                    mo.append(Int32(mergeArena.count))
                    mergeText.removeAll(keepingCapacity: true)
                    if s.peek() == UInt8(ascii: "[") {
                        s.i += 1
                        try s.readString(into: &mergeText)
                        try part(mergeText[...])
                        mo.append(Int32(mergeArena.count))
                        try s.expect(UInt8(ascii: ","))
                        mergeText.removeAll(keepingCapacity: true)
                        try s.readString(into: &mergeText)
                        try part(mergeText[...])
                        try s.expect(UInt8(ascii: "]"))
                    } else {
                        try s.readString(into: &mergeText)
                        guard let sp = mergeText.firstIndex(of: 0x20) else {
                            throw s.fail("merge \"\(String(decoding: mergeText, as: UTF8.self))\" has no space")
                        }
                        try part(mergeText[..<sp])
                        mo.append(Int32(mergeArena.count))
                        try part(mergeText[(sp + 1)...])
                    }
                    mo.append(Int32(mergeArena.count))
                } while try s.next(close: UInt8(ascii: "]"))
            default:
                throw TokenizerError("unknown model key '\(key)'", at: at)
            }
        } while try s.next(close: UInt8(ascii: "}"))
        guard sawType else { throw TokenizerError("model has no type", at: s.file) }

        let vocab = ByteStringTable(arena: arena, spans: spans)
        let mergeCount = mo.count / 3
        var merges = PairTable(capacity: mergeCount)
        try mergeArena.withUnsafeBufferPointer { ma in
            let base = ma.baseAddress ?? UnsafePointer(bitPattern: 1)!
            for rank in 0..<mergeCount {
                let a0 = Int(mo[3 * rank]), b0 = Int(mo[3 * rank + 1]), e0 = Int(mo[3 * rank + 2])
                guard let ia = vocab.find(base + a0, b0 - a0), let ib = vocab.find(base + b0, e0 - b0) else {
                    throw TokenizerError("merge \(rank) (\(ByteLevel.encode(ma[a0..<b0])) \(ByteLevel.encode(ma[b0..<e0]))) uses a token not in the vocab", at: s.file)
                }
                guard let iab = vocab.find(base + a0, e0 - a0) else {
                    throw TokenizerError("merge \(rank) result \(ByteLevel.encode(ma[a0..<e0])) is not in the vocab", at: s.file)
                }
                merges.insert(left: ia, right: ib, rank: Int32(rank), merged: iab)
            }
        }
        return (vocab, extra, merges, mergeCount, ignoreMerges)
    }
}
