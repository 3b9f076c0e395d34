import Foundation
import Kernels

/// Process-level helpers for the trainer's CLI and benchmarks.
public enum TrainRuntime {
    /// Threads for training: GEMM splits, attention and the elementwise passes.
    public static func setThreads(_ n: Int) { Threads.use(n) }

    /// Peak resident set size of this process, in MiB (`ru_maxrss`).
    public static func peakRSSMiB() -> Double {
        var ru = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &ru)
        return Double(ru.ru_maxrss) / 1024
        #else
        getrusage(RUSAGE_SELF, &ru)
        return Double(ru.ru_maxrss) / 1024 / 1024
        #endif
    }
}
