import Foundation
import Kernels
import XCTest

/// `Threads.sgemm` splits one GEMM over threads itself (OpenBLAS stays single-threaded).
final class ThreadsTests: XCTestCase {
    /// Every transpose combination, split by rows (m ≥ n) and by columns (n > m), with sizes
    /// that are not multiples of the 64-wide split blocks: the split result must be
    /// bit-identical to one unsplit call (shards must not depend on the thread count) and
    /// match a Double-accumulated naive product.
    func testSplitSGEMMIsBitIdenticalToOneCallAndMatchesNaive() {
        var g = TestRNG(state: 11)
        let saved = Threads.gemmThreads
        defer { Threads.setGEMMThreads(saved) }
        for (m, n, k) in [(1000, 70, 90), (60, 1500, 40), (333, 333, 129)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let a = g.array(m * k), b = g.array(k * n), c0 = g.array(m * n)
                    let lda = transA ? m : k, ldb = transB ? k : n
                    func run(_ threads: Int, beta: Float) -> [Float] {
                        Threads.setGEMMThreads(threads)
                        var c = c0
                        Threads.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda,
                                      b: b, ldb: ldb, beta: beta, c: &c, ldc: n)
                        return c
                    }
                    for beta: Float in [0, 1] {
                        let one = run(1, beta: beta), two = run(2, beta: beta), three = run(3, beta: beta)
                        let tag = "m \(m) n \(n) k \(k) transA \(transA) transB \(transB) beta \(beta)"
                        XCTAssertEqual(one, two, "2-way split differs from one call: \(tag) \(maxDiff(one, two))")
                        XCTAssertEqual(one, three, "3-way split differs from one call: \(tag) \(maxDiff(one, three))")
                        var naive = c0
                        for i in 0..<m {
                            for j in 0..<n {
                                var s = 0.0
                                for p in 0..<k {
                                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                                    s += Double(av) * Double(bv)
                                }
                                naive[i * n + j] = Float(0.5 * s + Double(beta) * Double(c0[i * n + j]))
                            }
                        }
                        // |terms| ≤ 1, k ≤ 129: float32 accumulation error ≲ k · 2⁻²⁴ · Σ|terms| ≈ 1e-4 worst case.
                        let (d, at) = maxDiff(one, naive)
                        XCTAssertLessThan(d, 1e-4, "vs naive: max |Δ| \(d) at (\(at / n), \(at % n)) \(tag)")
                    }
                }
            }
        }
    }

    /// The model's shapes with alpha 1, beta 0 (OpenBLAS's direct / small-matrix paths are
    /// candidates for these): any thread count 1…8 gives the bytes of one unsplit call.
    func testModelShapesAreThreadCountIndependent() {
        var g = TestRNG(state: 12)
        let saved = Threads.gemmThreads
        defer { Threads.setGEMMThreads(saved) }
        // (m, n, k): micro-batches of 16 / 8 / 29 tokens, a 2048-token batch, and the backward dW shape.
        for (m, n, k) in [(16, 576, 960), (8, 576, 576), (29, 960, 576), (2048, 576, 960), (960, 576, 2048), (170, 4096, 576)] {
            for transB in [false, true] {
                let a = g.array(m * k), b = g.array(k * n)
                let ldb = transB ? k : n
                var reference: [Float] = []
                for threads in 1...8 {
                    Threads.setGEMMThreads(threads)
                    var c = [Float](repeating: 0, count: m * n)
                    Threads.sgemm(transA: false, transB: transB, m: m, n: n, k: k, alpha: 1, a: a, lda: k,
                                  b: b, ldb: ldb, beta: 0, c: &c, ldc: n)
                    if threads == 1 { reference = c; continue }
                    XCTAssertEqual(c, reference, "m \(m) n \(n) k \(k) transB \(transB): \(threads) threads differ from 1, max |Δ| \(maxDiff(c, reference))")
                }
            }
        }
    }
}
