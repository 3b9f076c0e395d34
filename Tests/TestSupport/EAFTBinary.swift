import Foundation
import XCTest

/// Runs the built `eaft` executable for end-to-end CLI tests. The test bundle sits in the
/// build products folder beside the executable (`swift test` builds it); when it is not
/// there, `run` throws `XCTSkip` with a clear message.
public enum EAFTBinary {
    /// The `eaft` executable next to the running test bundle, if built.
    public static var url: URL? {
        #if os(Linux)
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        #else
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        #endif
        for _ in 0..<4 {
            dir.deleteLastPathComponent()
            let exe = dir.appendingPathComponent("eaft")
            if FileManager.default.isExecutableFile(atPath: exe.path) { return exe }
        }
        return nil
    }

    /// Runs `eaft args…` to completion, with `environment` added to this process's and `unsetting` removed; returns (exit status, stdout, stderr).
    /// stderr is drained on another thread so a chatty command cannot block on a full pipe.
    public static func run(_ args: [String], environment: [String: String] = [:], unsetting: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        guard let bin = url else { throw XCTSkip("eaft binary not built next to the tests") }
        let p = Process()
        p.executableURL = bin
        p.arguments = args
        if !environment.isEmpty || !unsetting.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.filter { !unsetting.contains($0.key) }
        }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        var errData = Data()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
