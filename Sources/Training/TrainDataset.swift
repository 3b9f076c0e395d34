import Core
import Foundation
import Model
import Records

/// One tokenized training sample. `mask[j] == 1` marks token j as a label; `gates[j]` is its
/// static gate (scored under the base model) when the data carries one.
public struct TrainSample: Sendable, Equatable {
    public var ids: [TokenID]
    public var mask: [UInt8]
    public var gates: [Float]?
    public init(ids: [TokenID], mask: [UInt8], gates: [Float]? = nil) { self.ids = ids; self.mask = mask; self.gates = gates }
    public var labelCount: Int { ids.count < 2 ? 0 : mask[1...].reduce(0) { $0 + Int($1) } }
}

/// Training / evaluation samples loaded from JSONL (`{"ids": [...], "mask": [...], "gate": [...]?}`;
/// `mask` and `gate` align with `ids`) or eaft shard directories (`TrainDatasetShards.swift`).
/// Bad lines / samples are skipped and counted with file:line (or dir#index) reasons.
public struct TrainDataset: Sendable {
    public var samples: [TrainSample] = []
    /// Skipped lines / samples: "file:line: reason" or "dir#index: reason".
    public var errors: [String] = []
    public var truncated = 0
    public init(samples: [TrainSample] = []) { self.samples = samples }

    /// Loads JSONL files and/or shard directories, truncating samples to `maxLen` tokens, checking ids < `vocab`.
    public static func load(paths: [String], maxLen: Int, vocab: Int) throws -> TrainDataset {
        var ds = TrainDataset()
        for path in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw TrainError("data file not found", at: path)
            }
            if isDir.boolValue {
                try loadShards(path, maxLen: maxLen, vocab: vocab, into: &ds)
                continue
            }
            guard let data = FileManager.default.contents(atPath: path) else { throw TrainError("cannot read", at: path) }
            data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                LineReader.forEachLine(in: raw) { lineNo, line in
                    if LineReader.isBlank(line) { return }
                    do {
                        var s = try parseLine(line, vocab: vocab)
                        if s.ids.count > maxLen {
                            s.ids.removeLast(s.ids.count - maxLen); s.mask.removeLast(s.mask.count - maxLen)
                            if s.gates != nil { s.gates!.removeLast(s.gates!.count - maxLen) }
                            ds.truncated += 1
                        }
                        ds.samples.append(s)
                    } catch {
                        ds.errors.append("\(path):\(lineNo): \(error)")
                    }
                }
            }
        }
        return ds
    }

    /// Every skipped line / sample, one per line for stderr: the first `limit` in full, then a
    /// count of the rest. Empty when nothing was skipped.
    public func errorReport(limit: Int = 20) -> String {
        guard !errors.isEmpty else { return "" }
        var s = "skipped \(errors.count) bad data \(errors.count == 1 ? "entry" : "entries"):\n"
        for e in errors.prefix(limit) { s += "  \(e)\n" }
        if errors.count > limit { s += "  ... and \(errors.count - limit) more\n" }
        return s
    }

    static func parseLine(_ line: UnsafeRawBufferPointer, vocab: Int) throws -> TrainSample {
        let v = try JSONParser.parse(line)
        guard case .array(let idsV)? = v["ids"] else { throw TrainError("missing array 'ids'") }
        guard case .array(let maskV)? = v["mask"] else { throw TrainError("missing array 'mask'") }
        guard idsV.count == maskV.count else { throw TrainError("'ids' has \(idsV.count) entries but 'mask' has \(maskV.count)") }
        guard !idsV.isEmpty else { throw TrainError("empty sample") }
        var ids = [Int32](), mask = [UInt8]()
        ids.reserveCapacity(idsV.count); mask.reserveCapacity(idsV.count)
        for (i, x) in idsV.enumerated() {
            guard let id = x.intValue, id >= 0, id < vocab else { throw TrainError("ids[\(i)] is not a token id below vocab size \(vocab)") }
            ids.append(Int32(id))
        }
        for (i, x) in maskV.enumerated() {
            if let b = x.boolValue { mask.append(b ? 1 : 0); continue }
            guard let m = x.intValue, m == 0 || m == 1 else { throw TrainError("mask[\(i)] must be 0 or 1") }
            mask.append(UInt8(m))
        }
        var gates: [Float]? = nil
        if let gv = v["gate"], !gv.isNull {
            guard case .array(let ga) = gv, ga.count == idsV.count else { throw TrainError("'gate' must be an array aligned with 'ids'") }
            gates = try ga.enumerated().map { i, x in
                guard let d = x.doubleValue, d >= 0, d <= 1 else { throw TrainError("gate[\(i)] must be a number in [0, 1]") }
                return Float(d)
            }
        }
        return TrainSample(ids: ids, mask: mask, gates: gates)
    }
}

/// Seeded data order. Epoch e's order is a Fisher–Yates shuffle driven by SplitMix64
/// (Steele, Lea & Flood 2014; https://prng.di.unimi.it/splitmix64.c — the Model module's
/// `SplitMix64`) seeded with `seed ^ (e · 0x9E3779B97F4A7C15)`, so any epoch's order is
/// reproducible from (seed, epoch) alone.
public enum DataOrder {
    /// Sample order for an epoch (identity when not shuffling). Uses `next() % (i+1)` (tiny modulo
    /// bias, irrelevant here, but fixed so orders are stable across platforms).
    public static func epochOrder(count: Int, seed: UInt64, epoch: Int, shuffle: Bool) -> [Int] {
        var order = Array(0..<count)
        guard shuffle, count > 1 else { return order }
        var rng = SplitMix64(seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15))
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        return order
    }
}

/// Greedy token-budget batching: samples in epoch order fill a micro-batch until the next one
/// would exceed `batchTokens` tokens or `batchSamples` samples.
public enum Batcher {
    /// Micro-batch boundaries over `order`, as cursor ranges into `order`.
    public static func plan(order: [Int], lengths: [Int], batchTokens: Int, batchSamples: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = 0
        while i < order.count {
            var j = i, tokens = 0
            while j < order.count && j - i < batchSamples && (j == i || tokens + lengths[order[j]] <= batchTokens) {
                tokens += lengths[order[j]]; j += 1
            }
            out.append(i..<j)
            i = j
        }
        return out
    }

    /// Packs `order[range]` into one batch.
    public static func pack(_ ds: TrainDataset, order: [Int], range: Range<Int>) -> TrainBatch {
        var b = TrainBatch()
        for k in range {
            let s = ds.samples[order[k]]
            b.append(ids: s.ids, mask: s.mask, gates: s.gates)
        }
        return b
    }
}

/// Learning-rate schedules with HF `transformers.optimization` semantics
/// (https://github.com/huggingface/transformers/blob/main/src/transformers/optimization.py):
/// the update of optimizer step k (0-based) uses `lr · factor(k)`.
public enum LRSchedule {
    public static func factor(_ kind: String, step k: Int, warmupSteps w: Int, totalSteps n: Int) -> Double {
        if k < w { return Double(k) / Double(max(1, w)) }
        switch kind {
        case "cosine":
            let progress = Double(k - w) / Double(max(1, n - w))
            return max(0, 0.5 * (1 + cos(Double.pi * 0.5 * 2 * progress)))
        case "linear":
            return max(0, Double(n - k) / Double(max(1, n - w)))
        default:
            return 1
        }
    }

    /// HF `get_warmup_steps`: ceil(total · ratio).
    public static func warmupSteps(ratio: Double, total: Int) -> Int { Int((Double(total) * ratio).rounded(.up)) }
}
