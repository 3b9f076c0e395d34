import XCTest
@testable import Kernels

/// Kernel selection (`KernelSelection`): the decision table, and that this test process runs the
/// kernel eaft would choose (scripts/test.sh exports what `eaft kernel --env` prints).
final class KernelSelectionTests: XCTestCase {
    private func cpu(_ vendor: String = "GenuineIntel", family: Int = 6, model: Int = 207, avx2: Bool = true,
                     avx512: Bool = true, osZMM: Bool = true) -> CPUFeatures {
        CPUFeatures(vendor: vendor, family: family, model: model, avx: true, fma: avx2, avx2: avx2, avx512f: avx512,
                    avx512bw: avx512, avx512dq: avx512, avx512vl: avx512, avx512bf16: avx512, osYMM: true, osZMM: osZMM)
    }

    func testGenericCoreOnAVX512IntelReexecutesWithSkylakeX() {
        // Intel family 6 model 207 (Emerald Rapids): OpenBLAS 0.3.21 falls back to Prescott.
        XCTAssertEqual(KernelSelection.decide(core: "Prescott", cpu: cpu(), userCoreType: nil, reexecuted: false),
                       .reexec(core: "SkylakeX"))
        XCTAssertEqual(KernelSelection.decide(core: "Core2", cpu: cpu(), userCoreType: nil, reexecuted: false),
                       .reexec(core: "SkylakeX"))
    }

    func testGenericCoreOnAVX2PicksVendorCore() {
        XCTAssertEqual(KernelSelection.decide(core: "Prescott", cpu: cpu(avx512: false), userCoreType: nil, reexecuted: false),
                       .reexec(core: "Haswell"))
        XCTAssertEqual(KernelSelection.decide(core: "Barcelona", cpu: cpu("AuthenticAMD", family: 25, model: 33, avx512: false),
                                              userCoreType: nil, reexecuted: false), .reexec(core: "Zen"))
        // AVX-512 bits without the OS saving zmm state: AVX2 kernels only.
        XCTAssertEqual(KernelSelection.decide(core: "Prescott", cpu: cpu(osZMM: false), userCoreType: nil, reexecuted: false),
                       .reexec(core: "Haswell"))
    }

    func testRecognisedCoresAreKeptAsOpenBLASChoseThem() {
        // A core OpenBLAS chose from its model table is never changed (no re-exec, same kernel).
        for core in ["Cooperlake", "SkylakeX", "Haswell", "Zen", "SapphireRapids"] {
            XCTAssertEqual(KernelSelection.decide(core: core, cpu: cpu(), userCoreType: nil, reexecuted: false), .keep, core)
        }
        // Zen 4 (family 25 model 17) gets Cooperlake from 0.3.21.
        XCTAssertEqual(KernelSelection.decide(core: "Cooperlake", cpu: cpu("AuthenticAMD", family: 25, model: 17),
                                              userCoreType: nil, reexecuted: false), .keep)
        // A CPU without AVX2: the generic kernel is the right one.
        XCTAssertEqual(KernelSelection.decide(core: "Prescott", cpu: cpu(avx2: false, avx512: false), userCoreType: nil,
                                              reexecuted: false), .keep)
    }

    func testUserSettingIsNeverOverridden() {
        guard case .warn(let w) = KernelSelection.decide(core: "Prescott", cpu: cpu(), userCoreType: "Prescott", reexecuted: false) else {
            return XCTFail("a user's OPENBLAS_CORETYPE must not be overridden")
        }
        XCTAssertTrue(w.contains("OPENBLAS_CORETYPE=SkylakeX"), w)
        XCTAssertEqual(KernelSelection.decide(core: "Haswell", cpu: cpu(), userCoreType: "Haswell", reexecuted: false), .keep)
    }

    func testNoSecondReexec() {
        guard case .warn(let w) = KernelSelection.decide(core: "Prescott", cpu: cpu(), userCoreType: nil, reexecuted: true) else {
            return XCTFail("after one re-exec eaft must warn, not loop")
        }
        XCTAssertTrue(w.contains("DYNAMIC_ARCH"), w)
    }

    func testCoreLevels() {
        XCTAssertEqual(KernelSelection.level(ofCore: "cooperlake"), .avx512)
        XCTAssertEqual(KernelSelection.level(ofCore: "Zen"), .avx2)
        XCTAssertEqual(KernelSelection.level(ofCore: "Sandybridge"), .avx)
        XCTAssertEqual(KernelSelection.level(ofCore: "Prescott"), .sse)
        XCTAssertEqual(KernelSelection.level(ofCore: "Katmai"), .sse)
    }

    /// The golden kernel tests in this process run on the kernel eaft chooses: fails when the
    /// suite runs on a generic OpenBLAS core on a capable CPU (run it through scripts/test.sh).
    func testThisProcessRunsTheChosenKernel() {
        let sel = KernelSelection.current()
        let env = ProcessInfo.processInfo.environment
        let decision = KernelSelection.decide(core: sel.core, cpu: sel.cpu, userCoreType: nil,
                                              reexecuted: env[KernelSelection.markerVariable] == "1")
        XCTAssertEqual(decision, .keep, "tests run on OpenBLAS core \(sel.core) on \(sel.cpu.summary) (\(sel.cpu.level)); "
            + "run them through scripts/test.sh, which exports the core `eaft kernel --env` chooses")
        XCTAssertFalse(sel.core.isEmpty)
        print("kernel under test: \(sel.summary)")
    }

    func testPeakMeasurementIsPositive() {
        let g = KernelSelection.measurePeakGFLOPS(n: 256, reps: 1)
        XCTAssertTrue(g.isFinite && g > 0.1, "\(g)")
    }
}
