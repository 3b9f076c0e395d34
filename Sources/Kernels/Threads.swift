import CBLAS
import Foundation

/// Thread control shared by every kernel.
///
/// The machine has few cores, so the kernels use them in two deliberate ways and never both
/// at once: OpenBLAS threads inside large GEMMs (`blasThreads`), and
/// `DispatchQueue.concurrentPerform` over independent work items (attention heads, rows of
/// token statistics) with OpenBLAS pinned to one thread for the duration (`parallel`).
public enum Threads {
    /// Worker count for `parallel` (defaults to the active processor count, at most 8).
    nonisolated(unsafe) public static var workers: Int = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

    /// Sets the number of threads OpenBLAS uses inside one call.
    public static func setBLASThreads(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }

    /// The number of threads OpenBLAS currently uses.
    public static var blasThreads: Int { Int(openblas_get_num_threads()) }

    /// Runs `body(worker)` for worker in 0..<n on `n` threads while OpenBLAS is held to one
    /// thread (so that GEMMs called inside `body` do not oversubscribe the cores). Restores the
    /// previous OpenBLAS thread count afterwards.
    public static func parallel(_ n: Int, _ body: (Int) -> Void) {
        if n <= 1 {
            body(0)
            return
        }
        let saved = blasThreads
        if saved != 1 { setBLASThreads(1) }
        DispatchQueue.concurrentPerform(iterations: n, execute: body)
        if saved != 1 { setBLASThreads(saved) }
    }

    /// Splits `0..<count` into `parts` contiguous ranges of nearly equal size.
    @inlinable
    public static func range(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        let lo = count * part / parts
        let hi = count * (part + 1) / parts
        return lo..<hi
    }
}
