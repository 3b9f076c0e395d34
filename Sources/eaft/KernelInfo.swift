import Core
import ArgumentParser
import Foundation
import Kernels
import Records

/// The GEMM kernel this process runs (set once by `EAFT.main`, before any command runs).
enum KernelInfo {
    nonisolated(unsafe) static var selection: KernelSelection = KernelSelection.current()

    /// Prints the kernel line once on stderr (the `--verbose` of score / run / train / eval).
    static func printOnce() {
        Log.info(selection.summary)
    }

    /// The JSON fields benchmarks add to their output lines.
    static func benchFields(peakGFLOPS: Double?) -> [(String, JSONValue)] {
        var f: [(String, JSONValue)] = [("gemm_kernel", .string(selection.core)), ("gemm_kernel_source", .string(selection.source.rawValue))]
        if let p = peakGFLOPS { f.append(("sgemm_peak_gflops", .double((p * 10).rounded() / 10))) }
        return f
    }
}
