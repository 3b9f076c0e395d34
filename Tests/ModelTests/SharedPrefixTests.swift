import Core
import Foundation
import Kernels
import Model
import TestSupport
import XCTest

/// Shared-prefix packing (`PackedBatch(_:sharingPrefixes:)`, `Attention.SharedPrefixes`,
/// `CausalLM.sharePrefixes`): a sequence reuses the rows of a prefix it shares with an earlier
/// one of the same pass. Reference: the same sequences computed in full. Tolerance 1e-5 on
/// attention outputs (convex combinations of |v| ≤ 1; the shared rows enter a different GEMM
/// composition) and on log-probabilities / gates (as `testPackingAndChunkingAreTransparent`);
/// entries inside a shared prefix are the parent's, bit for bit.
final class SharedPrefixTests: XCTestCase {
    /// A: 90 tokens; B: A's first 40 + 60 own; C: B's first 70 (so A's 40 + B's 30) + 25 own;
    /// D: A's first 20 (no own rows); E: unrelated; F: B again (a duplicate).
    static func sequences() -> [[Int32]] {
        let a = (0..<90).map { Int32(($0 * 7 + 3) % 50) }
        let b = Array(a[0..<40]) + (0..<60).map { Int32(($0 * 11 + 5) % 50) }
        let c = Array(b[0..<70]) + (0..<25).map { Int32(($0 * 13 + 1) % 50) }
        let d = Array(a[0..<20])
        let e = (0..<33).map { Int32(($0 * 17 + 2) % 40 + 60) }
        return [a, b, c, d, e, b]
    }

    func testPackedBatchLayout() {
        let seqs = Self.sequences()
        let full = PackedBatch(seqs), shared = PackedBatch(seqs, sharingPrefixes: true)
        XCTAssertFalse(full.sharesPrefixes)
        XCTAssertEqual(full.tokenCount, seqs.reduce(0) { $0 + $1.count })
        XCTAssertEqual(shared.prefixLengths, [0, 40, 70, 20, 0, 100])
        XCTAssertEqual(shared.parents, [-1, 0, 1, 0, -1, 1])
        XCTAssertEqual(shared.tokenCount, 90 + 60 + 25 + 0 + 33 + 0)
        XCTAssertEqual(shared.maxLen, 100)
        // C's own rows continue at position 70; its prefix spans A's rows and B's own rows.
        XCTAssertEqual(shared.positions[shared.range(2).lowerBound], 70)
        XCTAssertEqual(shared.row(sequence: 2, position: 39), 39)
        XCTAssertEqual(shared.row(sequence: 2, position: 40), 90)
        XCTAssertEqual(shared.row(sequence: 5, position: 99), shared.row(sequence: 1, position: 99))
        // Every logical position maps to a physical row holding the same token at the same position.
        for (s, q) in seqs.enumerated() {
            for p in q.indices {
                let r = shared.row(sequence: s, position: p)
                XCTAssertEqual(shared.ids[r], q[p], "seq \(s) pos \(p)")
                XCTAssertEqual(Int(shared.positions[r]), p, "seq \(s) pos \(p)")
            }
        }
    }

    /// q/k/v of a row are a function of the tokens up to it (as in a real model), so shared rows
    /// hold the values the sequence itself would have computed.
    func testAttentionWithSharedPrefixesMatchesFullSequences() {
        let seqs = Self.sequences()
        let (heads, kv, hd) = (6, 2, 16)
        func values(_ b: PackedBatch, width: Int, salt: UInt64) -> [Float] {
            var out = [Float](repeating: 0, count: b.tokenCount * width)
            for (s, q) in seqs.enumerated() {
                var h: UInt64 = 1469598103934665603 ^ salt
                for p in q.indices {
                    h = (h ^ UInt64(UInt32(bitPattern: q[p]))) &* 1099511628211
                    guard b.prefixLengths[s] <= p else { continue }
                    let r = b.row(sequence: s, position: p)
                    var g = SplitMix64(seed: h)
                    for c in 0..<width { out[r * width + c] = Float(g.unit() * 4 - 2) }
                }
            }
            return out
        }
        func run(_ b: PackedBatch) -> (out: [Float], lse: [Float]) {
            let q = values(b, width: heads * hd, salt: 1), k = values(b, width: kv * hd, salt: 2)
            let v = values(b, width: kv * hd, salt: 3).map { $0 / 2 }
            var o = [Float](repeating: 0, count: b.tokenCount * heads * hd)
            var l = [Float](repeating: 0, count: heads * b.tokenCount)
            var scratch = [Float](repeating: 0, count: 2 * Attention.scratchPerWorker(maxLen: b.maxLen, headDim: hd, group: heads / kv))
            b.prefixLengths.withUnsafeBufferPointer { pl in
            b.prefixStarts.withUnsafeBufferPointer { ps in
            b.prefixRows.withUnsafeBufferPointer { pr in
                let prefixes = b.sharesPrefixes
                    ? Attention.SharedPrefixes(lengths: pl.baseAddress!, starts: ps.baseAddress!, rows: pr.baseAddress!) : nil
                Attention.forward(q: q, k: k, v: v, out: &o, lse: &l, cuSeqlens: b.cuSeqlens, nSeq: b.sequenceCount,
                                  heads: heads, kvHeads: kv, headDim: hd, scale: 1 / Float(hd).squareRoot(),
                                  scratch: &scratch, maxLen: b.maxLen, workers: 2, prefixes: prefixes)
            } } }
            return (o, l)
        }
        let full = PackedBatch(seqs), shared = PackedBatch(seqs, sharingPrefixes: true)
        let a = run(full), b = run(shared)
        var worst: (Float, Int, Int) = (0, 0, 0)
        for s in seqs.indices {
            for r in shared.range(s) {
                let p = Int(shared.positions[r]), fr = full.range(s).lowerBound + p
                for c in 0..<(heads * hd) where abs(a.out[fr * heads * hd + c] - b.out[r * heads * hd + c]) > worst.0 {
                    worst = (abs(a.out[fr * heads * hd + c] - b.out[r * heads * hd + c]), s, p)
                }
                for h in 0..<heads {
                    XCTAssertEqual(a.lse[h * full.tokenCount + fr], b.lse[h * shared.tokenCount + r], accuracy: 1e-5)
                }
            }
        }
        XCTAssertLessThan(worst.0, 1e-5, "out: max |Δ| \(worst.0) at seq \(worst.1) position \(worst.2)")
    }

    func testScoringWithSharedPrefixesMatchesFullScoring() throws {
        let lm = try CausalLM.load(directory: SharedData.repo("Tests/Fixtures/model/llama3-f16").path)
        let seqs = Self.sequences().map { $0.map { $0 % Int32(lm.vocabSize) } }
        for (budget, rows) in [(4096, 256), (200, 7)] {
            lm.tokenBudget = budget
            lm.chunkRows = rows
            lm.sharePrefixes = false
            var before = lm.computedTokens
            let full = try lm.scoreBatch(seqs)
            XCTAssertEqual(lm.computedTokens - before, seqs.reduce(0) { $0 + $1.count })
            lm.sharePrefixes = true
            before = lm.computedTokens
            let shared = try lm.scoreBatch(seqs)
            if budget == 4096 {
                XCTAssertEqual(lm.computedTokens - before, PackedBatch(seqs, sharingPrefixes: true).tokenCount)
            }
            for s in seqs.indices {
                for (name, x, y) in [("logprob", full[s].logprob, shared[s].logprob), ("gate", full[s].gate, shared[s].gate),
                                     ("entropy", full[s].entropy!, shared[s].entropy!),
                                     ("topKEntropy", full[s].topKEntropy, shared[s].topKEntropy)] {
                    var worst: Float = 0, at = 0
                    for i in x.indices where abs(x[i] - y[i]) > worst { worst = abs(x[i] - y[i]); at = i }
                    XCTAssertLessThanOrEqual(worst, 1e-5, "budget \(budget) seq \(s) \(name): max |Δ| \(worst) at \(at)")
                }
                XCTAssertEqual(shared[s].expectedID, full[s].expectedID, "budget \(budget) seq \(s)")
            }
            // One pass: B's first 40 entries are A's, bit for bit; the duplicate equals B.
            if budget == 4096 {
                XCTAssertEqual(Array(shared[1].logprob[0..<40]), Array(shared[0].logprob[0..<40]))
                XCTAssertEqual(shared[5], shared[1])
            }
        }
        lm.sharePrefixes = true
    }
}
