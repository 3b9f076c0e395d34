import DataIO
import Foundation
import Records
import TestSupport
import XCTest

final class JSONLReaderTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try SharedData.tempDir("jsonl") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testPlainBlankCRLFAndLocations() throws {
        let text = "{\"a\":1}\r\n\n   \n{\"a\":2}\n\r\n{\"a\":3}"
        let p = try JSONLTest.write(Array(text.utf8), name: "x.jsonl", in: dir)
        let r = try JSONLTest.readAll(p)
        XCTAssertEqual(r.rows, [["a": 1], ["a": 2], ["a": 3]])
        XCTAssertEqual(r.bad, [])
        XCTAssertNil(r.error)
        XCTAssertEqual(r.locs.map(\.line), [1, 4, 6])
        XCTAssertEqual(r.locs.map(\.byteOffset), [0, 14, 24])
        XCTAssertEqual(r.locs.map(\.record), [0, 1, 2])
        XCTAssertEqual(r.stats.blankLines, 3)
        XCTAssertEqual(r.stats.lines, 6)
        XCTAssertEqual(r.stats.crlfLines, 2)
    }

    func testBOMAtStartStrippedMidFileRejected() throws {
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        bytes += Array("{\"a\":1}\n".utf8)
        bytes += [0xEF, 0xBB, 0xBF] + Array("{\"a\":2}\n{\"a\":3}\n".utf8)
        let p = try JSONLTest.write(bytes, name: "bom.jsonl", in: dir)
        let r = try JSONLTest.readAll(p)
        XCTAssertEqual(r.rows, [["a": 1], ["a": 3]])
        XCTAssertTrue(r.stats.bomStripped)
        XCTAssertEqual(r.bad.map(\.reason), [.bomMidFile])
        XCTAssertEqual(r.bad.first?.location.line, 2)
        XCTAssertEqual(r.bad.first?.location.byteOffset, 11)
        XCTAssertEqual(r.locs.first?.byteOffset, 3, "offsets count the BOM bytes")
    }

    func testBadLinesAreCountedAndDoNotStopTheStream() throws {
        var bytes = Array("{\"ok\":1}\n{\"broken\": }\n".utf8)
        bytes += Array("{\"s\":\"".utf8) + [0xC3, 0x28] + Array("\"}\n".utf8)  // invalid UTF-8
        bytes += Array("[1,2]\n\"str\"\n42\n{\"ok\":2}\n{\"trunc\": \"abc".utf8)
        let p = try JSONLTest.write(bytes, name: "bad.jsonl", in: dir)
        let r = try JSONLTest.readAll(p)
        XCTAssertEqual(r.rows, [["ok": 1], ["ok": 2]])
        XCTAssertEqual(r.bad.map(\.reason), [.invalidJSON, .invalidUTF8, .notObject, .notObject, .notObject, .truncatedLastLine])
        XCTAssertEqual(r.bad.map { $0.location.line! }, [2, 3, 4, 5, 6, 8])
        XCTAssertEqual(r.stats.bad[.notObject], 3)
        XCTAssertEqual(r.stats.badTotal, 6)
        XCTAssertEqual(r.locs.map(\.line), [1, 7])
        XCTAssertTrue(r.bad[0].detail.contains("invalid JSON"), r.bad[0].detail)
        XCTAssertEqual(r.bad[0].text, "{\"broken\": }")
    }

    func testEmptyFileAndUTF16() throws {
        let e = try JSONLTest.readAll(try JSONLTest.write([], name: "empty.jsonl", in: dir))
        XCTAssertEqual(e.rows.count + e.bad.count, 0)
        XCTAssertNil(e.error)
        let u16: [UInt8] = [0xFF, 0xFE] + Array("{\"a\":1}\n".utf8).flatMap { [$0, 0] }
        let r = try JSONLTest.readAll(try JSONLTest.write(u16, name: "u16.jsonl", in: dir))
        XCTAssertEqual(r.rows.count, 0)
        XCTAssertTrue(r.error?.reason.contains("UTF-16") ?? false, "\(String(describing: r.error))")
    }

    func testLastLineWithoutNewlineThatParsesIsARow() throws {
        let p = try JSONLTest.write(Array("{\"a\":1}\n{\"a\":2}".utf8), name: "nonl.jsonl", in: dir)
        let r = try JSONLTest.readAll(p)
        XCTAssertEqual(r.rows.count, 2)
        XCTAssertEqual(r.bad, [])
    }

    func testOverLimitLineIsSkippedWithoutBuffering() throws {
        var opts = JSONLOptions()
        opts.maxLineBytes = 1000
        opts.readBufferBytes = 256
        let long = "{\"x\":\"" + String(repeating: "y", count: 50_000) + "\"}"
        let mid = "{\"x\":\"" + String(repeating: "z", count: 600) + "\"}"  // fits: buffer must grow
        let p = try JSONLTest.write(JSONLTest.lines(["{\"a\":1}", long, mid, "{\"a\":2}", long]), name: "long.jsonl", in: dir)
        let r = try JSONLTest.readAll(p, options: opts)
        XCTAssertEqual(r.rows.count, 3)
        XCTAssertEqual(r.rows.last, ["a": 2])
        XCTAssertEqual(r.bad.map(\.reason), [.lineTooLong, .lineTooLong])
        XCTAssertEqual(r.bad.map { $0.location.line! }, [2, 5])
        XCTAssertEqual(r.bad[0].length, long.utf8.count)
        XCTAssertEqual(r.bad[0].location.byteOffset, 8)
        XCTAssertEqual(r.locs.map(\.line), [1, 3, 4])
        XCTAssertEqual(r.bad[0].text.utf8.count, 256, "reject text is truncated")
        // The over-long lines were never buffered: the buffer stopped at the limit.
        let reader = try JSONLReader(path: p, options: opts)
        while try reader.next() != nil {}
        XCTAssertLessThanOrEqual(reader.bufferCapacity, opts.maxLineBytes + 2)
    }

    /// Issue 17: an input with no newline (`/dev/zero`) was skipped forever. The skip limit ends
    /// it with a located error, in bounded memory — with the defaults too.
    func testInputWithoutNewlineStopsAtTheSkipLimit() throws {
        var opts = JSONLOptions()
        opts.maxLineBytes = 1 << 16
        opts.maxSkipBytes = 1 << 22
        for o in [opts, JSONLOptions()] {
            let reader = try JSONLReader(path: "/dev/zero", options: o)
            var bad: [BadLine] = []
            var thrown: Error?
            do { while let item = try reader.next() { if case .bad(let b) = item { bad.append(b) } } } catch { thrown = error }
            XCTAssertEqual(bad.map(\.reason), [.lineTooLong])
            let s = "\(thrown.map { "\($0)" } ?? "no error")"
            XCTAssertTrue(s.contains("/dev/zero") && s.contains("no newline"), s)
            XCTAssertLessThanOrEqual(reader.bufferCapacity, max(o.readBufferBytes, o.maxLineBytes + 2))
            XCTAssertNil(try reader.next(), "ends after the error")
        }
    }

    func testTinyBufferGivesSameResultAsLargeBuffer() throws {
        var rows: [String] = []
        for i in 0..<500 { rows.append("{\"i\":\(i),\"s\":\"\(String(repeating: "é", count: i % 37))\"}") }
        let p = try JSONLTest.write(JSONLTest.lines(rows), name: "many.jsonl", in: dir)
        var small = JSONLOptions()
        small.readBufferBytes = 64
        let a = try JSONLTest.readAll(p, options: small)
        let b = try JSONLTest.readAll(p)
        XCTAssertEqual(a.rows, b.rows)
        XCTAssertEqual(a.locs, b.locs)
        XCTAssertEqual(a.rows.count, 500)
        XCTAssertEqual(a.rows[499]["i"], 499)
    }

    func testGzipZstdRoundTripDetectedByMagicNotExtension() throws {
        var rows: [String] = []
        for i in 0..<2000 { rows.append("{\"i\":\(i),\"t\":\"row \(i)\"}") }
        let plain = JSONLTest.lines(rows)
        let gz = plain.withUnsafeBytes { Codecs.gzipCompress($0) }
        let zs = plain.withUnsafeBytes { Codecs.zstdCompress($0) }
        // Misleading names on purpose: detection is by magic bytes.
        let pg = try JSONLTest.write(gz, name: "a.jsonl", in: dir)
        let pz = try JSONLTest.write(zs, name: "b.jsonl.gz", in: dir)
        for p in [pg, pz] {
            let r = try JSONLTest.readAll(p)
            XCTAssertNil(r.error, "\(p)")
            XCTAssertEqual(r.rows.count, 2000)
            XCTAssertEqual(r.rows[1234], ["i": 1234, "t": "row 1234"])
            XCTAssertEqual(r.stats.bytes, Int64(plain.count))
            XCTAssertEqual(r.locs[1].byteOffset, Int64(rows[0].utf8.count + 1))
        }
        XCTAssertEqual(try StreamCompression.detect(path: pg), .gzip)
        XCTAssertEqual(try StreamCompression.detect(path: pz), .zstd)
    }

    func testMultiMemberGzipAndMultiFrameZstd() throws {
        let a = JSONLTest.lines(["{\"m\":1}", "{\"m\":2}"])
        let b = JSONLTest.lines(["{\"m\":3}"])
        // A member boundary in the middle of a line too.
        let c1 = Array("{\"m\":".utf8), c2 = Array("4}\n".utf8)
        var gz: [UInt8] = []
        for part in [a, b, c1, c2] { gz += part.withUnsafeBytes { Codecs.gzipCompress($0) } }
        gz += [0, 0, 0, 0]  // zero padding after the last member is tolerated
        var zs: [UInt8] = []
        for part in [a, b, c1, c2] { zs += part.withUnsafeBytes { Codecs.zstdCompress($0) } }
        for (name, bytes) in [("mm.jsonl.gz", gz), ("mf.jsonl.zst", zs)] {
            let p = try JSONLTest.write(bytes, name: name, in: dir)
            let r = try JSONLTest.readAll(p)
            XCTAssertNil(r.error, name)
            XCTAssertEqual(r.rows, [["m": 1], ["m": 2], ["m": 3], ["m": 4]], name)
        }
    }

    func testTruncatedCompressedStreamYieldsGoodRowsThenLocatedError() throws {
        var rows: [String] = []
        for i in 0..<3000 { rows.append("{\"i\":\(i),\"pad\":\"\(String(repeating: "q", count: i % 50))\"}") }
        let plain = JSONLTest.lines(rows)
        let gz = plain.withUnsafeBytes { Codecs.gzipCompress($0, level: 1) }
        let p = try JSONLTest.write(Array(gz[0..<(gz.count / 2)]), name: "t.jsonl.gz", in: dir)
        let r = try JSONLTest.readAll(p)
        let err = try XCTUnwrap(r.error)
        XCTAssertTrue(err.reason.contains("truncated gzip"), err.reason)
        XCTAssertEqual(err.location.file, p)
        XCTAssertNotNil(err.location.byteOffset)
        XCTAssertGreaterThan(r.rows.count, 500)
        for (k, v) in r.rows.enumerated() { XCTAssertEqual(v["i"], .int(Int64(k))) }
        XCTAssertNotNil(r.stats.streamError)
    }

    func testJSONArrayFileIsStreamed() throws {
        let text = "\n[\n  {\"a\": 1, \"s\": \"x,]}\\\"[\"},\n  {\"a\": [1, {\"b\": 2}]},\n  5,\n  {\"a\": 3}\n]\n"
        let p = try JSONLTest.write(Array(text.utf8), name: "arr.json", in: dir)
        var opts = JSONLOptions()
        opts.readBufferBytes = 64
        let r = try JSONLTest.readAll(p, options: opts)
        XCTAssertTrue(r.stats.arrayMode)
        XCTAssertEqual(r.rows, [["a": 1, "s": "x,]}\"["], ["a": [1, ["b": 2]]], ["a": 3]])
        XCTAssertEqual(r.bad.map(\.reason), [.notObject])
        XCTAssertEqual(r.locs.map(\.line), [3, 4, 6])
        XCTAssertNil(r.error)
        // Compressed arrays stream the same way.
        let gz = Array(text.utf8).withUnsafeBytes { Codecs.gzipCompress($0) }
        let rg = try JSONLTest.readAll(try JSONLTest.write(gz, name: "arr.json.gz", in: dir), options: opts)
        XCTAssertEqual(rg.rows, r.rows)
        XCTAssertEqual(rg.locs, r.locs.map { var l = $0; l.file = dir.appendingPathComponent("arr.json.gz").path; return l })
        // The same bytes named .jsonl are JSON Lines: every line is bad except none parse as objects.
        let p2 = try JSONLTest.write(Array("[{\"a\":1}]\n".utf8), name: "arr.jsonl", in: dir)
        let r2 = try JSONLTest.readAll(p2)
        XCTAssertEqual(r2.bad.map(\.reason), [.notObject])
        // Truncated array.
        let p3 = try JSONLTest.write(Array("[{\"a\":1},{\"a\":".utf8), name: "trunc.json", in: dir)
        let r3 = try JSONLTest.readAll(p3)
        XCTAssertEqual(r3.rows, [["a": 1]])
        XCTAssertEqual(r3.bad.map(\.reason), [.truncatedLastLine])
        let p4 = try JSONLTest.write(Array("[]".utf8), name: "empty.json", in: dir)
        let r4 = try JSONLTest.readAll(p4)
        XCTAssertEqual(r4.rows.count + r4.bad.count, 0)
    }

    func testRejectsFileAndRowSource() throws {
        let p = try JSONLTest.write(Array("{\"a\":1}\nnot json\n{\"a\":2}\n".utf8), name: "r.jsonl", in: dir)
        let rejPath = dir.appendingPathComponent("rejects.jsonl").path
        var seen: [BadLine] = []
        do {
            let w = try RejectsWriter(path: rejPath)
            let it = try RowSource.open(path: p, options: RowSourceOptions(rejects: w, onBadLine: { seen.append($0) }))
            var n = 0
            while let (row, loc) = try it.next() {
                n += 1
                XCTAssertEqual(row["a"], .int(Int64(n)))
                XCTAssertEqual(loc.record, n - 1)
            }
            XCTAssertEqual(n, 2)
            XCTAssertEqual(it.stats.bad[.invalidJSON], 1)
            w.flush()
        }
        XCTAssertEqual(seen.count, 1)
        let rej = try String(contentsOfFile: rejPath, encoding: .utf8)
        let v = try JSONParser.parse(rej.trimmingCharacters(in: .newlines))
        XCTAssertEqual(v["file"], .string(p))
        XCTAssertEqual(v["line"], 2)
        XCTAssertEqual(v["offset"], 8)
        XCTAssertEqual(v["reason"], "invalid_json")
        XCTAssertEqual(v["text"], "not json")
    }

    func testBrokenParquetIsALocatedError() throws {
        let p = try JSONLTest.write(Array("PAR1xxxxPAR1".utf8), name: "x.parquet", in: dir)
        XCTAssertEqual(try RowFormat.detect(path: p), .parquet)
        XCTAssertThrowsError(try RowSource.open(path: p)) { e in
            let d = e as? DataIOError
            XCTAssertEqual(d?.location.file, p)
            XCTAssertNotNil(d?.location.byteOffset, "\(e)")
        }
    }
}
