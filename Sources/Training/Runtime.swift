import Core
import Foundation
import Kernels

/// Process-level helpers for the trainer's CLI and benchmarks.
public enum TrainRuntime {
    /// Threads for training: GEMM splits, attention and the elementwise passes.
    public static func setThreads(_ n: Int) { Threads.use(n) }

    /// Peak resident set size of this process, in MiB (`ru_maxrss`; `ProcessStats.peakRSSMiB`).
    public static func peakRSSMiB() -> Double { ProcessStats.peakRSSMiB() }
}
