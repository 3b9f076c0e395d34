import ArgumentParser
import DataIO
import Foundation

/// `eaft bench parquet`: Parquet → row objects (JSONValue), best of N passes.
struct BenchParquet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet",
        abstract: "Time reading Parquet files into row objects (best of --repeats passes).",
        discussion: "bench/parquet_bench.py runs this beside pyarrow in the same run and prints the ratios.")

    @Argument(help: "Parquet files.") var paths: [String]
    @Option(help: "Top-level columns to read (comma-separated); all when omitted.") var columns: String?
    @Option(help: "Timed passes; the best is reported.") var repeats: Int = 5

    func run() throws {
        let cols = columns.map { $0.split(separator: ",").map(String.init) }
        let m = try ParquetBench.measure(paths: paths, columns: cols, repeats: repeats)
        print("{\"rows\":\(m.rows),\"seconds\":\(m.seconds),\"cpu_seconds\":\(m.cpuSeconds),\"rows_per_s\":\(Double(m.rows) / m.seconds)}")
    }
}
