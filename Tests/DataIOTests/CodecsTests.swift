import DataIO
import Records
import XCTest

final class CodecsTests: XCTestCase {
    let loc = SourceLocation(file: "test")

    func sample() -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<200_000).map { i in i % 7 == 0 ? UInt8.random(in: 0...255, using: &g) : UInt8(i % 31) }
    }

    func testZstdRoundTrip() throws {
        let src = sample()
        let c = src.withUnsafeBytes { Codecs.zstdCompress($0) }
        XCTAssertLessThan(c.count, src.count)
        XCTAssertEqual(try c.withUnsafeBytes { try Codecs.zstdDecompress($0, expected: src.count, at: loc) }, src)
        XCTAssertEqual(try c.withUnsafeBytes { try Codecs.zstdDecompress($0, at: loc) }, src)
    }

    func testGzipRoundTripAndMultiMember() throws {
        let src = sample()
        let c = src.withUnsafeBytes { Codecs.gzipCompress($0) }
        XCTAssertEqual(try c.withUnsafeBytes { try Codecs.gzipDecompress($0, at: loc) }, src)
        let two = c + c
        XCTAssertEqual(try two.withUnsafeBytes { try Codecs.gzipDecompress($0, at: loc) }, src + src)
    }

    func testTruncatedAndCorruptInputsThrow() {
        let src = sample()
        let z = src.withUnsafeBytes { Codecs.zstdCompress($0) }
        let g = src.withUnsafeBytes { Codecs.gzipCompress($0) }
        for cut in [1, 10, z.count / 2, z.count - 1] {
            XCTAssertThrowsError(try Array(z[0..<cut]).withUnsafeBytes { try Codecs.zstdDecompress($0, at: loc) }, "zstd cut \(cut)")
        }
        for cut in [1, 10, g.count / 2, g.count - 1] {
            XCTAssertThrowsError(try Array(g[0..<cut]).withUnsafeBytes { try Codecs.gzipDecompress($0, at: loc) }, "gzip cut \(cut)")
        }
        var bad = [UInt8](repeating: 0xFF, count: 64)
        bad[0] = 0x7F
        XCTAssertThrowsError(try bad.withUnsafeBytes { try Codecs.snappyDecompress($0, at: loc) })
    }

    func testSnappyKnownVector() throws {
        // Raw snappy: varint length 5, then literal tag (len-1)<<2 = 0x10, "hello".
        let block: [UInt8] = [0x05, 0x10] + Array("hello".utf8)
        XCTAssertEqual(try block.withUnsafeBytes { try Codecs.snappyDecompress($0, expected: 5, at: loc) }, Array("hello".utf8))
    }

    /// Issue 17: a page / block that claims ~4 GB must be refused (snappy: its length header
    /// exceeds what the input can expand to) or cost no up-front allocation (zstd, gzip).
    func testHugeClaimedSizesAreRefusedWithoutAllocating() throws {
        // snappy: varint 0x7FFFFFF0 (under the old 2 GiB cap, which zero-filled it) then one literal byte.
        let snappy: [UInt8] = [0xF0, 0xFF, 0xFF, 0xFF, 0x07, 0x00, 0x41]
        XCTAssertThrowsError(try snappy.withUnsafeBytes { try Codecs.snappyDecompress($0, at: loc) }) {
            XCTAssertTrue("\($0)".contains("claims 2147483632 bytes"), "\($0)")
        }
        let src = Array("hello hello hello".utf8)
        let z = src.withUnsafeBytes { Codecs.zstdCompress($0) }
        XCTAssertThrowsError(try z.withUnsafeBytes { try Codecs.zstdDecompress($0, expected: 1 << 32, at: loc) })
        let g = src.withUnsafeBytes { Codecs.gzipCompress($0) }
        XCTAssertThrowsError(try g.withUnsafeBytes { try Codecs.gzipDecompress($0, expected: 1 << 32, at: loc) })
    }
}
