import DataIO
import Foundation

/// Loading eaft shard directories (written by `eaft run`; format in schemas/shard.v1.md) as
/// training samples: token ids, loss mask and — when the shard is scored — the stored gate
/// (`H^K/ln K`, the static gate). Both formats index per-token arrays the same way: entry `t`
/// describes token `t` as a label predicted from tokens `< t`.
extension TrainDataset {
    /// Appends every sample of the shard directory `path` to `ds`. A sample that fails to decode or
    /// check (corrupt block, id ≥ vocab, bad gate) is skipped and reported as `dir#index (id): reason`;
    /// an unreadable manifest or shard file is an error.
    static func loadShards(_ path: String, maxLen: Int, vocab: Int, into ds: inout TrainDataset) throws {
        let shards: ShardDataset
        do { shards = try ShardDataset(directory: path) } catch {
            throw TrainError("cannot open shard directory: \(error)", at: path,
                             hint: "pass a directory written by `eaft run` (with manifest.json) or a JSONL file")
        }
        for i in 0..<shards.count {
            do {
                var s = try convert(try shards.sample(i), vocab: vocab)
                if s.ids.count > maxLen {
                    s.ids.removeLast(s.ids.count - maxLen); s.mask.removeLast(s.mask.count - maxLen)
                    if s.gates != nil { s.gates!.removeLast(s.gates!.count - maxLen) }
                    ds.truncated += 1
                }
                ds.samples.append(s)
            } catch {
                ds.errors.append("\(path)#\(i): \(error)")
            }
        }
    }

    /// One shard sample → trainer sample. Nonzero mask bytes are labels; gates are kept only
    /// when the sample is scored (`stats` present).
    static func convert(_ s: ShardSample, vocab: Int) throws -> TrainSample {
        let tag = "sample '\(s.meta.id)'"
        guard !s.ids.isEmpty else { throw TrainError("\(tag): empty sample") }
        guard s.lossMask.count == s.ids.count else { throw TrainError("\(tag): loss mask has \(s.lossMask.count) entries for \(s.ids.count) tokens") }
        var ids = [Int32](), mask = [UInt8]()
        ids.reserveCapacity(s.ids.count); mask.reserveCapacity(s.ids.count)
        for (j, id) in s.ids.enumerated() {
            guard id >= 0 && Int(id) < vocab else {
                throw TrainError("\(tag): ids[\(j)] = \(UInt32(bitPattern: id)) is not below vocab size \(vocab)")
            }
            ids.append(id)
        }
        for m in s.lossMask { mask.append(m != 0 ? 1 : 0) }
        var gates: [Float]? = nil
        if let gate = s.stats?.gate {
            guard gate.count == s.ids.count else { throw TrainError("\(tag): gate has \(gate.count) entries for \(s.ids.count) tokens") }
            for (j, g) in gate.enumerated() where !(g >= 0 && g <= 1) {
                throw TrainError("\(tag): gate[\(j)] = \(g) is not in [0, 1]")
            }
            gates = gate
        }
        return TrainSample(ids: ids, mask: mask, gates: gates)
    }
}
