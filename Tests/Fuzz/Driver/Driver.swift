import FuzzTargets
import Foundation

// libFuzzer entry points (scripts/fuzz.sh builds this product with -sanitize=fuzzer,address and
// -DEAFT_LIBFUZZER, so libFuzzer supplies main). The target is chosen by EAFT_FUZZ_TARGET.
nonisolated(unsafe) var fuzzTarget = ProcessInfo.processInfo.environment["EAFT_FUZZ_TARGET"] ?? ""

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard FuzzTargets.names.contains(fuzzTarget) else {
        FileHandle.standardError.write(Data("set EAFT_FUZZ_TARGET to one of: \(FuzzTargets.names.joined(separator: " "))\n".utf8))
        exit(2)
    }
    FuzzTargets.prepare(fuzzTarget)
    if let dir = ProcessInfo.processInfo.environment["EAFT_FUZZ_SEED_DIR"] {
        do { try FuzzTargets.writeSeeds(target: fuzzTarget, into: dir) } catch { FileHandle.standardError.write(Data("seeds: \(error)\n".utf8)) }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTargets.run(fuzzTarget, UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

#if EAFT_LIBFUZZER
// SwiftPM links executables with main renamed to <product>_main; hand control to libFuzzer from it.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("eaft_fuzz_main")
public func eaftFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v) { data, size in fuzzTestOneInput(data, size) }
}
#else
/// Without libFuzzer: `eaft-fuzz TARGET FILE...` replays inputs (e.g. a crash file) in a normal build.
@main
struct Replay {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        guard let target = args.first, FuzzTargets.names.contains(target) else {
            print("usage: eaft-fuzz TARGET FILE...   targets: \(FuzzTargets.names.joined(separator: " "))")
            exit(2)
        }
        for f in args.dropFirst() {
            guard let d = FileManager.default.contents(atPath: f) else { print("cannot read \(f)"); exit(1) }
            d.withUnsafeBytes { FuzzTargets.run(target, $0) }
            print("ok \(f)")
        }
    }
}
#endif
