import Foundation
import XCTest

/// Locates the read-only `../shared` folder (datasets, tokenizers, reference checkpoints)
/// that sits beside the repository. `EAFT_SHARED` overrides the location.
/// Tests that need it call `try SharedData.require(...)`, which throws `XCTSkip`
/// with a clear message when the folder (or the file) is absent.
public enum SharedData {
    /// The repository root (the folder holding Package.swift).
    public static let repoRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        // Tests/TestSupport/SharedData.swift -> repo root
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// The shared folder, whether or not it exists.
    public static var root: URL {
        if let env = ProcessInfo.processInfo.environment["EAFT_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// `root/relative`, or `XCTSkip` if it does not exist.
    public static func require(_ relative: String) throws -> URL {
        let url = root.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("shared data not found at \(url.path) (set EAFT_SHARED or place ../shared beside the repo)")
        }
        return url
    }

    /// A path inside the repository (fixtures committed under Tests/).
    public static func repo(_ relative: String) -> URL {
        repoRoot.appendingPathComponent(relative)
    }

    /// A fresh temporary directory, removed by the caller or left for the OS.
    public static func tempDir(_ name: String = "eaft-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
