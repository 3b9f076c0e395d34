import Foundation
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

    /// Current resident set size in MB (Linux /proc/self/statm), or -1.
    public static func residentMB() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return -1 }
        let f = s.split(separator: " ")
        guard f.count > 1, let pages = Double(f[1]) else { return -1 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1e6
    }

    /// Peak resident set size in MB (VmHWM, Linux /proc/self/status), or -1.
    public static func peakMB() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? -1
            return kb / 1000
        }
        return -1
    }

    /// User + system CPU seconds of this process (all threads; robust to other processes
    /// competing for the cores).
    public static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
