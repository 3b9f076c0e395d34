/// Matching of added tokens in text, as HF `AddedVocabulary::find_matches`: leftmost-longest
/// matches (HF uses Aho–Corasick `LeftmostLongest`; here a byte trie scanned from each
/// start), with `single_word`, `lstrip` and `rstrip` applied to each match.
/// Reference: https://github.com/huggingface/tokenizers/blob/main/tokenizers/src/tokenizer/added_vocabulary.rs
/// Difference: after an `rstrip` match the scan resumes after the stripped whitespace (HF resumes
/// after the token itself, which only matters for added tokens that begin with whitespace).
struct AddedTokenMatcher: Sendable {
    private struct Node: Sendable {
        var keys: [UInt8] = []
        var kids: [Int32] = []
        var token: Int32 = -1  // index into `tokens`, if a token ends here
    }
    private var nodes: [Node] = [Node()]
    private var firstByte = [Bool](repeating: false, count: 256)
    let tokens: [AddedToken]

    init(_ tokens: [AddedToken]) {
        self.tokens = tokens
        for (ti, t) in tokens.enumerated() where !t.content.isEmpty {
            var cur = 0
            for b in t.content.utf8 {
                if let k = nodes[cur].keys.firstIndex(of: b) {
                    cur = Int(nodes[cur].kids[k])
                } else {
                    nodes.append(Node())
                    nodes[cur].keys.append(b)
                    nodes[cur].kids.append(Int32(nodes.count - 1))
                    cur = nodes.count - 1
                }
            }
            if nodes[cur].token < 0 { nodes[cur].token = Int32(ti) }
            firstByte[Int(t.content.utf8.first!)] = true
        }
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// Longest token starting at `i`: (token index, end).
    @inline(__always)
    private func longest(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Int, Int)? {
        var cur = 0
        var best: (Int, Int)?
        var j = i
        while j < p.count {
            guard let k = nodes[cur].keys.firstIndex(of: p[j]) else { break }
            cur = Int(nodes[cur].kids[k])
            j += 1
            if nodes[cur].token >= 0 { best = (Int(nodes[cur].token), j) }
        }
        return best
    }

    /// Splits `p` into pieces: `(start, end, addedTokenIndex or -1)`, in order, covering `p`.
    func split(_ p: UnsafeBufferPointer<UInt8>, into out: inout [(Int, Int, Int)]) {
        out.removeAll(keepingCapacity: true)
        let n = p.count
        var startOffset = 0
        var i = 0
        while i < n {
            if !firstByte[Int(p[i])] { i += 1; continue }
            guard let (ti, end) = longest(p, i) else { i += 1; continue }
            let t = tokens[ti]
            var start = i, stop = end
            if t.singleWord {
                let startOK = start == 0 || !Self.isWordChar(before: start, p)
                let stopOK = stop == n || !Self.isWordChar(at: stop, p)
                if !startOK || !stopOK { i = end; continue }
            }
            if t.lstrip {
                var s = start
                while s > 0, let (sc, len) = Self.scalar(before: s, p), sc.properties.isWhitespace { s -= len }
                start = max(s, startOffset)
            }
            if t.rstrip {
                while stop < n, let (sc, len) = Self.scalar(at: stop, p), sc.properties.isWhitespace { stop += len }
            }
            if startOffset < start { out.append((startOffset, start, -1)) }
            out.append((start, stop, ti))
            startOffset = stop
            i = stop
        }
        if startOffset < n || n == 0 { out.append((startOffset, n, -1)) }
    }

    static func scalar(at i: Int, _ p: UnsafeBufferPointer<UInt8>) -> (Unicode.Scalar, Int)? {
        let c = p[i]
        let len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4
        guard i + len <= p.count else { return nil }
        var v = len == 1 ? UInt32(c) : UInt32(c) & (0xFF >> UInt32(len + 1))
        var k = 1
        while k < len { v = v << 6 | UInt32(p[i + k] & 0x3F); k += 1 }
        return Unicode.Scalar(v).map { ($0, len) }
    }

    static func scalar(before i: Int, _ p: UnsafeBufferPointer<UInt8>) -> (Unicode.Scalar, Int)? {
        var s = i - 1
        while s > 0 && p[s] & 0xC0 == 0x80 { s -= 1 }
        return scalar(at: s, p)
    }

    static func isWordChar(before i: Int, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let (s, _) = scalar(before: i, p) else { return false }
        return CharClass.isWordChar(s)
    }

    static func isWordChar(at i: Int, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let (s, _) = scalar(at: i, p) else { return false }
        return CharClass.isWordChar(s)
    }
}
