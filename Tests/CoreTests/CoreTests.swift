import Core
import Foundation
import XCTest

final class LocatedErrorTests: XCTestCase {
    enum Plain: ErrorDomain {}
    enum Prefixed: ErrorDomain { static var messagePrefix: String? { "tokenizer error" } }

    func testMessageFormats() {
        XCTAssertEqual("\(LocatedError<Plain>("bad", at: SourceLocation(file: "a.jsonl", line: 3, byteOffset: 7), hint: "fix"))",
                       "a.jsonl:3 (byte 7): bad (hint: fix)")
        XCTAssertEqual("\(LocatedError<Plain>("bad"))", "bad")
        XCTAssertEqual("\(LocatedError<Plain>("bad", at: "train config"))", "train config: bad")
        XCTAssertEqual("\(LocatedError<Prefixed>("bad", at: "t.json"))", "tokenizer error at t.json: bad")
        XCTAssertEqual("\(LocatedError<Prefixed>("bad", hint: "h"))", "tokenizer error: bad (hint: h)")
        XCTAssertEqual("\(LocatedError<Prefixed>("bad", at: SourceLocation(file: "", line: 2, column: 5)))",
                       "tokenizer error at line 2, column 5: bad")
    }

    func testRewrapKeepsEverything() {
        let a = LocatedError<Plain>("r", at: SourceLocation(file: "f", record: 4, field: "x"), hint: "h")
        let b = LocatedError<Prefixed>(a)
        XCTAssertEqual(b.reason, "r")
        XCTAssertEqual(b.location, a.location)
        XCTAssertEqual(b.hint, "h")
    }

    func testLocationDescription() {
        XCTAssertEqual(SourceLocation(file: "f", line: 1, column: 2, byteOffset: 3, record: 4, field: "k").description,
                       "f:1:2 (byte 3) record 4 field 'k'")
        XCTAssertTrue(SourceLocation(file: "").isEmpty)
        // Reject files: a location without a column encodes as before.
        let json = String(decoding: try! JSONEncoder().encode(SourceLocation(file: "f", line: 1)), as: UTF8.self)
        XCTAssertFalse(json.contains("column"))
    }
}

final class StrictDecodingTests: XCTestCase {
    struct Config: Decodable {
        var a: Int
        enum CodingKeys: String, CodingKey, CaseIterable { case a }
        init(from decoder: Decoder) throws {
            try StrictDecoding.rejectUnknownKeys(in: decoder, known: CodingKeys.allCases.map(\.rawValue), what: "test")
            a = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .a)
        }
    }

    func testUnknownKeyNamed() {
        XCTAssertThrowsError(try JSONDecoder().decode(Config.self, from: Data(#"{"a": 1, "bb": 2}"#.utf8))) { e in
            let p = StrictDecoding.describe(e)
            XCTAssertEqual(p?.keyPath, "bb")
            XCTAssertTrue(p?.reason.contains("unknown test key 'bb' (known: a)") == true, "\(String(describing: p))")
        }
        XCTAssertEqual(try JSONDecoder().decode(Config.self, from: Data(#"{"a": 1}"#.utf8)).a, 1)
    }

    func testReadableErrors() {
        XCTAssertThrowsError(try JSONDecoder().decode(Config.self, from: Data(#"{"a": "x"}"#.utf8))) { e in
            XCTAssertEqual(StrictDecoding.describe(e)?.keyPath, "a")
            XCTAssertTrue(StrictDecoding.describe(e)!.reason.hasPrefix("wrong type: expected an integer"))
        }
        XCTAssertThrowsError(try JSONDecoder().decode(Config.self, from: Data("{}".utf8))) { e in
            XCTAssertEqual(StrictDecoding.describe(e)?.reason, "missing key 'a'")
        }
        XCTAssertNil(StrictDecoding.describe(CoreError("x")))
    }
}

final class PosixIOTests: XCTestCase {
    func tempDir() throws -> String {
        let d = NSTemporaryDirectory() + "/core-tests-\(UUID().uuidString)"
        try AtomicFile.makeDirectory(d + "/sub")
        return d
    }

    func testAtomicWriteReadAndChunks() throws {
        let d = try tempDir()
        let bytes = (0..<10_000).map { UInt8($0 % 251) }
        try AtomicFile.write(bytes, to: d + "/f")
        XCTAssertFalse(FileManager.default.fileExists(atPath: d + "/f.tmp"))
        XCTAssertEqual(try PosixIO.readFile(d + "/f"), bytes)
        var seen: [UInt8] = []
        try PosixIO.forEachChunk(d + "/f", chunk: 4096) { seen += $0 }
        XCTAssertEqual(seen, bytes)
        XCTAssertThrowsError(try PosixIO.readFile(d + "/missing"))
    }

    func testMakeDirectoryOverAFileIsLocated() {
        XCTAssertThrowsError(try AtomicFile.makeDirectory("/dev/null/x")) { e in
            XCTAssertTrue("\(e)".contains("'/dev/null' exists and is not a directory"), "\(e)")
        }
    }
}

final class LineReaderTests: XCTestCase {
    func lines(_ text: [UInt8], chunk: Int, max: Int = 1 << 20) throws -> [String] {
        let p = NSTemporaryDirectory() + "/core-lines-\(UUID().uuidString)"
        try AtomicFile.write(text, to: p)
        let r = try LineReader(path: p, maxLineBytes: max, chunk: chunk)
        var out: [String] = []
        while let l = try r.next() { out.append(String(decoding: l, as: UTF8.self)) }
        return out
    }

    func testStreamingMatchesInMemory() throws {
        let text: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a\r\nbb\n\nccc\r\nlast".utf8)
        for chunk in [1, 2, 3, 7, 1 << 20] {
            XCTAssertEqual(try lines(text, chunk: chunk), ["a", "bb", "", "ccc", "last"], "chunk \(chunk)")
        }
        var mem: [String] = []
        text.withUnsafeBytes { LineReader.forEachLine(in: $0) { n, l in mem.append("\(n):" + String(decoding: l, as: UTF8.self)) } }
        XCTAssertEqual(mem, ["1:a", "2:bb", "3:", "4:ccc", "5:last"])
    }

    func testLineLimit() {
        XCTAssertThrowsError(try lines(Array(("ok\n" + String(repeating: "x", count: 100)).utf8), chunk: 8, max: 50)) { e in
            XCTAssertTrue("\(e)".contains("line longer than 50 bytes"), "\(e)")
        }
    }
}

final class SplitMix64AndParallelTests: XCTestCase {
    /// The reference stream of splitmix64.c for seed 1234567 (first three outputs).
    func testReferenceStream() {
        var r = SplitMix64(seed: 1234567)
        XCTAssertEqual([r.next(), r.next(), r.next()], [6457827717110365317, 3203168211198807973, 9817491932198370423])
    }

    func testSplitsCoverEveryItemOnce() {
        for count in [0, 1, 5, 97] {
            for parts in [1, 2, 3, 8] {
                let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
                hits.initialize(repeating: 0, count: max(count, 1))
                Parallel.forRanges(count, parts: parts) { r in for i in r { hits[i] += 1 } }
                XCTAssertEqual((0..<count).map { hits[$0] }, Array(repeating: 1, count: count))
                hits.initialize(repeating: 0, count: max(count, 1))
                Parallel.forChunks(count, threads: parts) { r in for i in r { hits[i] += 1 } }
                XCTAssertEqual((0..<count).map { hits[$0] }, Array(repeating: 1, count: count))
                hits.deallocate()
            }
        }
    }
}

final class LogTests: XCTestCase {
    final class Box: @unchecked Sendable { var text = ""; let lock = NSLock() }

    func testLevelsAndProgressLine() {
        let box = Box()
        let oldLevel = Log.level
        Log.sink = { t in box.lock.lock(); box.text += t; box.lock.unlock() }
        defer { Log.sink = nil; Log.level = oldLevel }
        Log.level = .info
        let bar = TerminalProgress(force: true)
        bar.update(done: 1, total: 2, detail: "")
        Log.warning("w")
        Log.debug("hidden")
        bar.finish()
        XCTAssertTrue(box.text.hasPrefix("\r[##########----------] 1/2 50%"), box.text)
        XCTAssertTrue(box.text.hasSuffix("\u{1B}[K\nw\n"), box.text)
        Log.level = .warning
        box.text = ""
        Log.info("quiet")
        bar.update(done: 2, total: 2, detail: "")
        Log.warning("w2")
        XCTAssertEqual(box.text, "w2\n")
    }
}
