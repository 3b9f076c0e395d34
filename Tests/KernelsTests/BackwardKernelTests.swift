import Foundation
import Kernels
import XCTest

/// Each backward kernel against its naive double-precision twin, plus finite-difference checks
/// of the twins' maths on tiny shapes.
final class BackwardKernelTests: XCTestCase {
    struct Rng { var s: UInt64; mutating func next() -> Float { s = s &* 6364136223846793005 &+ 1442695040888963407; return Float(Int64(bitPattern: s >> 11) % 2_000_001) / 1_000_000 - 1 } }
    func rand(_ n: Int, _ seed: UInt64) -> [Float] { var r = Rng(s: seed); return (0..<n).map { _ in r.next() } }

    /// max |a − b| / max(1, max|b|), printed with its index on failure.
    func assertClose(_ a: [Float], _ b: [Float], _ tol: Float, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        var worst: Float = 0, at = 0
        let scale = max(1, b.map(abs).max() ?? 1)
        for i in 0..<a.count { let d = abs(a[i] - b[i]) / scale; if d > worst { worst = d; at = i } }
        XCTAssertLessThanOrEqual(worst, tol, "\(what): max scaled diff \(worst) at \(at) (\(a[at]) vs \(b[at]))", file: file, line: line)
    }

    // Tolerances: float32 sgemm/loops vs double twins on O(1) data with sums of ≤ 64 terms: 1e-5.
    func testLinear() {
        let t = 5, i = 7, o = 6
        let x = rand(t * i, 1), w = rand(o * i, 2), dy = rand(t * o, 3)
        var dx1 = [Float](repeating: 0.5, count: t * i), dw1 = [Float](repeating: 0.25, count: o * i), db1 = [Float](repeating: 0.1, count: o)
        var dx2 = dx1, dw2 = dw1, db2 = db1
        Backward.linear(dy: dy, x: x, w: w, dx: &dx1, dw: &dw1, db: &db1, tokens: t, inDim: i, outDim: o, accumulateDX: true)
        Backward.linearNaive(dy: dy, x: x, w: w, dx: &dx2, dw: &dw2, db: &db2, tokens: t, inDim: i, outDim: o, accumulateDX: true)
        assertClose(dx1, dx2, 1e-5, "dx"); assertClose(dw1, dw2, 1e-5, "dw"); assertClose(db1, db2, 1e-5, "db")
    }

    func testRMSNormAgainstNaiveAndFiniteDifference() {
        let r = 3, c = 16
        let eps: Float = 1e-6
        let x = rand(r * c, 4), w = rand(c, 5).map { 1 + 0.1 * $0 }, dy = rand(r * c, 6)
        var inv = [Float](repeating: 0, count: r)
        for k in 0..<r { var ss: Float = 0; for j in 0..<c { ss += x[k * c + j] * x[k * c + j] }; inv[k] = 1 / (ss / Float(c) + eps).squareRoot() }
        var dx1 = [Float](repeating: 0, count: r * c), dw1 = [Float](repeating: 0, count: c)
        var dx2 = dx1, dw2 = dw1
        Backward.rmsNorm(x: x, invRms: inv, w: w, dy: dy, dx: &dx1, dw: &dw1, rows: r, dim: c)
        Backward.rmsNormNaive(x: x, w: w, eps: eps, dy: dy, dx: &dx2, dw: &dw2, rows: r, dim: c)
        assertClose(dx1, dx2, 1e-5, "dx"); assertClose(dw1, dw2, 1e-5, "dw")
        // Finite difference on L = Σ dy·y in double (central, h = 1e-6; error O(h²)).
        func loss(_ xx: [Double]) -> Double {
            var l = 0.0
            for k in 0..<r {
                var ss = 0.0; for j in 0..<c { ss += xx[k * c + j] * xx[k * c + j] }
                let iv = 1 / (ss / Double(c) + Double(eps)).squareRoot()
                for j in 0..<c { l += Double(dy[k * c + j]) * xx[k * c + j] * iv * Double(w[j]) }
            }
            return l
        }
        let xd = x.map(Double.init)
        for idx in [0, 5, 17, 40] {
            var p = xd, m = xd; p[idx] += 1e-6; m[idx] -= 1e-6
            let fd = (loss(p) - loss(m)) / 2e-6
            XCTAssertEqual(Double(dx2[idx]), fd, accuracy: 1e-4 * max(1, abs(fd)), "finite difference at \(idx)")
        }
    }

    func testRopeBackwardIsInverseRotation() {
        // Rotation is orthogonal: backward(forward-rotated gradient) must equal the transpose action.
        let t = 3, h = 2, d = 8, half = 4
        var cosT = [Float](), sinT = [Float]()
        for p in 0..<t { for i in 0..<half { let a = Float(p) * powf(10000, -Float(2 * i) / Float(d)); cosT.append(cosf(a)); sinT.append(sinf(a)) } }
        let pos: [Int32] = [0, 1, 2]
        let x = rand(t * h * d, 7), dy = rand(t * h * d, 8)
        // y = R x ; <dy, R x> must equal <Rᵀ dy, x>
        var y = x
        for r in 0..<t { for hh in 0..<h { for i in 0..<half {
            let base = (r * h + hh) * d, c = cosT[r * half + i], s = sinT[r * half + i]
            let a = x[base + i], b = x[base + i + half]
            y[base + i] = a * c - b * s; y[base + i + half] = b * c + a * s } } }
        var g = dy
        Backward.rope(&g, positions: pos, cos: cosT, sin: sinT, tokens: t, heads: h, headDim: d)
        let lhs = zip(dy, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(g, x).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        XCTAssertEqual(lhs, rhs, accuracy: 1e-5)
    }

    func testAttentionBackwardPackedGQA() {
        // Two packed sequences (lengths 5 and 3), 4 query heads over 2 kv heads, head_dim 4.
        let starts = [0, 5, 8], t = 8, heads = 4, kv = 2, hd = 4
        let scale = 1 / Float(hd).squareRoot()
        let q = rand(t * heads * hd, 9), k = rand(t * kv * hd, 10), v = rand(t * kv * hd, 11), dOut = rand(t * heads * hd, 12)
        // forward logsumexp (double)
        var lse = [Float](repeating: 0, count: heads * t)
        for s in 0..<2 { for hh in 0..<heads { for i in starts[s]..<starts[s + 1] {
            var sc: [Double] = []
            for j in starts[s]...i { var dd = 0.0; for e in 0..<hd { dd += Double(q[i * heads * hd + hh * hd + e]) * Double(k[j * kv * hd + (hh / 2) * hd + e]) }; sc.append(dd * Double(scale)) }
            let m = sc.max()!; lse[hh * t + i] = Float(m + log(sc.reduce(0) { $0 + exp($1 - m) }))
        } } }
        var dq1 = [Float](repeating: 9, count: t * heads * hd), dk1 = [Float](repeating: 9, count: t * kv * hd), dv1 = dk1
        var dq2 = dq1, dk2 = dk1, dv2 = dv1
        var sp = [Float](repeating: 0, count: Backward.attentionScratch(maxLen: 5, headDim: hd, group: heads / kv)), sdp = sp
        Backward.attention(q: q, k: k, v: v, lse: lse, dOut: dOut, dq: &dq1, dk: &dk1, dv: &dv1, seqStarts: starts, seqCount: 2, tokens: t,
                           heads: heads, kvHeads: kv, headDim: hd, scale: scale, scratchP: &sp, scratchDP: &sdp)
        Backward.attentionNaive(q: q, k: k, v: v, dOut: dOut, dq: &dq2, dk: &dk2, dv: &dv2, seqStarts: starts, tokens: t,
                                heads: heads, kvHeads: kv, headDim: hd, scale: scale)
        assertClose(dq1, dq2, 1e-5, "dq"); assertClose(dk1, dk2, 1e-5, "dk"); assertClose(dv1, dv2, 1e-5, "dv")
        // Two workers (jobs = sequence × kv head) give bit-identical results.
        var dq4 = dq1.map { _ in Float(7) }, dk4 = dk1.map { _ in Float(7) }, dv4 = dk4
        var sp2 = [Float](repeating: 0, count: 2 * Backward.attentionScratch(maxLen: 5, headDim: hd, group: heads / kv)), sdp2 = sp2
        Backward.attention(q: q, k: k, v: v, lse: lse, dOut: dOut, dq: &dq4, dk: &dk4, dv: &dv4, seqStarts: starts, seqCount: 2, tokens: t,
                           heads: heads, kvHeads: kv, headDim: hd, scale: scale, scratchP: &sp2, scratchDP: &sdp2, workers: 2)
        XCTAssertEqual(dq4, dq1); XCTAssertEqual(dk4, dk1); XCTAssertEqual(dv4, dv1)
        // Per-sample isolation: the second sequence's gradients don't depend on the first's dOut.
        var dOut2 = dOut
        for i in 0..<(5 * heads * hd) { dOut2[i] = 0 }
        var dq3 = dq2, dk3 = dk2, dv3 = dv2
        Backward.attentionNaive(q: q, k: k, v: v, dOut: dOut2, dq: &dq3, dk: &dk3, dv: &dv3, seqStarts: starts, tokens: t,
                                heads: heads, kvHeads: kv, headDim: hd, scale: scale)
        for i in (5 * kv * hd)..<(t * kv * hd) { XCTAssertEqual(dk3[i], dk2[i], accuracy: 1e-6); XCTAssertEqual(dv3[i], dv2[i], accuracy: 1e-6) }
        for i in 0..<(5 * kv * hd) { XCTAssertEqual(dk3[i], 0); XCTAssertEqual(dv3[i], 0) }
    }

    func testAttentionBackwardAcrossCausalBlocks() {
        // Lengths cross the 64-token query blocks (70, 130) and include a 1-token sequence;
        // 6 query heads over 2 kv heads (3 stacked per GEMM), head_dim 16.
        let lens = [70, 1, 130], heads = 6, kv = 2, hd = 16
        var starts = [0]
        for l in lens { starts.append(starts.last! + l) }
        let t = starts.last!
        let scale = 1 / Float(hd).squareRoot()
        let q = rand(t * heads * hd, 31).map { $0 * 2 }, k = rand(t * kv * hd, 32).map { $0 * 2 }
        let v = rand(t * kv * hd, 33), dOut = rand(t * heads * hd, 34)
        var out = [Float](repeating: 0, count: t * heads * hd), lse = [Float](repeating: 0, count: heads * t)
        Attention.naive(q: q, k: k, v: v, out: &out, lse: &lse, cuSeqlens: starts.map { Int32($0) }, nSeq: lens.count,
                        heads: heads, kvHeads: kv, headDim: hd, scale: scale)
        let per = Backward.attentionScratch(maxLen: 130, headDim: hd, group: heads / kv)
        var sp = [Float](repeating: 0, count: 2 * per), sdp = sp
        var dq1 = [Float](repeating: 9, count: t * heads * hd), dk1 = [Float](repeating: 9, count: t * kv * hd), dv1 = dk1
        var dq2 = dq1, dk2 = dk1, dv2 = dv1
        Backward.attention(q: q, k: k, v: v, lse: lse, dOut: dOut, dq: &dq1, dk: &dk1, dv: &dv1, seqStarts: starts,
                           seqCount: lens.count, tokens: t, heads: heads, kvHeads: kv, headDim: hd, scale: scale,
                           scratchP: &sp, scratchDP: &sdp, workers: 2)
        Backward.attentionNaive(q: q, k: k, v: v, dOut: dOut, dq: &dq2, dk: &dk2, dv: &dv2, seqStarts: starts, tokens: t,
                                heads: heads, kvHeads: kv, headDim: hd, scale: scale)
        // float32 GEMMs over ≤ 130 keys × 3 heads vs the double twin; |q|,|k| ≤ 2 makes softmax
        // peaky, so allow 2e-5 of the largest gradient.
        assertClose(dq1, dq2, 2e-5, "dq"); assertClose(dk1, dk2, 2e-5, "dk"); assertClose(dv1, dv2, 2e-5, "dv")
    }

    func testSwiGLUAndEmbedding() {
        let n = 50
        let a = rand(n, 13).map { $0 * 4 }, b = rand(n, 14), dm = rand(n, 15)
        var da1 = [Float](repeating: 0, count: n), db1 = da1, da2 = da1, db2 = da1
        Backward.swiglu(a: a, b: b, dm: dm, da: &da1, db: &db1, count: n)
        Backward.swigluNaive(a: a, b: b, dm: dm, da: &da2, db: &db2, count: n)
        assertClose(da1, da2, 1e-6, "da"); assertClose(db1, db2, 1e-6, "db")
        // Row form for the fused gate|up weight: row r of dGateUp = [da_r | db_r], bit-identical.
        let (rows, inter) = (7, 37)
        let ra = rand(rows * inter, 21).map { $0 * 4 }, rb = rand(rows * inter, 22), rdm = rand(rows * inter, 23)
        var fa = [Float](repeating: 0, count: rows * inter), fb = fa, both = [Float](repeating: 0, count: 2 * rows * inter)
        Backward.swiglu(a: ra, b: rb, dm: rdm, da: &fa, db: &fb, count: rows * inter)
        Backward.swigluRows(a: ra, b: rb, dm: rdm, dGateUp: &both, rows: rows, inter: inter)
        var joined = [Float](repeating: 0, count: 2 * rows * inter)
        fa.withUnsafeBufferPointer { pa in fb.withUnsafeBufferPointer { pb in
            Elementwise.joinColumns(&joined, rows: rows, parts: [(pa.baseAddress!, inter), (pb.baseAddress!, inter)])
        } }
        XCTAssertEqual(both, joined, "swigluRows differs from swiglu + joinColumns")
        var back = [Float](repeating: 0, count: rows * inter), back2 = back
        joined.withUnsafeBufferPointer { j in
            back.withUnsafeMutableBufferPointer { b1 in back2.withUnsafeMutableBufferPointer { b2 in
                Elementwise.splitColumns(j.baseAddress!, rows: rows, parts: [(b1.baseAddress!, inter, nil), (b2.baseAddress!, inter, nil)])
            } }
        }
        XCTAssertEqual(back, fa); XCTAssertEqual(back2, fb)
        var sums = [Float](repeating: 1, count: inter)
        Elementwise.addColumnSums(fa, rows: rows, dim: inter, into: &sums)
        for o in 0..<inter {
            let ref = 1 + (0..<rows).reduce(Float(0)) { $0 + fa[$1 * inter + o] }
            XCTAssertEqual(sums[o], ref, accuracy: 1e-6, "column sum \(o)")
        }
        var table = [Float](repeating: 0, count: 4 * 2)
        Backward.embedding(dx: [1, 2, 3, 4, 5, 6], ids: [3, 0, 3], dTable: &table, tokens: 3, dim: 2, paddingIdx: 0)
        XCTAssertEqual(table, [0, 0, 0, 0, 0, 0, 6, 8])
    }

    func testLossRowStatsAndGradient() {
        let v = 300
        let z = rand(v, 16).map { $0 * 8 }
        var heap = [Float](repeating: 0, count: 20)
        let s = DistributionStats.row(logits: z, vocab: v, target: 17, k: 20, heap: &heap)
        let n = DistributionStats.naive(logits: z, vocab: v, target: 17, k: 20)
        XCTAssertEqual(s.logprob, n.logprob, accuracy: 1e-5)
        XCTAssertEqual(s.entropy, n.entropy, accuracy: 1e-5)
        XCTAssertEqual(s.topKEntropy, n.topKEntropy, accuracy: 1e-5)
        // The trainer's in-place variant (exp left in the row): bit-identical statistics; with
        // K = 1 (no gate needed) the same log-probability and entropy, and gate 0.
        var e = z
        let s2 = DistributionStats.rowStoringExp(logits: &e, vocab: v, target: 17, k: 20, heap: &heap)
        XCTAssertEqual(s2, s)
        var zc = z
        let s1 = DistributionStats.rowStoringExp(logits: &zc, vocab: v, target: 17, k: 1, heap: &heap)
        XCTAssertEqual(s1.logprob, s.logprob); XCTAssertEqual(s1.entropy, s.entropy); XCTAssertEqual(s1.sumExp, s.sumExp)
        XCTAssertEqual(s1.gate, 0); XCTAssertEqual(s1.topKEntropy, 0)
        LossKernels.crossEntropyGradFromExp(&e, vocab: v, target: 17, sumExp: s2.sumExp, coef: 0.5)
        var g = z
        LossKernels.crossEntropyGradInPlace(logits: &g, vocab: v, target: 17, logSumExp: s.maxLogit + log(s.sumExp), coef: 0.5)
        XCTAssertEqual(g.reduce(0, +), 0, accuracy: 1e-5)  // softmax − onehot sums to 0
        for i in 0..<v { XCTAssertEqual(e[i], g[i], accuracy: 5e-7) }
        // finite difference of CE at a few logits
        for i in [0, 17, 120] {
            var p = z.map(Double.init), m = p; p[i] += 1e-5; m[i] -= 1e-5
            func ce(_ x: [Double]) -> Double { let mx = x.max()!; return mx + log(x.reduce(0) { $0 + exp($1 - mx) }) - x[17] }
            XCTAssertEqual(Double(g[i]), 0.5 * (ce(p) - ce(m)) / 2e-5, accuracy: 1e-4)
        }
    }

    func testAdamWMatchesNaive() {
        let n = 100
        var p1 = rand(n, 17), g = rand(n, 18).map { $0 * 1e-2 }, m1 = [Float](repeating: 0, count: n), v1 = m1
        var p2 = p1, m2 = m1, v2 = v1
        for step in 1...3 {
            AdamWKernel.step(params: &p1, grads: g, m: &m1, v: &v1, count: n, lr: 1e-3, step: step, hyper: AdamWHyper())
            AdamWKernel.stepNaive(params: &p2, grads: g, m: &m2, v: &v2, count: n, lr: 1e-3, step: step, hyper: AdamWHyper())
            g = g.map { $0 * -0.7 }
        }
        assertClose(p1, p2, 1e-6, "params")
    }
}
