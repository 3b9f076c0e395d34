import Foundation

/// A one-line progress bar on standard error, redrawn in place (`\r` + erase-to-end), drawn
/// only when standard error is a terminal, so logs and pipes get no control characters.
/// Output goes through `Log`, which ends the bar line before any other message.
public final class TerminalProgress: @unchecked Sendable {
    /// Whether anything is drawn (standard error is a terminal).
    public let enabled: Bool
    private let started = Date()

    /// `force` draws even when standard error is not a terminal (tests).
    public init(force: Bool = false) { enabled = force || isatty(2) != 0 }

    /// Redraws the bar for `done` of `total` with `detail` after it.
    public func update(done: Int, total: Int, detail: String) {
        guard enabled else { return }
        Log.drawProgress(Self.render(done: done, total: total, elapsed: Date().timeIntervalSince(started), detail: detail))
    }

    /// Writes a message on its own line (ending the bar line if one is open), at level `.info`.
    public func message(_ text: String) { Log.info(text) }

    /// Ends the bar line.
    public func finish() { Log.endProgress() }

    /// `[#########-----------]  42/100  42%  <detail>  ETA 3:12` (pure; 20-cell bar; the ETA
    /// assumes the remaining items take as long as the done ones did on average).
    public static func render(done: Int, total: Int, elapsed: Double, detail: String) -> String {
        let t = max(total, 1), d = min(max(done, 0), t)
        let cells = 20, filled = d * cells / t
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: cells - filled)
        var s = "[\(bar)] \(d)/\(total) \(d * 100 / t)%"
        if !detail.isEmpty { s += "  " + detail }
        if d > 0 && d < t {
            s += "  ETA " + clock(elapsed / Double(d) * Double(t - d))
        } else if d == t {
            s += "  " + clock(elapsed)
        }
        return s
    }

    /// Seconds as `m:ss` or `h:mm:ss`.
    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        let h = s / 3600, m = (s % 3600) / 60, r = s % 60
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, r) : String(format: "%d:%02d", m, r)
    }
}
