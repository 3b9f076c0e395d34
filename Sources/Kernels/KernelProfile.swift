import Foundation

/// Optional wall-clock accounting of the forward phases, for `eaft bench model`.
/// Off by default (then each hook is one branch). Not thread-safe: record only from the
/// thread that drives the forward pass.
public enum KernelProfile {
    nonisolated(unsafe) public static var enabled = false
    /// Seconds and FLOPs spent in `Linear.forward` (dense GEMMs, LM head included).
    nonisolated(unsafe) public static var linearSeconds = 0.0
    nonisolated(unsafe) public static var linearFlops = 0.0
    /// Seconds in attention, and in token statistics (softmax/entropy/top-K) after the LM head.
    nonisolated(unsafe) public static var attentionSeconds = 0.0
    nonisolated(unsafe) public static var statsSeconds = 0.0

    public static func reset() {
        linearSeconds = 0; linearFlops = 0; attentionSeconds = 0; statsSeconds = 0
    }

    /// Monotonic seconds.
    @inlinable
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
