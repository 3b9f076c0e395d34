import Dispatch

/// Runs `body(range)` over `0..<n` split into fixed chunks: sequentially when `threads == 1`,
/// else with `DispatchQueue.concurrentPerform` (which uses at most the core count). Chunk
/// boundaries depend only on `n` and `threads`, and each index is written by one chunk, so
/// results are identical for any thread count.
func parallelChunks(_ n: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    guard n > 0 else { return }
    if threads <= 1 {
        body(0..<n)
        return
    }
    let chunk = max(1, (n + threads * 4 - 1) / (threads * 4))
    let chunks = (n + chunk - 1) / chunk
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        body((c * chunk)..<min(n, (c + 1) * chunk))
    }
}
