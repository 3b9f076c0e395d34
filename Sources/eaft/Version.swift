import ArgumentParser
import Kernels

/// Prints the version and the linked libraries.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the eaft version.")
    func run() throws {
        print("eaft 0.1.0")
    }
}
