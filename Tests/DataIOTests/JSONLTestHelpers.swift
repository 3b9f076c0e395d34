import DataIO
import Foundation
import Records
import TestSupport
import XCTest

/// Helpers shared by the JSONL tests.
enum JSONLTest {
    static func write(_ bytes: [UInt8], name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Reads every item; a thrown stream error is returned beside the items.
    static func readAll(_ path: String, options: JSONLOptions = JSONLOptions()) throws
        -> (rows: [JSONValue], bad: [BadLine], locs: [SourceLocation], error: DataIOError?, stats: JSONLStats)
    {
        let r = try JSONLReader(path: path, options: options)
        var rows: [JSONValue] = [], bad: [BadLine] = [], locs: [SourceLocation] = []
        var err: DataIOError?
        var guardCount = 0
        while true {
            do {
                guard let item = try r.next() else { break }
                switch item {
                case .row(let v, let l): rows.append(v); locs.append(l)
                case .bad(let b): bad.append(b)
                }
            } catch let e as DataIOError {
                XCTAssertNil(err, "second error after the first: \(e)")
                err = e
            }
            guardCount += 1
            if guardCount > 10_000_000 { XCTFail("reader does not terminate"); break }
        }
        return (rows, bad, locs, err, r.stats)
    }

    static func lines(_ rows: [String]) -> [UInt8] { Array(rows.map { $0 + "\n" }.joined().utf8) }
}
