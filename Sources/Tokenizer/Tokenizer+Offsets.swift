extension Tokenizer {
    /// Byte length a token contributes to the (normalized) text.
    @inline(__always)
    func tokenLength(_ id: Int32) -> Int {
        if id >= 0, Int(id) < addedIndex.count, addedIndex[Int(id)] >= 0 {
            return addedTokens[Int(addedIndex[Int(id)])].content.utf8.count
        }
        if let b = vocab.tokenBytes(id) { return b.count }
        return extraByID[id]?.count ?? 0
    }

    /// Encodes like `encode(_:)` and also returns, for each token, the byte offset in `text`'s
    /// UTF-8 where it ends (tokens are contiguous, so token k spans `ends[k-1] ..< ends[k]`).
    /// Inside a segment that NFC changed, offsets are exact up to the first changed byte and
    /// aligned from the segment's end after it.
    public func encodeWithOffsets(_ text: String) -> (ids: [Int32], ends: [Int]) {
        let ws = EncodeWorkspace(cacheSlots: 1 << 10)
        var ids: [Int32] = []
        var ends: [Int] = []
        var s = text
        s.withUTF8 { p in
            var segs: [(Int, Int, Int)] = []
            if rawMatcher.isEmpty { segs = [(0, p.count, -1)] } else { rawMatcher.split(p, into: &segs) }
            for (a, b, ti) in segs {
                if ti >= 0 { ids.append(rawMatcher.tokens[ti].id); ends.append(b); continue }
                let seg = UnsafeBufferPointer(rebasing: p[a..<b])
                let start = ids.count
                if nfc && NFC.mayChange(seg) {
                    var q = NFC.normalize(seg)
                    var qn = 0
                    var common = 0
                    q.withUTF8 { qb in
                        qn = qb.count
                        while common < min(qn, seg.count) && qb[common] == seg[common] { common += 1 }
                        encodeNormalized(qb, ws, &ids)
                    }
                    var e = 0
                    for k in start..<ids.count {
                        e += tokenLength(ids[k])
                        ends.append(e <= common ? a + e : max(a + common, b - (qn - e)))
                    }
                } else {
                    encodeNormalized(seg, ws, &ids)
                    var e = a
                    for k in start..<ids.count {
                        e += tokenLength(ids[k])
                        ends.append(e)
                    }
                }
                if let last = ends.indices.last, ids.count > start { ends[last] = b }
            }
        }
        return (ids, ends)
    }
}
