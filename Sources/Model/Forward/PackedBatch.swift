import Records

/// Variable-length sequences packed into one row of tokens without padding
/// (flash-attention `cu_seqlens` convention): sequence s is tokens
/// `cuSeqlens[s]..<cuSeqlens[s+1]`, attends only within itself, and its position ids
/// restart at 0.
public struct PackedBatch: Sendable, Equatable {
    /// Token ids, all sequences concatenated (T).
    public var ids: [TokenID]
    /// Sequence boundaries (nSeq + 1), starting at 0 and ending at T.
    public var cuSeqlens: [Int32]
    /// Position id of every token (T): 0... within its sequence.
    public var positions: [Int32]
    /// Longest sequence.
    public var maxLen: Int

    public var tokenCount: Int { ids.count }
    public var sequenceCount: Int { cuSeqlens.count - 1 }

    /// Packs `sequences` in order. Empty sequences are kept (they contribute no tokens).
    public init(_ sequences: [[TokenID]]) {
        var ids: [TokenID] = [], cu: [Int32] = [0], pos: [Int32] = []
        var m = 0
        ids.reserveCapacity(sequences.reduce(0) { $0 + $1.count })
        for s in sequences {
            ids.append(contentsOf: s)
            pos.append(contentsOf: (0..<s.count).map { Int32($0) })
            cu.append(Int32(ids.count))
            m = max(m, s.count)
        }
        self.ids = ids
        cuSeqlens = cu
        positions = pos
        maxLen = m
    }

    /// Range of tokens of sequence `s`.
    public func range(_ s: Int) -> Range<Int> { Int(cuSeqlens[s])..<Int(cuSeqlens[s + 1]) }
}
