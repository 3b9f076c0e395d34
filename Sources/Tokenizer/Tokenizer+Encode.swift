import Core
import Foundation

extension Tokenizer {
    /// Encodes `text` as HF `encode(text, add_special_tokens:)`: added tokens written in the text
    /// are matched; `addSpecialTokens` applies the post-processor template (e.g. Llama-3 BOS).
    public func encode(_ text: String, addSpecialTokens: Bool = false) -> [Int32] {
        let ws = takeWorkspace()
        defer { returnWorkspace(ws) }
        return encode(text, addSpecialTokens: addSpecialTokens, workspace: ws)
    }

    /// A scratch workspace from the pool (its word cache persists across calls).
    func takeWorkspace() -> EncodeWorkspace {
        poolLock.lock()
        let ws = pool.popLast()
        poolLock.unlock()
        return ws ?? EncodeWorkspace()
    }

    func returnWorkspace(_ ws: EncodeWorkspace) {
        poolLock.lock()
        if pool.count < 16 { pool.append(ws) }
        poolLock.unlock()
    }

    func encode(_ text: String, addSpecialTokens: Bool, workspace ws: EncodeWorkspace) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(text.utf8.count / 3 + 4)
        if addSpecialTokens { out += prefixIDs }
        var s = text
        s.withUTF8 { encodeBytes($0, ws, &out) }
        if addSpecialTokens { out += suffixIDs }
        return out
    }

    /// Encodes many texts on `threads` threads (deterministic; output order = input order).
    public func encodeBatch(_ texts: [String], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                            addSpecialTokens: Bool = false) -> [[Int32]] {
        let n = texts.count
        let t = max(1, min(threads, n))
        var results = [[Int32]](repeating: [], count: n)
        if t == 1 {
            let ws = takeWorkspace()
            for i in 0..<n { results[i] = encode(texts[i], addSpecialTokens: addSpecialTokens, workspace: ws) }
            returnWorkspace(ws)
            return results
        }
        let chunk = 32
        results.withUnsafeMutableBufferPointer { res in
            let out = res
            Parallel.run(t) { worker in
                let ws = takeWorkspace()
                defer { returnWorkspace(ws) }
                var c = worker
                while c * chunk < n {
                    for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                        out[i] = encode(texts[i], addSpecialTokens: addSpecialTokens, workspace: ws)
                    }
                    c += t
                }
            }
        }
        return results
    }

    /// Full pipeline over UTF-8 bytes: raw added tokens → normalize → normalized added tokens →
    /// pre-tokenize → BPE.
    func encodeBytes(_ p: UnsafeBufferPointer<UInt8>, _ ws: EncodeWorkspace, _ out: inout [Int32]) {
        if rawMatcher.isEmpty { normalizeAndEncode(p, ws, &out); return }
        rawMatcher.split(p, into: &ws.segments)
        let segs = ws.segments
        for (a, b, ti) in segs {
            if ti >= 0 { out.append(rawMatcher.tokens[ti].id); continue }
            normalizeAndEncode(UnsafeBufferPointer(rebasing: p[a..<b]), ws, &out)
        }
    }

    private func normalizeAndEncode(_ p: UnsafeBufferPointer<UInt8>, _ ws: EncodeWorkspace, _ out: inout [Int32]) {
        if nfc && NFC.mayChange(p) {
            var n = NFC.normalize(p)
            n.withUTF8 { matchNormalizedAndEncode($0, ws, &out) }
        } else {
            matchNormalizedAndEncode(p, ws, &out)
        }
    }

    /// Encodes already-normalized text (normalized added tokens, pre-tokenizer, BPE).
    func encodeNormalized(_ p: UnsafeBufferPointer<UInt8>, _ ws: EncodeWorkspace, _ out: inout [Int32]) {
        matchNormalizedAndEncode(p, ws, &out)
    }

    private func matchNormalizedAndEncode(_ p: UnsafeBufferPointer<UInt8>, _ ws: EncodeWorkspace, _ out: inout [Int32]) {
        if normMatcher.isEmpty { preTokenizeAndEncode(p, ws, &out); return }
        normMatcher.split(p, into: &ws.segments2)
        let segs = ws.segments2
        for (a, b, ti) in segs {
            if ti >= 0 { out.append(normMatcher.tokens[ti].id); continue }
            preTokenizeAndEncode(UnsafeBufferPointer(rebasing: p[a..<b]), ws, &out)
        }
    }

    private func preTokenizeAndEncode(_ p: UnsafeBufferPointer<UInt8>, _ ws: EncodeWorkspace, _ out: inout [Int32]) {
        if p.isEmpty { return }
        if splits.isEmpty { bpe(p.baseAddress!, p.count, ws, &out); return }
        let m = ws.decode(p)
        let base = p.baseAddress!
        ws.sc.withUnsafeBufferPointer { sc in
            ws.cl.withUnsafeBufferPointer { cl in
                ws.off.withUnsafeBufferPointer { off in
                    splitLevel(0, 0, m, sc.baseAddress!, cl.baseAddress!, off.baseAddress!, base, ws, &out)
                }
            }
        }
    }

    private func splitLevel(_ level: Int, _ lo: Int, _ hi: Int, _ sc: UnsafePointer<UInt32>, _ cl: UnsafePointer<UInt8>,
                            _ off: UnsafePointer<Int32>, _ base: UnsafePointer<UInt8>, _ ws: EncodeWorkspace,
                            _ out: inout [Int32]) {
        if level == splits.count {
            let a = Int(off[lo]), b = Int(off[hi])
            bpe(base + a, b - a, ws, &out)
            return
        }
        splits[level].split(sc, cl, lo, hi) { a, b in
            splitLevel(level + 1, a, b, sc, cl, off, base, ws, &out)
        }
    }

    /// BPE of one pre-token's bytes.
    @inline(__always)
    func bpe(_ p: UnsafePointer<UInt8>, _ n: Int, _ ws: EncodeWorkspace, _ out: inout [Int32]) {
        if n == 1 {
            let id = byteToIDPointer[Int(p[0])]
            if id >= 0 { out.append(id) }
            return
        }
        if ignoreMerges, let id = vocab.find(p, n) { out.append(id); return }
        let cacheable = n <= WordCache.keyCap
        var h = 0
        if cacheable {
            h = ByteStringTable.hash(p, n)
            if ws.cache.lookup(p, n, hash: h, into: &out) { return }
        }
        if ws.byteIDs.count < n { ws.byteIDs = [Int32](repeating: 0, count: max(n, 64)) }
        var m = 0
        ws.byteIDs.withUnsafeMutableBufferPointer { ids in
            do {
                let b2i = byteToIDPointer
                for k in 0..<n {
                    let id = b2i[Int(p[k])]
                    if id >= 0 { ids[m] = id; m += 1 }
                }
            }
        }
        let start = out.count
        ws.byteIDs.withUnsafeBufferPointer { ids in
            ws.merger.merge(UnsafeBufferPointer(rebasing: ids[0..<m]), merges: merges, into: &out)
        }
        if cacheable { ws.cache.store(p, n, hash: h, ids: out[start...]) }
    }
}
