import CZlib
import DataIO
import Foundation
import Records
import TestSupport
import XCTest

/// Damages compressed JSONL files at many seeded random positions (truncation and byte
/// flips) and checks that the reader never crashes or hangs, always ends with rows, bad
/// lines and at most one located error, and delivers every record whose bytes were fully
/// decodable from the compressed bytes before the damage.
final class JSONLCorruptionTests: XCTestCase {
    struct SplitMix64: RandomNumberGenerator {
        var s: UInt64
        mutating func next() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    var dir: URL!
    override func setUpWithError() throws { dir = try SharedData.tempDir("jsonl-corrupt") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func makeRows() -> (rows: [JSONValue], bytes: [UInt8], lineEnds: [Int]) {
        var rows: [JSONValue] = []
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var rng = SplitMix64(s: 7)
        for i in 0..<1500 {
            let n = Int(rng.next() % 120)
            let s = String((0..<n).map { _ in Character(UnicodeScalar(UInt8(97 + rng.next() % 26))) })
            let v: JSONValue = ["i": .int(Int64(i)), "text": .string(s), "x": .double(Double(i) / 7)]
            rows.append(v)
            JSONWriter().write(v, into: &bytes)
            bytes.append(0x0A)
            ends.append(bytes.count)
        }
        return (rows, bytes, ends)
    }

    /// Decompressed bytes that are fully determined by the first `p` compressed bytes
    /// (what a streaming decoder can emit having consumed only those).
    func decodablePrefix(_ comp: [UInt8], _ p: Int, zstd: Bool, path: String) throws -> Int {
        let prefix = Array(comp[0..<p])
        let tmp = try JSONLTest.write(prefix, name: "prefix-\(zstd ? "z" : "g")", in: dir)
        let s: ByteStream = zstd ? try ZstdFileStream(path: tmp) : try GzipFileStream(path: tmp)
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n: Int
            do { n = try chunk.withUnsafeMutableBytes { try s.read(into: $0) } } catch { n = 0; _ = error }
            if n == 0 { break }
            total += n
        }
        // A second call surfaces a held-back error; bytes already counted stay valid.
        return total
    }

    func runDamage(zstd: Bool) throws {
        let (rows, plain, ends) = makeRows()
        let comp = plain.withUnsafeBytes { zstd ? Codecs.zstdCompress($0, level: 3) : Codecs.gzipCompress($0, level: 6) }
        var rng = SplitMix64(s: zstd ? 99 : 42)
        var errors = 0, badLines = 0, fullRuns = 0
        let cases = 120
        for c in 0..<cases {
            let truncate = c % 3 == 0
            let pos = Int(rng.next() % UInt64(comp.count - 1)) + (truncate ? 1 : 0)
            var damaged = comp
            if truncate {
                damaged.removeSubrange(pos...)
            } else {
                damaged[pos] ^= UInt8(1 << (rng.next() % 8)) | (c % 2 == 0 ? 0x80 : 0)
                if damaged[pos] == comp[pos] { damaged[pos] ^= 0xFF }
            }
            let path = try JSONLTest.write(damaged, name: "d\(c).jsonl" + (zstd ? ".zst" : ".gz"), in: dir)
            let r = try JSONLTest.readAll(path)
            if let e = r.error {
                errors += 1
                XCTAssertEqual(e.location.file, path)
                XCTAssertNotNil(e.location.byteOffset, "error is located: \(e)")
                XCTAssertTrue(e.reason.contains("compressed byte"), e.reason)
            }
            badLines += r.bad.count
            if r.error == nil && r.bad.isEmpty && r.rows == rows { fullRuns += 1 }
            // Every record whose bytes were decodable before the damage is delivered, in order.
            let good = try decodablePrefix(comp, pos, zstd: zstd, path: path)
            let k = ends.firstIndex(where: { $0 > good }) ?? ends.count
            XCTAssertGreaterThanOrEqual(r.rows.count, k, "case \(c) pos \(pos) truncate=\(truncate)")
            for j in 0..<min(k, r.rows.count) where r.rows[j] != rows[j] {
                XCTFail("case \(c): row \(j) differs before the damage")
                break
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        print("[corruption \(zstd ? "zstd" : "gzip")] \(cases) cases on \(comp.count) compressed bytes: \(errors) located stream errors, \(badLines) bad lines, \(fullRuns) runs fully intact (damage in a checksum-free spot or undetected)")
        XCTAssertGreaterThan(errors, cases / 3)
    }

    func testGzipDamageAtRandomPositions() throws { try runDamage(zstd: false) }
    func testZstdDamageAtRandomPositions() throws { try runDamage(zstd: true) }
}
