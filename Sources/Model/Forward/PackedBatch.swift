import Records

/// Variable-length sequences packed into one row of tokens without padding
/// (flash-attention `cu_seqlens` convention): sequence s is tokens
/// `cuSeqlens[s]..<cuSeqlens[s+1]`, attends only within itself, and its position ids
/// restart at 0.
///
/// With shared prefixes (`init(_:sharingPrefixes:)`), a sequence that starts with the same
/// tokens as an earlier one of the batch does not recompute them: its physical rows are only
/// the tokens after the shared prefix (positions continue from the prefix length), and its
/// attention reads the prefix's keys and values from the earlier rows (`Attention.SharedPrefixes`).
/// Causal attention makes the hidden state at a position a function of the tokens up to it,
/// so the reused rows are exactly the ones the sequence would have computed (up to float
/// rounding of the different GEMM composition).
public struct PackedBatch: Sendable, Equatable {
    /// Token ids of the physical rows, all sequences concatenated (T).
    public var ids: [TokenID]
    /// Sequence boundaries (nSeq + 1) in physical rows, starting at 0 and ending at T.
    public var cuSeqlens: [Int32]
    /// Position id of every physical row (T): its position within its sequence.
    public var positions: [Int32]
    /// Longest sequence (logical length: shared prefix included).
    public var maxLen: Int
    /// Shared-prefix length of each sequence (nSeq; all 0 without sharing).
    public var prefixLengths: [Int32]
    /// Offset of each sequence's prefix rows in `prefixRows` (nSeq).
    public var prefixStarts: [Int32]
    /// For each sequence, the physical rows of its logical positions `0..<prefixLengths[s]`.
    public var prefixRows: [Int32]
    /// The earlier sequence each one shares its prefix with (nSeq; -1: none).
    public var parents: [Int32]

    public var tokenCount: Int { ids.count }
    public var sequenceCount: Int { cuSeqlens.count - 1 }
    /// Whether any sequence reuses rows of another.
    public var sharesPrefixes: Bool { !prefixRows.isEmpty }

    /// Packs `sequences` in order. Empty sequences are kept (they contribute no tokens).
    public init(_ sequences: [[TokenID]]) {
        self.init(sequences, sharingPrefixes: false)
    }

    /// Packs `sequences` in order; with `sharingPrefixes`, each sequence reuses the longest
    /// prefix it shares with one of the `candidates` sequences before it (the earliest on ties).
    /// A sequence that is wholly a prefix of an earlier one has no rows of its own.
    public init(_ sequences: [[TokenID]], sharingPrefixes: Bool, candidates: Int = 64) {
        var ids: [TokenID] = [], cu: [Int32] = [0], pos: [Int32] = []
        var lengths = [Int32](repeating: 0, count: sequences.count), starts = lengths
        var parents = [Int32](repeating: -1, count: sequences.count)
        var prefixRows: [Int32] = []
        var m = 0
        ids.reserveCapacity(sequences.reduce(0) { $0 + $1.count })
        pos.reserveCapacity(ids.capacity)
        for (s, seq) in sequences.enumerated() {
            var shared = 0, parent = -1
            if sharingPrefixes {
                for p in max(0, s - candidates)..<s {
                    let other = sequences[p]
                    var n = 0
                    let limit = min(seq.count, other.count)
                    while n < limit && seq[n] == other[n] { n += 1 }
                    if n > shared { shared = n; parent = p }
                }
            }
            if parent >= 0 {
                // The parent's physical rows of positions 0..<shared (as `row(sequence:position:)`).
                let pShared = Int(lengths[parent]), pStart = Int(starts[parent]), pBase = Int(cu[parent])
                starts[s] = Int32(prefixRows.count)
                lengths[s] = Int32(shared)
                parents[s] = Int32(parent)
                for i in 0..<shared {
                    prefixRows.append(i < pShared ? prefixRows[pStart + i] : Int32(pBase + i - pShared))
                }
            }
            for i in shared..<seq.count {
                ids.append(seq[i])
                pos.append(Int32(i))
            }
            cu.append(Int32(ids.count))
            m = max(m, seq.count)
        }
        self.ids = ids
        cuSeqlens = cu
        positions = pos
        maxLen = m
        prefixLengths = lengths
        prefixStarts = starts
        self.prefixRows = prefixRows
        self.parents = parents
    }

    /// Range of physical rows of sequence `s`.
    public func range(_ s: Int) -> Range<Int> { Int(cuSeqlens[s])..<Int(cuSeqlens[s + 1]) }

    /// Physical row holding logical position `p` of sequence `s`.
    public func row(sequence s: Int, position p: Int) -> Int {
        let shared = Int(prefixLengths[s])
        return p < shared ? Int(prefixRows[Int(prefixStarts[s]) + p]) : Int(cuSeqlens[s]) + p - shared
    }
}
