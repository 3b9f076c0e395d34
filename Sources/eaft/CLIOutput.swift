import ArgumentParser
import Foundation

/// What the commands print: JSON on stdout, errors on stderr with a non-zero exit.
enum CLIOutput {
    /// Writes `bytes` to stdout.
    static func emit(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    /// Prints an error for the user and returns the exit to throw (never a stack trace).
    static func fail(_ message: String, code: Int32 = 1) -> ExitCode {
        FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
        return ExitCode(code)
    }
}
