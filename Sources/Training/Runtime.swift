import CBLAS
import Foundation

/// Process-level helpers for the trainer's CLI and benchmarks.
public enum TrainRuntime {
    /// Sets OpenBLAS's thread count (kernels and sgemm share the machine's cores).
    public static func setBLASThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

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
