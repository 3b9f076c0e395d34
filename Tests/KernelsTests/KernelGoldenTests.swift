import Foundation
import Kernels
import XCTest

/// Seeded generator (SplitMix64) so every run sees the same inputs.
struct TestRNG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) * 2 - 1 }
    mutating func array(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in uniform() * scale } }
}

/// max |a-b| and its index.
func maxDiff(_ a: [Float], _ b: [Float]) -> (Float, Int) {
    var m: Float = 0, at = 0
    for i in a.indices where !(abs(a[i] - b[i]) <= m) { m = abs(a[i] - b[i]); at = i }
    return (m, at)
}

/// Each fast kernel against its naive (Double, loop) twin on seeded random inputs.
final class KernelGoldenTests: XCTestCase {
    func testLinearMatchesNaive() {
        var g = TestRNG(state: 1)
        let (t, c, oc) = (37, 70, 45)
        let x = g.array(t * c), w = g.array(oc * c), b = g.array(oc), y0 = g.array(t * oc)
        for (bias, beta) in [(false, Float(0)), (true, 0), (true, 1), (false, 1)] {
            var fast = y0, slow = y0
            x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
                Linear.forward(x: xp.baseAddress!, w: wp.baseAddress!, bias: bias ? bp.baseAddress! : nil,
                               y: &fast, rows: t, inDim: c, outDim: oc, beta: beta)
                Linear.naive(x: xp.baseAddress!, w: wp.baseAddress!, bias: bias ? bp.baseAddress! : nil,
                             y: &slow, rows: t, inDim: c, outDim: oc, beta: beta)
            } } }
            let (d, at) = maxDiff(fast, slow)
            // |x|,|w| ≤ 1, 70 terms: float32 accumulation error ≲ 70 · 6e-8 · |Σ| ≈ 1e-5.
            XCTAssertLessThan(d, 2e-5, "bias \(bias) beta \(beta): max |Δ| \(d) at \(at)")
        }
    }

    func testRMSNormMatchesNaive() {
        var g = TestRNG(state: 2)
        let (rows, dim) = (9, 67)
        let x = g.array(rows * dim, scale: 3), w = g.array(dim)
        var y1 = [Float](repeating: 0, count: rows * dim), y2 = y1
        var r1 = [Float](repeating: 0, count: rows), r2 = r1
        RMSNorm.forward(x: x, w: w, y: &y1, rstd: &r1, rows: rows, dim: dim, eps: 1e-6)
        RMSNorm.naive(x: x, w: w, y: &y2, rstd: &r2, rows: rows, dim: dim, eps: 1e-6)
        // Outputs are O(1): a few float32 ulps.
        XCTAssertLessThan(maxDiff(y1, y2).0, 1e-6, "\(maxDiff(y1, y2))")
        XCTAssertLessThan(maxDiff(r1, r2).0, 1e-6, "\(maxDiff(r1, r2))")
        // In place gives the same result.
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { p in
            RMSNorm.forward(x: p.baseAddress!, w: w, y: p.baseAddress!, rstd: nil, rows: rows, dim: dim, eps: 1e-6)
        }
        XCTAssertEqual(inPlace, y1)
    }

    func testSwiGLUMatchesNaive() {
        var g = TestRNG(state: 3)
        let n = 1000 + 7
        var gate = g.array(n, scale: 12), up = g.array(n, scale: 2)
        gate[0] = 95; gate[1] = -95  // exercise the exp clamp
        var a = [Float](repeating: 0, count: n), b = a
        SwiGLU.forward(gate: gate, up: up, out: &a, count: n)
        SwiGLU.naive(gate: gate, up: up, out: &b, count: n)
        // |out| ≤ 24; fast exp is within ~2 ulp: relative 3e-7.
        let (d, at) = maxDiff(a, b)
        XCTAssertLessThan(d, 2e-5, "max |Δ| \(d) at \(at)")
    }

    func testFastExpAccuracy() {
        var worst: Double = 0
        var x: Float = -87
        while x < 88 {
            let r = Double(FastMath.exp(x)), e = Foundation.exp(Double(x))
            worst = max(worst, abs(r - e) / e)
            x += 0.0137
        }
        // Cephes expf: ~1–2 ulp (1.2e-7 relative).
        XCTAssertLessThan(worst, 3e-7, "worst relative error \(worst)")
    }

    func testRoPEMatchesNaive() {
        var g = TestRNG(state: 4)
        let (rows, heads, hd) = (11, 3, 16)
        let inv = RoPE.inverseFrequencies(theta: 10000, headDim: hd)
        let pos: [Int32] = (0..<rows).map { Int32(($0 * 7) % 13) }
        let x = g.array(rows * heads * hd)
        var cos = [Float](repeating: 0, count: 13 * hd / 2), sin = cos
        RoPE.tables(invFreq: inv, half: hd / 2, positions: 13, cos: &cos, sin: &sin)
        var a = x, b = x
        RoPE.forward(x: &a, positions: pos, cos: cos, sin: sin, rows: rows, heads: heads, headDim: hd)
        RoPE.naive(x: &b, positions: pos, invFreq: inv, rows: rows, heads: heads, headDim: hd)
        XCTAssertLessThan(maxDiff(a, b).0, 1e-6, "\(maxDiff(a, b))")
    }

    func testAttentionMatchesNaiveOnPackedSequences() {
        var g = TestRNG(state: 5)
        // Lengths cross the 64-row block boundary; GQA 6 heads over 2 kv heads.
        let lens = [70, 1, 5, 130]
        let (heads, kv, hd) = (6, 2, 16)
        var cu: [Int32] = [0]
        for l in lens { cu.append(cu.last! + Int32(l)) }
        let t = Int(cu.last!)
        let q = g.array(t * heads * hd, scale: 2), k = g.array(t * kv * hd, scale: 2), v = g.array(t * kv * hd)
        var o1 = [Float](repeating: 0, count: t * heads * hd), o2 = o1
        var l1 = [Float](repeating: 0, count: heads * t), l2 = l1
        let workers = 2
        var scratch = [Float](repeating: 0, count: workers * Attention.scratchPerWorker(maxLen: 130, headDim: hd, group: heads / kv))
        let scale = 1 / Float(hd).squareRoot()
        Attention.forward(q: q, k: k, v: v, out: &o1, lse: &l1, cuSeqlens: cu, nSeq: lens.count, heads: heads,
                          kvHeads: kv, headDim: hd, scale: scale, scratch: &scratch, maxLen: 130, workers: workers)
        Attention.naive(q: q, k: k, v: v, out: &o2, lse: &l2, cuSeqlens: cu, nSeq: lens.count, heads: heads,
                        kvHeads: kv, headDim: hd, scale: scale)
        // Outputs are convex combinations of |v| ≤ 1: float32 softmax and sums ≈ 1e-6.
        let (d, at) = maxDiff(o1, o2)
        XCTAssertLessThan(d, 1e-5, "out: max |Δ| \(d) at token \(at / (heads * hd)), head \((at / hd) % heads)")
        XCTAssertLessThan(maxDiff(l1, l2).0, 1e-5, "lse \(maxDiff(l1, l2))")
    }

    func testDistributionStatsMatchesNaive() {
        var g = TestRNG(state: 6)
        for (vocab, k, scale) in [(1000, 20, Float(8)), (37, 20, 3), (49, 1, 5), (64, 64, 2), (5000, 20, 30)] {
            var heap = [Float](repeating: 0, count: k)
            for trial in 0..<5 {
                var x = g.array(vocab, scale: scale)
                if trial == 1 { x[vocab / 2] += 40 }          // one dominant token (H ≈ 0)
                if trial == 2 { for i in 0..<vocab { x[i] = Float(i % 3) } }  // ties
                let target = Int(g.next() % UInt64(vocab))
                let a = DistributionStats.row(logits: x, vocab: vocab, target: target, k: k, heap: &heap)
                let b = DistributionStats.naive(logits: x, vocab: vocab, target: target, k: k)
                // Entropies ≤ ln V ≈ 8.5, log-probs down to ~ -60; float32 inputs: 2e-5 absolute.
                XCTAssertEqual(a.logprob, b.logprob, accuracy: 2e-5, "V \(vocab) k \(k) trial \(trial)")
                XCTAssertEqual(a.entropy, b.entropy, accuracy: 2e-5, "V \(vocab) k \(k) trial \(trial)")
                XCTAssertEqual(a.topKEntropy, b.topKEntropy, accuracy: 2e-5, "V \(vocab) k \(k) trial \(trial)")
                XCTAssertEqual(a.gate, b.gate, accuracy: 1e-5, "V \(vocab) k \(k) trial \(trial)")
                XCTAssertEqual(Double(a.maxLogit) + log(Double(a.sumExp)), Double(b.maxLogit) + log(Double(b.sumExp)), accuracy: 2e-5)
                // The in-place variant: the same numbers bit for bit, exp(x − max) left in the row.
                var e = x
                XCTAssertEqual(DistributionStats.rowStoringExp(logits: &e, vocab: vocab, target: target, k: k, heap: &heap), a)
                for i in 0..<vocab { XCTAssertEqual(e[i], Float(Foundation.exp(Double(x[i] - a.maxLogit))), accuracy: 1e-6) }
                // The expected token: the first index of the max (ties in trial 2), exactly.
                XCTAssertEqual(a.argmax, b.argmax, "V \(vocab) k \(k) trial \(trial)")
                XCTAssertEqual(a.argmaxLogprob, b.argmaxLogprob, accuracy: 2e-5, "V \(vocab) k \(k) trial \(trial)")
                XCTAssertGreaterThanOrEqual(a.argmaxLogprob, a.logprob)
            }
        }
    }

    func testGatherRows() {
        let table: [Float] = (0..<12).map(Float.init)  // 4 × 3
        var out = [Float](repeating: 0, count: 6)
        Elementwise.gatherRows(table: table, ids: [3, 1], out: &out, rows: 2, dim: 3)
        XCTAssertEqual(out, [9, 10, 11, 3, 4, 5])
    }

    func testSplitColumnsMatchesNaive() {
        var g = TestRNG(state: 7)
        let rows = 5
        let src = g.array(rows * 9), bias = g.array(2)
        var a = [Float](repeating: 0, count: rows * 4), b = [Float](repeating: 0, count: rows * 2)
        var c = [Float](repeating: 0, count: rows * 3)
        a.withUnsafeMutableBufferPointer { ap in b.withUnsafeMutableBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            var bb = bias
            bb.withUnsafeMutableBufferPointer { biasP in
                Elementwise.splitColumns(src, rows: rows, parts: [(ap.baseAddress!, 4, nil), (bp.baseAddress!, 2, biasP.baseAddress!),
                                                                  (cp.baseAddress!, 3, nil)])
            }
        } } }
        for r in 0..<rows {
            XCTAssertEqual(Array(a[(r * 4)..<(r * 4 + 4)]), Array(src[(r * 9)..<(r * 9 + 4)]))
            XCTAssertEqual(Array(b[(r * 2)..<(r * 2 + 2)]), [src[r * 9 + 4] + bias[0], src[r * 9 + 5] + bias[1]])
            XCTAssertEqual(Array(c[(r * 3)..<(r * 3 + 3)]), Array(src[(r * 9 + 6)..<(r * 9 + 9)]))
        }
    }
}
