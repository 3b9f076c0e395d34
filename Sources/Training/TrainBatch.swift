import Foundation
import Model
import Records

/// Samples packed into one token row: every sample is its own causal sequence (no
/// cross-attention between samples, positions restart at 0), so packing equals padding
/// without the wasted compute.
public struct TrainBatch: Sendable, Equatable {
    /// Token ids, `T` of them.
    public var ids: [TokenID] = []
    /// Position ids (restart at 0 for each sample).
    public var positions: [Int32] = []
    /// Sample `s` covers rows `seqStarts[s] ..< seqStarts[s+1]`.
    public var seqStarts: [Int] = [0]
    /// Rows `t` whose hidden state predicts a label token `ids[t+1]` (same sample).
    public var lossRows: [Int32] = []
    /// The label token predicted at each loss row.
    public var lossTargets: [TokenID] = []
    /// Static gate per loss row (NaN when the data has none).
    public var staticGates: [Float] = []
    /// Longest sample in the batch.
    public var maxLen: Int = 0

    public init() {}
    public var tokenCount: Int { ids.count }
    public var sequenceCount: Int { seqStarts.count - 1 }
    public var labelCount: Int { lossRows.count }

    /// The same tokens as the Model module's packed batch (cu_seqlens form) for `CausalLM.forward`.
    public var modelBatch: PackedBatch {
        PackedBatch((0..<sequenceCount).map { Array(ids[seqStarts[$0]..<seqStarts[$0 + 1]]) })
    }

    /// Appends one sample. `mask[j] == 1` marks token j as a label (predicted from j−1);
    /// `gates[j]` is its static gate if known.
    public mutating func append(ids s: [TokenID], mask: [UInt8], gates: [Float]?) {
        let base = ids.count
        ids.append(contentsOf: s)
        for j in 0..<s.count { positions.append(Int32(j)) }
        for j in 1..<max(s.count, 1) where mask[j] != 0 {
            lossRows.append(Int32(base + j - 1))
            lossTargets.append(s[j])
            staticGates.append(gates?[j] ?? .nan)
        }
        seqStarts.append(ids.count)
        maxLen = max(maxLen, s.count)
    }
}
