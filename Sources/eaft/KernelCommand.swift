import ArgumentParser
import Foundation
import Kernels
import Records

/// `eaft kernel`: which GEMM kernel eaft runs on this CPU, and its measured f32 peak.
struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Show the GEMM kernel in use (OpenBLAS core, who chose it, the CPU's ISA) and its measured sgemm peak.",
        discussion: """
            eaft checks OpenBLAS's core against the CPU's feature bits at start-up and, when OpenBLAS fell \
            back to a generic core (Prescott, Core2, …) on a CPU with AVX2+FMA or AVX-512, re-executes itself \
            once with OPENBLAS_CORETYPE set (a user's own OPENBLAS_CORETYPE is kept). See schemas/model.md. \
            --env prints `export OPENBLAS_CORETYPE=…` when eaft had to set it (empty otherwise), so other \
            processes linking the same OpenBLAS (the test suite) can run the same kernel.
            """)

    @Flag(help: "Print a shell line exporting the OPENBLAS_CORETYPE eaft chose (nothing if none was needed).") var env = false
    @Flag(help: "Also measure the f32 GEMM peak (square 1536, best of 4).") var peak = false
    @Option(help: "Threads for the peak measurement (default: all cores).") var threads: Int?

    func run() throws {
        let s = KernelInfo.selection
        if env {
            if s.source == .eaft, let c = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] {
                print("export OPENBLAS_CORETYPE=\(c)")
            }
            return
        }
        print(s.summary)
        print(s.config)
        if let w = s.warning { print(w) }
        if peak {
            if let threads { Threads.use(threads) }
            let g = KernelSelection.measurePeakGFLOPS()
            print(String(format: "sgemm peak: %.1f GFLOPS (n=1536, %d threads)", g, Threads.gemmThreads))
        }
    }
}
