import Dispatch
import Foundation

/// The one way to split work over threads. Every split is deterministic: which items a part
/// gets depends only on the item count and the part count, never on timing, so results written
/// per item are identical for any thread count. Runs on GCD's pool (idle threads sleep); one
/// part runs inline on the calling thread. No allocation on the calling side.
public enum Parallel {
    /// Runs `body(part)` for part in `0..<parts`, concurrently when `parts > 1`.
    @inlinable
    public static func run(_ parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 {
            if parts == 1 { body(0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts, execute: body)
    }

    /// Part `part` of `0..<count` split into `parts` contiguous ranges of nearly equal size.
    @inlinable
    public static func range(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        let lo = count * part / parts
        let hi = count * (part + 1) / parts
        return lo..<hi
    }

    /// Runs `body(range)` over `0..<count` split into `parts` contiguous ranges (`range(_:of:count:)`),
    /// at most one per item; inline when one part.
    @inlinable
    public static func forRanges(_ count: Int, parts: Int, _ body: (Range<Int>) -> Void) {
        let p = min(parts, count)
        if p <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        run(p) { i in body(range(i, of: p, count: count)) }
    }

    /// Runs `body(range)` over `0..<count` split into fixed chunks of about `count / (4·threads)`
    /// items (load balance for uneven items): inline as one range when `threads == 1`.
    public static func forChunks(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        if threads <= 1 {
            body(0..<count)
            return
        }
        let chunk = max(1, (count + threads * 4 - 1) / (threads * 4))
        let chunks = (count + chunk - 1) / chunk
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            body((c * chunk)..<min(count, (c + 1) * chunk))
        }
    }
}

extension Parallel {
    /// Runs `body(item)` for every item in `0..<count` on `workers` threads that each take the
    /// next untaken item until none is left (uneven items; the caller orders them, e.g. largest
    /// first). Which thread runs an item varies; write results per item for determinism.
    public static func forEachItem(_ count: Int, workers: Int, _ body: (Int) -> Void) {
        let w = min(workers, count)
        if w <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        let next = ItemCounter()
        DispatchQueue.concurrentPerform(iterations: w) { _ in
            while let i = next.take(limit: count) { body(i) }
        }
    }

    /// A shared "next item" counter for `forEachItem`'s workers.
    final class ItemCounter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func take(limit: Int) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard value < limit else { return nil }
            value += 1
            return value - 1
        }
    }
}
