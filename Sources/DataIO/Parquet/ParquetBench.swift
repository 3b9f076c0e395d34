import Foundation
import Records

/// Timing hook for `bench/parquet_bench.py` (and an `eaft bench parquet` command): reads every
/// row of each file as `JSONValue` and reports the row count, wall-clock and CPU seconds.
public enum ParquetBench {
    /// Reads all rows of `paths` `repeats` times; returns rows per pass and the best wall time.
    public static func run(paths: [String], columns: [String]? = nil, repeats: Int = 1) throws -> (rows: Int, seconds: Double) {
        let m = try measure(paths: paths, columns: columns, repeats: repeats)
        return (m.rows, m.seconds)
    }

    /// Like `run`, plus the best pass's process CPU time over all threads (`cpuSeconds`).
    public static func measure(paths: [String], columns: [String]? = nil, repeats: Int = 1) throws
        -> (rows: Int, seconds: Double, cpuSeconds: Double)
    {
        var best = Double.infinity
        var bestCPU = Double.infinity
        var rows = 0
        for _ in 0..<max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let c0 = cpuNow()
            var n = 0
            for p in paths {
                let it = try ParquetFile(path: p).rows(columns: columns)
                while try it.nextRow() != nil { n += 1 }
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            bestCPU = min(bestCPU, cpuNow() - c0)
            rows = n
        }
        return (rows, best, bestCPU)
    }

    /// Process CPU time (all threads), seconds.
    static func cpuNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
