import Core
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
        Log.error("error: " + message)
        return ExitCode(code)
    }

    /// Writes a message (a summary line, a progress note) to stderr through the one logger;
    /// one trailing newline of `text` is the logger's own.
    static func log(_ text: String) {
        Log.info(text.hasSuffix("\n") ? String(text.dropLast()) : text)
    }
}
