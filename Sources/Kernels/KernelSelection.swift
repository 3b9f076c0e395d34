import CBLAS
import Core
import Foundation

/// Which GEMM kernel OpenBLAS runs, and whether it is the best this CPU supports.
///
/// OpenBLAS built with DYNAMIC_ARCH (Debian's) picks its kernels once, when the library is
/// loaded, from a table of CPU *models* (`driver/others/dynamic.c`). A model it does not know
/// (Intel family 6 model 207, Emerald Rapids, in 0.3.21) falls back to the generic Prescott
/// (SSE3) kernels: about a quarter of the AVX-512 speed, silently. Because the choice is made
/// at load time, the only way to change it is `OPENBLAS_CORETYPE` in the environment of a new
/// process: `ensureBest` re-executes eaft once with it set, when (and only when) OpenBLAS chose
/// a generic core on a CPU whose feature bits (CPUID + XGETBV) support AVX2+FMA or AVX-512.
/// A user's own `OPENBLAS_CORETYPE` is never overridden; a core OpenBLAS chose by model (Haswell,
/// Zen, SkylakeX, Cooperlake, …) is kept as it is. Rationale: schemas/model.md "GEMM kernel".
/// Reference: https://github.com/OpenMathLib/OpenBLAS/blob/v0.3.21/driver/others/dynamic.c
public struct KernelSelection: Sendable, Equatable, Codable {
    /// Who chose the core in use.
    public enum Source: String, Sendable, Codable {
        /// OpenBLAS, from its CPU-model table (no environment variable).
        case openblas
        /// The user, through `OPENBLAS_CORETYPE`.
        case user
        /// eaft, which re-executed itself with `OPENBLAS_CORETYPE` set.
        case eaft
    }

    /// What `decide` concludes for a process.
    public enum Decision: Sendable, Equatable {
        /// The core in use is fine (or was chosen by the user): nothing to do.
        case keep
        /// Re-execute with `OPENBLAS_CORETYPE` set to this core.
        case reexec(core: String)
        /// Stuck on a generic core; the message says why and how to fix it.
        case warn(String)
    }

    /// `openblas_get_corename()`, e.g. "Cooperlake", "Haswell", "Prescott".
    public let core: String
    /// `openblas_get_config()`, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH …".
    public let config: String
    /// The CPU's feature bits.
    public let cpu: CPUFeatures
    /// Who chose `core`.
    public let source: Source
    /// The warning printed once on stderr, if the kernel is generic on a capable CPU.
    public let warning: String?

    /// Environment variable eaft sets on its re-executed process (so it never loops).
    public static let markerVariable = "EAFT_OPENBLAS_REEXEC"

    /// ISA level of an OpenBLAS x86 core name (case-insensitive); cores below `.avx2` are the
    /// generic ones a CPU-model miss falls back to.
    public static func level(ofCore name: String) -> CPUFeatures.Level {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return .avx512
        case "haswell", "zen": return .avx2
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": return .avx
        default: return .sse
        }
    }

    /// The core to ask for on a CPU: SkylakeX for AVX-512 (F, BW, DQ, VL with zmm state
    /// enabled), Haswell (Intel) or Zen (AMD) for AVX2 + FMA; nil below that.
    public static func bestCore(for cpu: CPUFeatures) -> String? {
        switch cpu.level {
        case .avx512: return "SkylakeX"
        case .avx2: return cpu.vendor == "AuthenticAMD" ? "Zen" : "Haswell"
        case .avx, .sse: return nil
        }
    }

    /// The pure decision: `core` is what OpenBLAS runs, `userCoreType` the inherited
    /// `OPENBLAS_CORETYPE` (nil if unset), `reexecuted` whether this process is eaft's re-exec.
    public static func decide(core: String, cpu: CPUFeatures, userCoreType: String?, reexecuted: Bool) -> Decision {
        guard level(ofCore: core) < .avx2, let best = bestCore(for: cpu) else { return .keep }
        let fix = "set OPENBLAS_CORETYPE=\(best) (or install an OpenBLAS that knows this CPU)"
        if reexecuted {
            return .warn("eaft: OpenBLAS still runs its generic \(core) GEMM kernels after eaft set OPENBLAS_CORETYPE=\(best) "
                + "(is it built without DYNAMIC_ARCH?); this \(cpu.summary) CPU supports \(cpu.level) kernels, about 4x faster. "
                + "Fix: install an OpenBLAS built with DYNAMIC_ARCH (Debian's libopenblas0-pthread).")
        }
        if let user = userCoreType, !user.isEmpty {
            return .warn("eaft: OPENBLAS_CORETYPE=\(user) gives generic \(core) GEMM kernels on a \(cpu.summary) CPU that supports "
                + "\(cpu.level) (about 4x faster). eaft keeps your setting. Fix: \(fix).")
        }
        return .reexec(core: best)
    }

    /// The selection in effect for this process (no side effects).
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> KernelSelection {
        let core = String(cString: openblas_get_corename())
        let config = String(cString: openblas_get_config())
        let cpu = CPUFeatures.detect()
        let reexecuted = environment[markerVariable] == "1"
        let user = environment["OPENBLAS_CORETYPE"]
        let source: Source = reexecuted ? .eaft : (user.map { !$0.isEmpty } ?? false) ? .user : .openblas
        var warning: String? = nil
        if case .warn(let w) = decide(core: core, cpu: cpu, userCoreType: reexecuted ? nil : user, reexecuted: reexecuted) {
            warning = w
        }
        return KernelSelection(core: core, config: config, cpu: cpu, source: source, warning: warning)
    }

    /// Makes sure this process runs the best GEMM kernel OpenBLAS has for the CPU: when
    /// OpenBLAS fell back to a generic core on a capable CPU, re-executes `/proc/self/exe`
    /// with the same arguments and `OPENBLAS_CORETYPE` set (does not return then). Otherwise
    /// returns the selection in effect; a remaining problem is printed once on stderr.
    /// Call it first thing in `main`, before any thread is started.
    @discardableResult
    public static func ensureBest(arguments: [String] = CommandLine.arguments) -> KernelSelection {
        let env = ProcessInfo.processInfo.environment
        let reexecuted = env[markerVariable] == "1"
        // `EAFT_TEST_OPENBLAS_CORE` stands in for OpenBLAS's own choice before the re-exec, so
        // the re-exec path can be tested on a CPU that OpenBLAS recognises (KernelCLITests).
        let core = (reexecuted ? nil : env["EAFT_TEST_OPENBLAS_CORE"]) ?? String(cString: openblas_get_corename())
        let decision = decide(core: core, cpu: CPUFeatures.detect(), userCoreType: reexecuted ? nil : env["OPENBLAS_CORETYPE"],
                              reexecuted: reexecuted)
        if case .reexec(let best) = decision {
            setenv("OPENBLAS_CORETYPE", best, 1)
            setenv(markerVariable, "1", 1)
            var cargs: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
            cargs.append(nil)
            execv("/proc/self/exe", cargs)
            // execv returned: it failed. Keep running on the generic kernel, and say so.
            unsetenv("OPENBLAS_CORETYPE")
            unsetenv(markerVariable)
            let sel = current()
            Log.warning("eaft: could not re-execute with OPENBLAS_CORETYPE=\(best) "
                + "(errno \(errno)); GEMM runs on the generic \(core) kernels, about 4x slower. "
                + "Fix: run eaft with OPENBLAS_CORETYPE=\(best) set.")
            return sel
        }
        let sel = current(environment: env)
        if let w = sel.warning { Log.warning(w) }
        return sel
    }

    /// One line: core, who chose it, the CPU.
    public var summary: String {
        let by: String
        switch source {
        case .openblas: by = "chosen by OpenBLAS"
        case .user: by = "OPENBLAS_CORETYPE set by the user"
        case .eaft: by = "OPENBLAS_CORETYPE set by eaft"
        }
        let version = config.split(separator: " ").prefix(2).joined(separator: " ")
        return "GEMM kernel: \(version) \(core) (\(Self.level(ofCore: core)), \(by)); CPU: \(cpu.summary), supports \(cpu.level)"
    }

    /// Best-of-`reps` f32 GEMM rate (GFLOPS) through `Threads.sgemm` on square n×n operands,
    /// at the current thread settings: the peak the model kernels are measured against.
    public static func measurePeakGFLOPS(n: Int = 1536, reps: Int = 4) -> Double {
        let count = n * n
        let a = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<count {
            a[i] = Float(i % 7) * 0.1
            b[i] = Float(i % 5) * 0.2
        }
        var best = Double.infinity
        for r in 0...reps {
            let t0 = KernelProfile.now()
            Threads.sgemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n,
                          beta: 0, c: c, ldc: n)
            let t = KernelProfile.now() - t0
            if r > 0 { best = min(best, t) }  // the first call warms up
        }
        return 2 * Double(n) * Double(n) * Double(n) / best / 1e9
    }
}
