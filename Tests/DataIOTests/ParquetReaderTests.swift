import DataIO
import Foundation
import Records
import TestSupport
import XCTest

/// The Parquet reader against pyarrow 26.0.1: every committed fixture (all codecs × encodings ×
/// page versions × nested types) and every file in ../shared/data/parquet must give exactly
/// the rows of `pq.read_table(path).to_pylist()` (exact equality, doubles compared bit-exactly
/// after parsing; float32 values are widened to double on both sides).
final class ParquetReaderTests: XCTestCase {
    typealias S = ParquetTestSupport

    func testEveryFixtureMatchesPyarrow() throws {
        let files = try S.fixtureFiles()
        XCTAssertGreaterThanOrEqual(files.count, 30, "fixtures missing: run scripts/gen_parquet_fixtures.py")
        for f in files {
            let want = try S.expectedRows(S.expectedURL(for: f))
            do {
                let got = try S.readAll(f.path)
                S.assertRowsEqual(got, want, f.lastPathComponent)
                XCTAssertEqual(try ParquetFile(path: f.path).numRows, want.count, f.lastPathComponent)
            } catch {
                XCTFail("\(f.lastPathComponent): \(error)")
            }
        }
    }

    /// GZIP pages decode the same through libdeflate (when present) and zlib.
    func testGzipBackendsAgree() throws {
        defer { ParquetFile.useLibdeflate = true }
        for f in try S.fixtureFiles() where f.lastPathComponent.contains("gzip") {
            let want = try S.expectedRows(S.expectedURL(for: f))
            for lib in [true, false] {
                ParquetFile.useLibdeflate = lib
                S.assertRowsEqual(try S.readAll(f.path), want, "\(f.lastPathComponent) libdeflate=\(lib)")
            }
        }
    }

    func testSharedFilesMatchPyarrow() throws {
        let dir = try SharedData.require("data/parquet")
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "parquet" }
        XCTAssertFalse(files.isEmpty)
        for f in files {
            let exp = S.fixtures.appendingPathComponent("shared-expected/\(f.lastPathComponent).expected.jsonl.zst")
            guard FileManager.default.fileExists(atPath: exp.path) else {
                XCTFail("no expected rows for \(f.lastPathComponent): rerun scripts/gen_parquet_fixtures.py --shared-only")
                continue
            }
            S.assertRowsEqual(try S.readAll(f.path), try S.expectedRows(exp), f.lastPathComponent)
        }
    }

    func testProjectionReadsOnlyRequestedColumnsInSchemaOrder() throws {
        let f = S.fixtures.appendingPathComponent("nested_snappy_v2_plain.parquet").path
        let want = try S.expectedRows(S.fixtures.appendingPathComponent("nested.expected.jsonl"))
        let got = try S.readAll(f, columns: ["tags", "id"])
        XCTAssertEqual(got.count, want.count)
        for (g, w) in zip(got, want) {
            XCTAssertEqual(g.objectValue?.keys, ["id", "tags"])
            XCTAssertEqual(g["id"], w["id"])
            XCTAssertEqual(g["tags"], w["tags"])
        }
        XCTAssertEqual(try S.readAll(f, columns: []).first, .object(JSONObject()))
        XCTAssertThrowsError(try ParquetFile(path: f).rows(columns: ["nope"])) { e in
            XCTAssertTrue("\(e)".contains("nope"), "\(e)")
        }
    }

    /// Only the requested columns' chunks are read: wiping another column's chunks breaks a full
    /// read but not the projection.
    func testProjectionNeverTouchesOtherChunks() throws {
        let src = S.fixtures.appendingPathComponent("prim_none_v1_plain.parquet")
        var bytes = [UInt8](try Data(contentsOf: src))
        let pf = try ParquetFile(path: src.path)
        for g in 0..<pf.numRowGroups {
            for c in pf.columnChunks(rowGroup: g) where c.path == "bin" {
                for i in Int(c.offset)..<Int(c.offset + c.size) { bytes[i] = 0xEE }
            }
        }
        let dir = try SharedData.tempDir("parquet-proj")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("wiped.parquet").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try S.readAll(path)) { e in
            XCTAssertTrue("\(e)".contains("'bin'"), "\(e)")
        }
        let want = try S.expectedRows(S.fixtures.appendingPathComponent("prim.expected.jsonl"))
        let got = try S.readAll(path, columns: ["s", "i32"])
        XCTAssertEqual(got.count, want.count)
        for (g, w) in zip(got, want) {
            XCTAssertEqual(g, .object(JSONObject([("i32", w["i32"]!), ("s", w["s"]!)])))
        }
    }

    /// A bad row group costs only its own rows: the error names it, the rest still read.
    func testBadRowGroupIsSkippedAndCounted() throws {
        let src = S.fixtures.appendingPathComponent("prim_none_v1_plain.parquet")
        var bytes = [UInt8](try Data(contentsOf: src))
        let pf = try ParquetFile(path: src.path)
        XCTAssertEqual(pf.numRowGroups, 3)
        let c = try XCTUnwrap(pf.columnChunks(rowGroup: 1).first { $0.path == "s" })
        for i in Int(c.offset)..<Int(c.offset + c.size) { bytes[i] = 0xEE }
        let dir = try SharedData.tempDir("parquet-rg")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bad-rg1.parquet").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let want = try S.expectedRows(S.fixtures.appendingPathComponent("prim.expected.jsonl"))
        let it = try ParquetFile(path: path).rows()
        var got: [JSONValue] = []
        var errors: [DataIOError] = []
        while true {
            do { guard let r = try it.nextRow() else { break }; got.append(r) } catch let e as DataIOError { errors.append(e) }
        }
        let first = pf.numRows(inRowGroup: 0), second = pf.numRows(inRowGroup: 1)
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.location.record, first)
        XCTAssertEqual(errors.first?.location.field, "s")
        XCTAssertTrue(errors.first?.reason.contains("row group 1") ?? false, "\(errors)")
        XCTAssertEqual(it.rowsSkipped, second)
        XCTAssertEqual(got, Array(want[0..<first]) + Array(want[(first + second)...]))
    }

    func testSequenceFormAndErrorProperty() throws {
        let it = try ParquetFile(path: S.fixtures.appendingPathComponent("nested_zstd_v2_dict.parquet").path).rows()
        var n = 0
        for row in it { XCTAssertNotNil(row["messages"]); n += 1 }
        XCTAssertEqual(n, 400)
        XCTAssertNil(it.error)
        XCTAssertEqual(it.rowsRead, 400)
    }

    func testUnsupportedCodecsAreNamed() throws {
        for (file, name) in [("codec_lz4.parquet", "LZ4"), ("codec_brotli.parquet", "BROTLI")] {
            let path = S.fixtures.appendingPathComponent(file).path
            XCTAssertThrowsError(try S.readAll(path)) { e in
                guard let e = e as? DataIOError else { return XCTFail("not a DataIOError: \(e)") }
                XCTAssertTrue(e.reason.contains(name), "\(e)")
                XCTAssertEqual(e.location.file, path)
                XCTAssertNotNil(e.location.byteOffset)
                XCTAssertTrue(e.reason.contains("row group 0"), "\(e)")
            }
        }
    }

    func testInt96IsRefusedButOtherColumnsRead() throws {
        let path = S.fixtures.appendingPathComponent("unsupported_int96.parquet").path
        XCTAssertThrowsError(try S.readAll(path)) { e in
            XCTAssertTrue("\(e)".contains("INT96") && "\(e)".contains("'t'"), "\(e)")
        }
        XCTAssertEqual(try S.readAll(path, columns: ["id"]), [["id": 1], ["id": 2]])
    }

    func testMetadataAndSchemaDescription() throws {
        let pf = try ParquetFile(path: S.fixtures.appendingPathComponent("nested_none_v1_dict.parquet").path)
        XCTAssertEqual(pf.numRows, 400)
        XCTAssertEqual(pf.numRowGroups, 3)
        XCTAssertTrue(pf.keyValueMetadata.contains { $0.0 == "ARROW:schema" })
        let d = pf.schema.description
        for line in [
            "id: int64",
            "messages: list<element: struct<role: string, content: string, tool_calls: list<element: struct<id: string, type: string, function: struct<name: string, arguments: string>>>>>",
            "  child 0, element: struct<role: string, content: string, tool_calls: list<element: struct<id: string, type: string, function: struct<name: string, arguments: string>>>>",
            "tags: map<string, int64>",
            "grid: list<element: list<element: string>>",
            "req_list: list<element: int64 not null>",
        ] {
            XCTAssertTrue(d.split(separator: "\n").contains(Substring(line)), "missing line \(line) in\n\(d)")
        }
        let legacy = try ParquetFile(path: S.fixtures.appendingPathComponent("legacy_nested.parquet").path).schema.description
        for line in ["legacy_list: list<array: int32 not null>", "bare: list<bare: int32 not null> not null",
                     "pairs: list<element: struct<name: string not null, n: int32> not null>",
                     "tuple_list: list<tuple_list_tuple: struct<s: string not null> not null>"] {
            XCTAssertTrue(legacy.split(separator: "\n").contains(Substring(line)), "missing line \(line) in\n\(legacy)")
        }
        let lt = try ParquetFile(path: S.fixtures.appendingPathComponent("logical_types.parquet").path).schema.description
        for line in ["d: date32[day]", "ts_ms_utc: timestamp[ms, tz=UTC]", "dec: decimal128(12, 2)", "u32: uint32"] {
            XCTAssertTrue(lt.split(separator: "\n").contains(Substring(line)), "missing line \(line) in\n\(lt)")
        }
    }

    func testNotParquetAndTruncatedFooterAreLocated() throws {
        let dir = try SharedData.tempDir("parquet-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("x.parquet").path
        _ = FileManager.default.createFile(atPath: p, contents: Data("hello, this is not parquet at all".utf8))
        XCTAssertThrowsError(try ParquetFile(path: p)) { e in
            XCTAssertTrue("\(e)".contains("PAR1"), "\(e)")
            XCTAssertEqual((e as? DataIOError)?.location.file, p)
        }
        XCTAssertThrowsError(try ParquetFile(path: dir.appendingPathComponent("missing.parquet").path))
    }
}
