import CBLAS
import Core
import Foundation

/// Thread control shared by every kernel.
///
/// OpenBLAS itself always runs single-threaded: its pool threads busy-wait after every
/// threaded call (`THREAD_TIMEOUT`, ~2^28 cycles) and so steal a core from whatever runs
/// next (attention, statistics, the elementwise passes). Instead the kernels split work
/// themselves: large GEMMs into `gemmThreads` column or row blocks (`Threads.sgemm`), and
/// independent items (attention heads, rows of token statistics) over `workers` threads
/// (`parallel`). Both split through Core's `Parallel` (GCD's pool, whose idle threads sleep).
public enum Threads {
    /// Worker count for `parallel` (defaults to the active processor count, at most 8).
    nonisolated(unsafe) public static var workers: Int = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

    /// Threads one large GEMM is split over by `sgemm` (defaults to `workers`).
    nonisolated(unsafe) public static var gemmThreads: Int = workers

    /// Pins OpenBLAS to one thread (once per process).
    private static let pinned: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// Sets the number of threads a GEMM is split over (OpenBLAS itself stays at one).
    public static func setGEMMThreads(_ n: Int) {
        _ = pinned
        gemmThreads = max(1, n)
    }

    /// Uses `n` threads for everything: GEMM splits and `workers`.
    public static func use(_ n: Int) {
        workers = max(1, n)
        setGEMMThreads(n)
    }

    /// Runs `body(worker)` for worker in 0..<n on `n` threads. GEMMs called inside `body`
    /// should call `cblas_sgemm` directly (single-threaded).
    public static func parallel(_ n: Int, _ body: (Int) -> Void) {
        _ = pinned
        if n <= 1 {
            body(0)
            return
        }
        Parallel.run(n, body)
    }

    /// Runs `body` over `0..<count` split into `workers` contiguous ranges, in parallel when
    /// every range gets at least `minPerWorker` items (elementwise passes over token rows).
    @inlinable
    public static func forRanges(_ count: Int, minPerWorker: Int = 32, _ body: (Range<Int>) -> Void) {
        Parallel.forRanges(count, parts: min(workers, count / max(1, minPerWorker)), body)
    }

    /// Splits `0..<count` into `parts` contiguous ranges of nearly equal size (`Parallel.range`).
    @inlinable
    public static func range(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        Parallel.range(part, of: parts, count: count)
    }

    /// Smallest product (multiply-adds) of one piece of a split `sgemm`: 2²³ > 28·512², above
    /// every OpenBLAS small-matrix / direct-kernel threshold (see `sgemm`).
    public static let minSplitWork = 1 << 23

    /// How `sgemm` may split a product for the OpenBLAS core in use, so that the result stays
    /// bit-identical to one call: the split edges must fall on the micro-kernel's tile edges of
    /// that dimension, or the tail rows / columns go through differently-summing tail kernels.
    /// Measured with bench/gemm_split_probe.c on OpenBLAS 0.3.21 (ThreadsTests runs the model
    /// shapes under each core in scripts/test.sh):
    /// - SkylakeX / Cooperlake (AVX-512): rows on multiples of 48 and columns on multiples of 64;
    /// - Haswell / Zen (AVX2): rows on multiples of 48 (its 24-row tiles); a column split is
    ///   never bit-identical there, so only rows are split;
    /// - any other core: not verified, so never split.
    public struct SplitPolicy: Sendable, Equatable {
        /// Row-block quantum (0: rows are never split).
        public var rowQuantum: Int
        /// Column-block quantum (0: columns are never split).
        public var columnQuantum: Int

        /// The policy for an OpenBLAS core name.
        public static func forCore(_ core: String) -> SplitPolicy {
            switch KernelSelection.level(ofCore: core) {
            case .avx512: return SplitPolicy(rowQuantum: 48, columnQuantum: 64)
            case .avx2: return SplitPolicy(rowQuantum: 48, columnQuantum: 0)
            case .avx, .sse: return SplitPolicy(rowQuantum: 0, columnQuantum: 0)
            }
        }
    }

    /// The split policy of the core this process runs (read once).
    public static let splitPolicy: SplitPolicy = SplitPolicy.forCore(String(cString: openblas_get_corename()))

    /// Row-major `C (m, n) = alpha · op(A) (m, k) · op(B) (k, n) + beta · C`, as `cblas_sgemm`,
    /// split over up to `gemmThreads` blocks of m (rows) or n (columns) as `splitPolicy` allows:
    /// rows when m ≥ n or columns may not be split, block edges on the policy's quantum.
    ///
    /// Bit-identical to one call at any thread count: OpenBLAS 0.3.21 (DYNAMIC_ARCH, AVX-512)
    /// sends small products to other kernels that sum over k in one register pass
    /// (`sgemm_small_kernel_*` when m·n·k ≤ 10⁶; `sgemm_direct` for NoTrans/NoTrans, alpha 1,
    /// beta 0 when m·n·k < 28·512² on one thread), while the normal path sums k in blocks.
    /// So a product is split only when every piece has at least `minSplitWork` multiply-adds:
    /// the whole call and each piece then take the normal path, whose per-element reduction
    /// over k does not depend on where the tile sits (given tile-aligned edges, `SplitPolicy`).
    /// Reference: https://github.com/OpenMathLib/OpenBLAS/blob/v0.3.21/interface/gemm.c
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = pinned
        guard m > 0, n > 0 else { return }
        let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
        let policy = splitPolicy
        let byRows = policy.columnQuantum == 0 || (m >= n && policy.rowQuantum > 0)
        let quantum = byRows ? policy.rowQuantum : policy.columnQuantum
        let total = byRows ? m : n, other = byRows ? n : m
        let blocks = quantum > 0 ? (total + quantum - 1) / quantum : 1
        var parts = min(gemmThreads, blocks)
        // Fewer pieces until the smallest one is at least minSplitWork multiply-adds.
        while parts > 1 {
            var smallest = Int.max
            for p in 0..<parts {
                let r = range(p, of: parts, count: blocks)
                smallest = min(smallest, min(total, r.upperBound * quantum) - r.lowerBound * quantum)
            }
            if smallest * other * k >= minSplitWork { break }
            parts -= 1
        }
        if parts <= 1 {
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                        b, Int32(ldb), beta, c, Int32(ldc))
            return
        }
        Parallel.run(parts) { p in
            let r = range(p, of: parts, count: blocks)
            let lo = r.lowerBound * quantum, hi = min(total, r.upperBound * quantum)
            if hi <= lo { return }
            if byRows {
                // rows lo..<hi of op(A) and C
                let aOff = transA ? lo : lo * lda
                cblas_sgemm(CblasRowMajor, ta, tb, Int32(hi - lo), Int32(n), Int32(k), alpha, a + aOff, Int32(lda),
                            b, Int32(ldb), beta, c + lo * ldc, Int32(ldc))
            } else {
                // columns lo..<hi of op(B) and C
                let bOff = transB ? lo * ldb : lo
                cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(hi - lo), Int32(k), alpha, a, Int32(lda),
                            b + bOff, Int32(ldb), beta, c + lo, Int32(ldc))
            }
        }
    }
}
