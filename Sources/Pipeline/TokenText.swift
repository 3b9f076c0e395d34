import Records
import Tokenizer

/// Display text of tokens, one piece per position, for the audit's token view.
///
/// A byte-level BPE token can hold part of a UTF-8 character (a CJK character or an emoji is
/// often split over two or three tokens). `pieces` decodes incrementally, the way streaming
/// detokenizers do: bytes that end in an incomplete character are carried over to the next
/// token, so the pieces concatenate to exactly `Tokenizer.decode(ids)`. Without a tokenizer
/// (or for an id it does not know) a piece is `⟨id⟩`.
/// Reference: the UTF-8 sequence lengths of RFC 3629 §4.
public enum TokenText {
    /// One display piece per id.
    public static func pieces(_ ids: [TokenID], tokenizer: Tokenizer?) -> [String] {
        var out: [String] = []
        out.reserveCapacity(ids.count)
        var pending: [UInt8] = []
        for id in ids {
            guard let tokenizer, let b = tokenizer.bytes(of: id) else {
                out.append("⟨\(id)⟩")
                continue
            }
            pending += b
            let cut = completePrefix(pending)
            out.append(String(decoding: pending[..<cut], as: UTF8.self))
            pending.removeFirst(cut)
        }
        if !pending.isEmpty {
            // A sequence that never completed: shown (as U+FFFD) on the last token.
            let tail = String(decoding: pending, as: UTF8.self)
            if out.isEmpty { out.append(tail) } else { out[out.count - 1] += tail }
        }
        return out
    }

    /// The text of a single token (U+FFFD for a partial character), or `⟨id⟩` when unknown.
    public static func single(_ id: TokenID, tokenizer: Tokenizer?) -> String {
        guard let tokenizer, let b = tokenizer.bytes(of: id) else { return "⟨\(id)⟩" }
        return String(decoding: b, as: UTF8.self)
    }

    /// Length of the longest prefix of `b` that does not end inside a UTF-8 sequence: only a
    /// lead byte in the last three positions whose sequence runs past the end is held back.
    static func completePrefix(_ b: [UInt8]) -> Int {
        let n = b.count
        var i = n - 1
        while i >= 0 && i >= n - 3 {
            let c = b[i]
            if c & 0xC0 != 0x80 {  // a lead (or ASCII) byte
                let len = c >= 0xF0 && c < 0xF8 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1
                return i + len > n ? i : n
            }
            i -= 1
        }
        return n
    }
}
