import Foundation
import Records

/// Timing hook for `bench/parquet_bench.py` (and an `eaft bench parquet` command): reads every
/// row of each file as `JSONValue` and reports the row count and wall-clock seconds.
public enum ParquetBench {
    /// Reads all rows of `paths` `repeats` times; returns rows per pass and the best pass time.
    public static func run(paths: [String], columns: [String]? = nil, repeats: Int = 1) throws -> (rows: Int, seconds: Double) {
        var best = Double.infinity
        var rows = 0
        for _ in 0..<max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            var n = 0
            for p in paths {
                let it = try ParquetFile(path: p).rows(columns: columns)
                while try it.nextRow() != nil { n += 1 }
            }
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            best = min(best, dt)
            rows = n
        }
        return (rows, best)
    }
}
