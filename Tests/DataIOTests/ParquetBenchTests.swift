import DataIO
import Foundation
import TestSupport
import XCTest

/// Timing of Parquet → rows (JSONValue) for bench/parquet_bench.py. Runs only with
/// EAFT_BENCH=1; files come from EAFT_BENCH_PARQUET (':'-separated) or ../shared/data/parquet.
final class ParquetBenchTests: XCTestCase {
    func testParquetRowsThroughput() throws {
        let env = ProcessInfo.processInfo.environment
        guard env["EAFT_BENCH"] == "1" else { throw XCTSkip("set EAFT_BENCH=1 to run the Parquet benchmark") }
        var paths: [String]
        if let list = env["EAFT_BENCH_PARQUET"], !list.isEmpty {
            paths = list.split(separator: ":").map(String.init)
        } else {
            let dir = try SharedData.require("data/parquet")
            paths = try FileManager.default.contentsOfDirectory(atPath: dir.path)
                .filter { $0.hasSuffix(".parquet") }.sorted().map { dir.appendingPathComponent($0).path }
        }
        if let t = Int(env["EAFT_PARQUET_THREADS"] ?? "") { ParquetFile.maxThreads = t }
        let repeats = Int(env["EAFT_BENCH_REPEATS"] ?? "") ?? 5
        let (rows, secs, cpu) = try ParquetBench.measure(paths: paths, repeats: repeats)
        print("PARQUET_BENCH rows=\(rows) seconds=\(secs) cpu=\(cpu)")
        XCTAssertGreaterThan(rows, 0)
    }
}
