import Foundation
import Records

/// Learns a byte-level BPE tokenizer (NFC + the Qwen2 pre-tokenizer split + ByteLevel) and
/// writes it as an HF tokenizer.json that `tokenizers` loads and encodes identically to `Tokenizer`.
///
/// Algorithm (as HF `BpeTrainer`, https://github.com/huggingface/tokenizers/blob/main/tokenizers/src/models/bpe/trainer.rs):
/// count pre-token words; start from the 256 byte symbols; repeatedly merge the most frequent
/// adjacent pair, updating counts only in the words that contain it (pair → words index, lazy max-heap).
/// Determinism / tie-breaking: highest count first; equal counts → smallest (left id, right id),
/// ids being: special tokens 0…k−1, then bytes in GPT-2 byte-level character order, then merges in
/// creation order. Word iteration order does not affect counts, so the result is fully deterministic.
public struct BPETrainer {
    public struct Config: Sendable {
        public var vocabSize: Int
        public var specialTokens: [String]
        /// Pairs seen fewer times than this are never merged.
        public var minFrequency: Int
        public var pattern: SplitPattern
        public init(vocabSize: Int, specialTokens: [String] = [], minFrequency: Int = 2, pattern: SplitPattern = .llama3(maxDigits: 1)) {
            self.vocabSize = vocabSize
            self.specialTokens = specialTokens
            self.minFrequency = minFrequency
            self.pattern = pattern
        }
    }

    public let config: Config
    /// Word (pre-token bytes) → count.
    private var words: [[UInt8]: Int] = [:]
    private let splitter: Tokenizer

    public init(config: Config) throws {
        self.config = config
        guard config.vocabSize >= 256 + config.specialTokens.count else {
            throw TokenizerError("vocab size \(config.vocabSize) is below 256 bytes + \(config.specialTokens.count) special tokens")
        }
        // A merge-free tokenizer with the target pipeline does the normalizing and splitting.
        splitter = try Tokenizer.load(jsonBytes: Array(BPETrainer.json(vocab: [], merges: [], special: config.specialTokens,
                                                                       pattern: config.pattern).utf8))
    }

    /// Adds a document's pre-tokens to the counts (special-token strings are split out, not counted).
    public mutating func feed(_ text: String) {
        var s = text
        s.withUTF8 { p in
            splitter.forEachPreToken(p) { piece in words[Array(piece), default: 0] += 1 }
        }
    }

    /// Number of distinct pre-token words seen.
    public var wordCount: Int { words.count }

    /// Learns merges and returns the tokenizer.json text.
    public func train() -> (json: String, merges: Int) {
        // Symbols: bytes in byte-level character order (as HF sorts its alphabet), after the specials.
        let k = config.specialTokens.count
        let order = (0..<256).sorted { ByteLevel.byteToChar[$0] < ByteLevel.byteToChar[$1] }
        var byteSym = [Int32](repeating: 0, count: 256)
        var tokens: [[UInt8]] = []
        for (i, b) in order.enumerated() { byteSym[b] = Int32(k + i); tokens.append([UInt8(b)]) }
        let entries = words.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var syms: [[Int32]] = entries.map { $0.key.map { byteSym[Int($0)] } }
        let counts: [Int] = entries.map { $0.value }

        @inline(__always) func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }
        var pairCount: [UInt64: Int] = [:]
        var pairWords: [UInt64: [Int32]] = [:]
        for (w, s) in syms.enumerated() where s.count > 1 {
            for i in 0..<(s.count - 1) {
                let p = key(s[i], s[i + 1])
                pairCount[p, default: 0] += counts[w]
                pairWords[p, default: []].append(Int32(w))
            }
        }
        var heap = PairHeap()
        for (p, c) in pairCount { heap.push(c, p) }
        var merges: [(Int32, Int32)] = []
        var stamp = [Int32](repeating: -1, count: syms.count)
        let target = config.vocabSize - k
        while tokens.count < target, let (c, p) = heap.pop() {
            let cur = pairCount[p] ?? 0
            if cur != c { if cur > 0 { heap.push(cur, p) }; continue }
            if c < max(config.minFrequency, 1) { break }
            let a = Int32(truncatingIfNeeded: p >> 32), b = Int32(truncatingIfNeeded: p & 0xFFFF_FFFF)
            let newID = Int32(k + tokens.count)
            tokens.append(tokens[Int(a) - k] + tokens[Int(b) - k])
            merges.append((a, b))
            var touched = Set<UInt64>()
            for w32 in pairWords[p] ?? [] {
                let w = Int(w32)
                if stamp[w] == newID { continue }
                stamp[w] = newID
                let s = syms[w]
                let n = counts[w]
                for i in 0..<(s.count - 1) { pairCount[key(s[i], s[i + 1]), default: 0] -= n }
                var out: [Int32] = []
                out.reserveCapacity(s.count)
                var i = 0
                while i < s.count {
                    if i + 1 < s.count && s[i] == a && s[i + 1] == b { out.append(newID); i += 2 } else { out.append(s[i]); i += 1 }
                }
                for j in 0..<max(out.count - 1, 0) {
                    let np = key(out[j], out[j + 1])
                    pairCount[np, default: 0] += n
                    if out[j] == newID || out[j + 1] == newID {
                        pairWords[np, default: []].append(w32)
                        touched.insert(np)
                    }
                }
                syms[w] = out
            }
            pairWords[p] = nil
            for t in touched { if let c2 = pairCount[t], c2 > 0 { heap.push(c2, t) } }
        }
        var vocab: [(String, Int32)] = []
        for (i, t) in config.specialTokens.enumerated() { vocab.append((t, Int32(i))) }
        for (i, t) in tokens.enumerated() { vocab.append((ByteLevel.encode(t), Int32(k + i))) }
        let mergeStrings = merges.map { (ByteLevel.encode(tokens[Int($0.0) - k]), ByteLevel.encode(tokens[Int($0.1) - k])) }
        return (BPETrainer.json(vocab: vocab, merges: mergeStrings, special: config.specialTokens, pattern: config.pattern), merges.count)
    }

    /// tokenizer.json text for a Qwen-style byte-level BPE (NFC, Split(pattern, Isolated), ByteLevel).
    static func json(vocab: [(String, Int32)], merges: [(String, String)], special: [String], pattern: SplitPattern) -> String {
        let byteLevel: JSONValue = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false]
        let added: [JSONValue] = special.enumerated().map { i, t in
            ["id": .int(Int64(i)), "content": .string(t), "single_word": false, "lstrip": false, "rstrip": false,
             "normalized": false, "special": true]
        }
        let model: JSONValue = [
            "type": "BPE", "dropout": nil, "unk_token": nil, "continuing_subword_prefix": nil, "end_of_word_suffix": nil,
            "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
            "vocab": .object(JSONObject(vocab.map { ($0.0, JSONValue.int(Int64($0.1))) })),
            "merges": .array(merges.map { [.string($0.0), .string($0.1)] }),
        ]
        let doc: JSONValue = [
            "version": "1.0", "truncation": nil, "padding": nil, "added_tokens": .array(added),
            "normalizer": ["type": "NFC"],
            "pre_tokenizer": ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": .string(pattern.regex)], "behavior": "Isolated", "invert": false],
                byteLevel,
            ]],
            "post_processor": byteLevel, "decoder": byteLevel, "model": model,
        ]
        return JSONWriter().string(doc)
    }
}

/// Max-heap of (count, pair): highest count first, then the smallest pair.
struct PairHeap {
    private var a: [(Int, UInt64)] = []
    @inline(__always) private static func before(_ x: (Int, UInt64), _ y: (Int, UInt64)) -> Bool {
        x.0 != y.0 ? x.0 > y.0 : x.1 < y.1
    }
    mutating func push(_ c: Int, _ p: UInt64) {
        a.append((c, p))
        var i = a.count - 1
        while i > 0 {
            let par = (i - 1) >> 1
            if !PairHeap.before(a[i], a[par]) { break }
            a.swapAt(i, par)
            i = par
        }
    }
    mutating func pop() -> (Int, UInt64)? {
        guard let top = a.first else { return nil }
        let last = a.removeLast()
        if !a.isEmpty {
            a[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < a.count && PairHeap.before(a[l], a[m]) { m = l }
                if r < a.count && PairHeap.before(a[r], a[m]) { m = r }
                if m == i { break }
                a.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
