import Kernels
import TestSupport
import XCTest

/// The re-exec path of `KernelSelection.ensureBest` through the real binary: with OpenBLAS's
/// choice stood in by a generic core (`EAFT_TEST_OPENBLAS_CORE`), eaft must re-execute itself
/// with OPENBLAS_CORETYPE set, and the new process must really run that core.
final class KernelCLITests: XCTestCase {
    func testGenericCoreIsReplacedByReexec() throws {
        let cpu = CPUFeatures.detect()
        guard let best = KernelSelection.bestCore(for: cpu) else {
            throw XCTSkip("this CPU (\(cpu.summary)) has no AVX2: the generic kernel is the right one")
        }
        let env = ["EAFT_TEST_OPENBLAS_CORE": "Prescott"]
        let unset = ["OPENBLAS_CORETYPE", KernelSelection.markerVariable]  // no inherited choice
        let shown = try EAFTBinary.run(["kernel"], environment: env, unsetting: unset)
        XCTAssertEqual(shown.status, 0, shown.stderr)
        XCTAssertTrue(shown.stdout.contains("\(best) ("), "expected the re-executed process on \(best): \(shown.stdout)")
        XCTAssertTrue(shown.stdout.contains("OPENBLAS_CORETYPE set by eaft"), shown.stdout)
        let exported = try EAFTBinary.run(["kernel", "--env"], environment: env, unsetting: unset)
        XCTAssertEqual(exported.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "export OPENBLAS_CORETYPE=\(best)")
        // Without the stand-in: a core OpenBLAS chose by itself is kept (no export); a generic
        // one on this CPU is replaced, exactly as above.
        let natural = try EAFTBinary.run(["kernel"], unsetting: unset)
        let plain = try EAFTBinary.run(["kernel", "--env"], unsetting: unset)
        if natural.stdout.contains("chosen by OpenBLAS") {
            XCTAssertEqual(plain.stdout, "", "a recognised core must not be changed: \(plain.stdout)")
        } else {
            XCTAssertTrue(natural.stdout.contains("OPENBLAS_CORETYPE set by eaft"), natural.stdout)
            XCTAssertEqual(plain.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "export OPENBLAS_CORETYPE=\(best)")
        }
    }

    func testUserCoreTypeIsKept() throws {
        let r = try EAFTBinary.run(["kernel"], environment: ["OPENBLAS_CORETYPE": "Haswell"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("Haswell (AVX2+FMA, OPENBLAS_CORETYPE set by the user)"), r.stdout)
    }
}
