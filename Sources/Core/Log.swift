import Foundation

/// The one writer of standard error: leveled messages and the progress bar's line share one
/// lock, so a message never lands in the middle of a bar (an open bar line is ended first).
/// Messages are written as given (no prefix is added); `level` filters them.
public enum Log {
    /// How much is written; each level includes the ones before it.
    public enum Level: Int, Sendable, Comparable {
        /// Nothing (not even errors, which the caller reports through its exit status).
        case silent
        /// Errors only.
        case error
        /// Errors and warnings (a quiet mode: no progress bar, no progress messages).
        case warning
        /// Progress messages and the progress bar (the default).
        case info
        /// Diagnostics.
        case debug

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var _level: Level = .info
    nonisolated(unsafe) private static var barOpen = false
    nonisolated(unsafe) private static var _sink: (@Sendable (String) -> Void)?

    /// The current level (default `.info`).
    public static var level: Level {
        get { lock.lock(); defer { lock.unlock() }; return _level }
        set { lock.lock(); _level = newValue; lock.unlock() }
    }

    /// Where text goes instead of standard error (tests); nil = standard error.
    public static var sink: (@Sendable (String) -> Void)? {
        get { lock.lock(); defer { lock.unlock() }; return _sink }
        set { lock.lock(); _sink = newValue; lock.unlock() }
    }

    public static func error(_ message: String) { write(message, at: .error) }
    public static func warning(_ message: String) { write(message, at: .warning) }
    public static func info(_ message: String) { write(message, at: .info) }
    public static func debug(_ message: String) { write(message, at: .debug) }

    /// Writes `message` and a newline when `level` allows it, ending an open progress line first.
    public static func write(_ message: String, at messageLevel: Level) {
        lock.lock(); defer { lock.unlock() }
        guard messageLevel <= _level, messageLevel != .silent else { return }
        var text = barOpen ? "\n" : ""
        barOpen = false
        text += message + "\n"
        emit(text)
    }

    /// Redraws the progress line in place (`\r` + text + erase-to-end); shown at `.info` and above.
    static func drawProgress(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        guard _level >= .info else { return }
        emit("\r" + line + "\u{1B}[K")
        barOpen = true
    }

    /// Ends an open progress line.
    static func endProgress() {
        lock.lock(); defer { lock.unlock() }
        if barOpen { emit("\n"); barOpen = false }
    }

    /// Called with `lock` held.
    private static func emit(_ text: String) {
        if let s = _sink { s(text) } else { FileHandle.standardError.write(Data(text.utf8)) }
    }
}
