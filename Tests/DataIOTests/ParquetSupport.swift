import DataIO
import Foundation
import Records
import TestSupport
import XCTest

/// Helpers shared by the Parquet tests: reading all rows and comparing them with pyarrow's
/// `to_pylist()` rows as written by scripts/gen_parquet_fixtures.py.
enum ParquetTestSupport {
    static let fixtures = SharedData.repo("Tests/Fixtures/parquet")

    static func readAll(_ path: String, columns: [String]? = nil) throws -> [JSONValue] {
        let it = try ParquetFile(path: path).rows(columns: columns)
        var rows: [JSONValue] = []
        while let r = try it.nextRow() { rows.append(r) }
        return rows
    }

    /// Parses JSON lines (one value per non-empty line).
    static func parseLines(_ bytes: [UInt8]) throws -> [JSONValue] {
        var out: [JSONValue] = []
        var start = 0
        try bytes.withUnsafeBytes { b in
            for i in 0..<b.count where b[i] == 0x0A {
                if i > start { out.append(try JSONParser.parse(UnsafeRawBufferPointer(rebasing: b[start..<i]))) }
                start = i + 1
            }
            if start < b.count { out.append(try JSONParser.parse(UnsafeRawBufferPointer(rebasing: b[start...]))) }
        }
        return out
    }

    static func expectedRows(_ url: URL) throws -> [JSONValue] {
        var bytes = [UInt8](try Data(contentsOf: url))
        if url.pathExtension == "zst" {
            bytes = try bytes.withUnsafeBytes { try Codecs.zstdDecompress($0, at: SourceLocation(file: url.path)) }
        }
        return try parseLines(bytes)
    }

    /// Asserts `got` equals `want` row by row; reports the first few differing rows.
    static func assertRowsEqual(_ got: [JSONValue], _ want: [JSONValue], _ name: String,
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, "\(name): row count", file: file, line: line)
        var bad = 0
        let w = JSONWriter()
        for (i, (g, e)) in zip(got, want).enumerated() where g != e {
            bad += 1
            if bad <= 3 {
                XCTFail("\(name): row \(i) differs\n  swift:   \(w.string(g))\n  pyarrow: \(w.string(e))", file: file, line: line)
            }
        }
        if bad > 3 { XCTFail("\(name): \(bad) rows differ in total", file: file, line: line) }
    }

    /// The expected-rows file for a fixture: `<name>.expected.jsonl`, else its family's
    /// (`prim_zstd_v1_dict` → `prim.expected.jsonl`).
    static func expectedURL(for parquet: URL) -> URL {
        let name = parquet.deletingPathExtension().lastPathComponent
        let own = fixtures.appendingPathComponent(name + ".expected.jsonl")
        if FileManager.default.fileExists(atPath: own.path) { return own }
        // The longest "_"-separated prefix with an expected file names the family.
        let parts = name.split(separator: "_")
        for k in stride(from: parts.count - 1, to: 0, by: -1) {
            let url = fixtures.appendingPathComponent(parts[0..<k].joined(separator: "_") + ".expected.jsonl")
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return own
    }

    static func fixtureFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: fixtures, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "parquet" && !$0.lastPathComponent.hasPrefix("codec_")
                && !$0.lastPathComponent.hasPrefix("unsupported_") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
