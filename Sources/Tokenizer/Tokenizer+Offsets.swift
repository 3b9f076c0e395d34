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
        let ws = takeWorkspace()
        defer { returnWorkspace(ws) }
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

extension Tokenizer {
    /// Calls `body` with the bytes of every pre-token of `p` (after added-token splitting,
    /// which drops the added tokens, and normalization) — what BPE would be applied to.
    func forEachPreToken(_ p: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var segs: [(Int, Int, Int)] = []
        if rawMatcher.isEmpty { segs = [(0, p.count, -1)] } else { rawMatcher.split(p, into: &segs) }
        let ws = EncodeWorkspace(cacheSlots: 1)
        for (a, b, ti) in segs where ti < 0 {
            let seg = UnsafeBufferPointer(rebasing: p[a..<b])
            if nfc && NFC.mayChange(seg) {
                var q = NFC.normalize(seg)
                q.withUTF8 { preTokensNormalized($0, ws, body) }
            } else {
                preTokensNormalized(seg, ws, body)
            }
        }
    }

    private func preTokensNormalized(_ p: UnsafeBufferPointer<UInt8>, _ ws: EncodeWorkspace, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var segs: [(Int, Int, Int)] = []
        if normMatcher.isEmpty { segs = [(0, p.count, -1)] } else { normMatcher.split(p, into: &segs) }
        for (a, b, ti) in segs where ti < 0 && b > a {
            let q = UnsafeBufferPointer(rebasing: p[a..<b])
            if splits.isEmpty { body(q); continue }
            let m = ws.decode(q)
            ws.sc.withUnsafeBufferPointer { sc in
                ws.cl.withUnsafeBufferPointer { cl in
                    ws.off.withUnsafeBufferPointer { off in
                        level(0, 0, m, sc.baseAddress!, cl.baseAddress!, off.baseAddress!, q, body)
                    }
                }
            }
        }
    }

    private func level(_ lv: Int, _ lo: Int, _ hi: Int, _ sc: UnsafePointer<UInt32>, _ cl: UnsafePointer<UInt8>,
                       _ off: UnsafePointer<Int32>, _ q: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        if lv == splits.count {
            body(UnsafeBufferPointer(rebasing: q[Int(off[lo])..<Int(off[hi])]))
            return
        }
        splits[lv].split(sc, cl, lo, hi) { a, b in level(lv + 1, a, b, sc, cl, off, q, body) }
    }
}
