import DataIO
import Foundation
import Records
import TestSupport
import XCTest

/// Truncated and bit-flipped Parquet files must give located `DataIOError`s (or valid rows),
/// never a crash, a hang or a non-DataIO error. Seeded, so failures reproduce.
final class ParquetCorruptionTests: XCTestCase {
    typealias S = ParquetTestSupport

    /// SplitMix64 (https://prng.di.unimi.it/splitmix64.c): a tiny seeded generator.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    struct Outcome { var ok = 0, errors = 0 }

    /// Reads every row of `path`, continuing past row-group errors. Fails the test on a
    /// non-DataIOError, an unlocated error, or a run-away iteration.
    func exercise(_ path: String, maxRows: Int, label: String, into o: inout Outcome) {
        do {
            let it = try ParquetFile(path: path).rows()
            var steps = 0
            let before = errorsSeen
            while steps < maxRows {
                steps += 1
                do {
                    guard try it.nextRow() != nil else {
                        if errorsSeen == before { o.ok += 1 }
                        return
                    }
                } catch let e as DataIOError {
                    check(e, path: path, label: label)
                }
            }
            XCTFail("\(label): more than \(maxRows) steps, iteration does not end")
        } catch let e as DataIOError {
            check(e, path: path, label: label)
        } catch {
            XCTFail("\(label): non-DataIOError \(error)")
        }
    }

    var errorsSeen = 0

    func check(_ e: DataIOError, path: String, label: String) {
        errorsSeen += 1
        XCTAssertEqual(e.location.file, path, "\(label): \(e)")
        XCTAssertNotNil(e.location.byteOffset, "\(label): error without a byte offset: \(e)")
    }

    /// Writes without fsync (Foundation's Data.write syncs, which makes 400 cases take seconds of I/O).
    func write(_ bytes: ArraySlice<UInt8>, to path: String) throws {
        guard let f = fopen(path, "wb") else { throw CocoaError(.fileWriteUnknown) }
        defer { fclose(f) }
        let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        guard n == bytes.count else { throw CocoaError(.fileWriteUnknown) }
    }

    func runCases(_ name: String, cases: Int, seed: UInt64) throws {
        let src = name.hasPrefix("/") ? URL(fileURLWithPath: name) : S.fixtures.appendingPathComponent(name)
        let original = [UInt8](try Data(contentsOf: src))
        let rows = try ParquetFile(path: src.path).numRows
        let dir = try SharedData.tempDir("parquet-corrupt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent(src.lastPathComponent).path
        var rng = SplitMix(state: seed)
        var o = Outcome()
        errorsSeen = 0
        for k in 0..<cases {
            // Truncation at a random position.
            let cut = Int.random(in: 0..<original.count, using: &rng)
            try write(original[0..<cut], to: path)
            exercise(path, maxRows: rows * 4 + 100, label: "\(name) truncated at \(cut) (case \(k))", into: &o)
            // One to three flipped bytes.
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[at] ^= UInt8.random(in: 1...255, using: &rng)
            }
            try write(bytes[...], to: path)
            exercise(path, maxRows: rows * 4 + 100, label: "\(name) flipped (case \(k))", into: &o)
        }
        // Every truncation loses the footer and must fail: at least `cases` located errors, and
        // clean reads can only come from bit flips.
        XCTAssertGreaterThanOrEqual(errorsSeen, cases, name)
        XCTAssertLessThanOrEqual(o.ok, cases, name)
        print("\(name): \(o.ok) clean reads, \(errorsSeen) located errors over \(2 * cases) corrupt files")
    }

    /// 200 cases per file by default; EAFT_PARQUET_FUZZ_CASES / EAFT_PARQUET_FUZZ_SEED scale it up for soak runs.
    var cases: Int { Int(ProcessInfo.processInfo.environment["EAFT_PARQUET_FUZZ_CASES"] ?? "") ?? 200 }
    var seedBase: UInt64 { UInt64(ProcessInfo.processInfo.environment["EAFT_PARQUET_FUZZ_SEED"] ?? "") ?? 0 }

    func testNestedSnappyV2() throws { try runCases("nested_snappy_v2_plain.parquet", cases: cases, seed: seedBase + 1) }
    func testPrimitivesZstdDict() throws { try runCases("prim_zstd_v1_dict.parquet", cases: cases, seed: seedBase + 2) }
    func testPrimitivesDeltaUncompressed() throws { try runCases("prim_none_v2_delta.parquet", cases: cases, seed: seedBase + 3) }
    func testNestedUncompressedDict() throws { try runCases("nested_none_v1_dict.parquet", cases: cases, seed: seedBase + 4) }
    /// Soak over the shared real-world files; runs only when EAFT_PARQUET_FUZZ_CASES is set.
    func testSharedFilesSoak() throws {
        guard ProcessInfo.processInfo.environment["EAFT_PARQUET_FUZZ_CASES"] != nil else {
            throw XCTSkip("set EAFT_PARQUET_FUZZ_CASES to soak the shared Parquet files")
        }
        let dir = try SharedData.require("data/parquet")
        for (k, f) in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().enumerated() where f.hasSuffix(".parquet") {
            try runCases(dir.appendingPathComponent(f).path, cases: cases, seed: seedBase + 100 + UInt64(k))
        }
    }

    func testLegacyNested() throws { try runCases("legacy_nested.parquet", cases: cases, seed: seedBase + 5) }
    func testNestedGzipV2Dict() throws { try runCases("nested_gzip_v2_dict.parquet", cases: cases, seed: seedBase + 6) }
}

/// Issue 17: one flipped footer byte made the reader return 0 of 356 rows without an error.
/// Every single-byte change of the footer must now give either every row or a located error.
final class ParquetFooterFlipTests: XCTestCase {
    func testEveryFooterByteFlipGivesAllRowsOrAnError() throws {
        // Small files (every footer byte × 3 patterns is thousands of reads in a debug build).
        let names = ["legacy_nested.parquet", "single_row_groups_of_one.parquet", "uint64_big.parquet"]
        let dir = try SharedData.tempDir("parquet-footer")
        defer { try? FileManager.default.removeItem(at: dir) }
        var silent: [String] = []
        var checked = 0
        for name in names {
            let src = ParquetTestSupport.fixtures.appendingPathComponent(name)
            let original = [UInt8](try Data(contentsOf: src))
            let rows = try ParquetFile(path: src.path).numRows
            let n = original.count
            let footerLen = Int(original[n - 8]) | Int(original[n - 7]) << 8 | Int(original[n - 6]) << 16 | Int(original[n - 5]) << 24
            let path = dir.appendingPathComponent(name).path
            for at in (n - 8 - footerLen)..<(n - 8) {
                for x: UInt8 in [0x01, 0x80, 0xFF] {
                    var b = original
                    b[at] ^= x
                    // fopen/fwrite: no fsync (Foundation's file writes sync, which costs seconds here).
                    guard let f = fopen(path, "wb") else { throw CocoaError(.fileWriteUnknown) }
                    fwrite(b, 1, b.count, f)
                    fclose(f)
                    checked += 1
                    var got = 0, failed = false
                    do {
                        let it = try ParquetFile(path: path).rows()
                        while try it.nextRow() != nil { got += 1; if got > rows { break } }
                    } catch let e as DataIOError {
                        failed = true
                        XCTAssertNotNil(e.location.byteOffset, "\(name) byte \(at): \(e)")
                    }
                    if !failed && got != rows { silent.append("\(name) byte \(at) ^ \(x): \(got) of \(rows) rows") }
                }
            }
        }
        XCTAssertEqual(silent, [], "\(silent.count) of \(checked) footer flips silently changed the row count")
    }
}
