#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Measurements of this process.
public enum ProcessStats {
    /// Peak resident set size of this process, in MiB (`ru_maxrss`).
    public static func peakRSSMiB() -> Double {
        var ru = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &ru)
        return Double(ru.ru_maxrss) / 1024
        #else
        getrusage(RUSAGE_SELF, &ru)
        return Double(ru.ru_maxrss) / 1024 / 1024
        #endif
    }
}
