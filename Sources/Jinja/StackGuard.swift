import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps template recursion from overflowing the thread's stack: a render records the lowest usable
/// stack address of its thread, and each macro call checks that a safety margin is left (Python stops
/// jinja2 with `RecursionError`; a thread's stack here may be as small as 512 KiB).
final class StackGuard {
    /// Stack space that must remain free when a macro is entered.
    static let margin: UInt = 160 * 1024
    /// Looked up at the first macro call of a render (finding the main thread's stack reads /proc).
    private var limit: UInt?? = .none

    /// The stack bounds last found, per thread, reused while the stack pointer lies inside them.
    private static let lock = NSLock()
    nonisolated(unsafe) private static var known: [UInt: ClosedRange<UInt>] = [:]

    /// True while the current stack position is above the limit.
    @inline(never)
    func hasRoom() -> Bool {
        var marker: UInt8 = 0
        let here = withUnsafePointer(to: &marker) { UInt(bitPattern: $0) }
        if case .none = limit { limit = .some(StackGuard.bounds(containing: here).map { $0.lowerBound + StackGuard.margin }) }
        guard case .some(.some(let l)) = limit else { return true }
        return here > l
    }

    static func bounds(containing sp: UInt) -> ClosedRange<UInt>? {
        let me = pthread_self_id()
        lock.lock()
        defer { lock.unlock() }
        if let b = known[me], b.contains(sp) { return b }
        guard let low = lowestAddress(), let high = highestAddress(low), (low...high).contains(sp) else { return nil }
        known[me] = low...high
        return low...high
    }

    nonisolated(unsafe) private static var lastSize = 0  // written under `lock`

    static func highestAddress(_ low: UInt) -> UInt? { lastSize > 0 ? low + UInt(lastSize) : nil }

    static func lowestAddress() -> UInt? {
        #if os(Linux)
        var attr = pthread_attr_t()
        guard gnu_pthread_getattr_np(pthread_self(), &attr) == 0 else { return nil }
        defer { pthread_attr_destroy(&attr) }
        var addr: UnsafeMutableRawPointer? = nil
        var size = 0
        guard pthread_attr_getstack(&attr, &addr, &size) == 0, let a = addr else { return nil }
        lastSize = size
        return UInt(bitPattern: a)
        #elseif canImport(Darwin)
        let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
        lastSize = pthread_get_stacksize_np(pthread_self())
        return top - UInt(lastSize)
        #else
        return nil
        #endif
    }
}

#if os(Linux)
/// glibc's `pthread_getattr_np` (a GNU extension the Glibc module does not export); its arguments are a
/// pointer-sized integer and a pointer, passed the same way by the C and Swift calling conventions.
@_silgen_name("pthread_getattr_np")
private func gnu_pthread_getattr_np(_ thread: pthread_t, _ attr: UnsafeMutablePointer<pthread_attr_t>) -> Int32
#endif

@inline(__always)
private func pthread_self_id() -> UInt {
    #if os(Linux)
    return UInt(pthread_self())
    #else
    return UInt(bitPattern: pthread_self())
    #endif
}
