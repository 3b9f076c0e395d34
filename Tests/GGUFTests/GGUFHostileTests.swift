import DataIO
import Foundation
import TestSupport
import XCTest

/// Truncated, inconsistent and randomly corrupted GGUF files: every one must give a located
/// `DataIOError` (or open consistently), never a trap.
final class GGUFHostileTests: XCTestCase {
    var tmp: URL!

    override func setUpWithError() throws { tmp = try SharedData.tempDir("gguf-hostile") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    func source() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: try SharedData.require("reference/gguf/dequant/Q4_K.gguf")))
    }

    /// Writes `bytes`, opens them; returns the error (nil if the file opened and every tensor
    /// dequantized).
    func open(_ bytes: [UInt8], _ name: String = "x.gguf") -> DataIOError? {
        let p = tmp.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
        do {
            let g = try GGUFFile(path: p)
            for t in g.tensors { _ = try g.floats(t.name) }
            return nil
        } catch let e as DataIOError {
            XCTAssertEqual(e.location.file, p)
            return e
        } catch {
            XCTFail("not a DataIOError: \(error)")
            return nil
        }
    }

    /// Offset of the first byte of the tensor-info section entry for `name`.
    func find(_ bytes: [UInt8], _ s: String) -> Int {
        let n = Array(s.utf8)
        for i in 0...(bytes.count - n.count) where Array(bytes[i..<(i + n.count)]) == n { return i }
        return -1
    }

    func put64(_ b: inout [UInt8], _ at: Int, _ v: UInt64) { for k in 0..<8 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) } }
    func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) { for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) } }

    func testEveryTruncationIsALocatedError() throws {
        let b = try source()
        var errors = 0
        // Every cut inside the header, then a stride through the data.
        for cut in Array(0..<330) + Array(stride(from: 330, to: b.count, by: 97)) {
            if let e = open(Array(b[..<cut])) {
                errors += 1
                XCTAssertFalse(e.reason.isEmpty)
            } else {
                XCTFail("truncated at \(cut) of \(b.count) bytes but opened")
            }
        }
        XCTAssertGreaterThan(errors, 330)
    }

    func testInconsistentTensorsNameTheTensor() throws {
        let b = try source()
        let nameAt = find(b, "matrix_b")
        XCTAssertGreaterThan(nameAt, 0)
        // matrix_b: name (8 bytes), n_dims u32, ne[2] u64, type u32, offset u64.
        let neAt = nameAt + 8 + 4, typeAt = neAt + 16, offAt = typeAt + 4

        var past = b
        put64(&past, offAt, 1 << 20)  // aligned, far past the end
        var e = open(past)
        XCTAssertEqual(e?.location.field, "matrix_b")
        XCTAssertTrue(e?.reason.contains("past the end") == true, "\(String(describing: e))")

        var big = b
        put64(&big, neAt + 8, 1 << 40)  // ne[1] huge: size does not fit the file
        e = open(big)
        XCTAssertEqual(e?.location.field, "matrix_b", "\(String(describing: e))")

        var huge = b
        put64(&huge, neAt, UInt64.max)  // does not fit Int
        XCTAssertNotNil(open(huge))

        var odd = b
        put64(&odd, neAt, 100)  // not a multiple of the Q4_K block (256)
        e = open(odd)
        XCTAssertTrue(e?.reason.contains("block size") == true, "\(String(describing: e))")

        var misaligned = b
        put64(&misaligned, offAt, 9216 + 4)
        e = open(misaligned)
        XCTAssertTrue(e?.reason.contains("alignment") == true, "\(String(describing: e))")

        var overlap = b
        put64(&overlap, offAt, 0)  // same offset as matrix_a
        e = open(overlap)
        XCTAssertTrue(e?.reason.contains("overlaps") == true, "\(String(describing: e))")

        var unknown = b
        put32(&unknown, typeAt, 16)
        e = open(unknown)
        XCTAssertTrue(e?.reason.contains("IQ2_XXS") == true, "\(String(describing: e))")
        XCTAssertEqual(e?.location.byteOffset, Int64(typeAt))

        var counts = b
        put64(&counts, 8, UInt64.max)  // tensor count
        e = open(counts)
        XCTAssertEqual(e?.location.byteOffset, 8)

        var keyLen = b
        put64(&keyLen, 24, 1 << 62)  // first key length
        XCTAssertNotNil(open(keyLen))

        var version = b
        put32(&version, 4, 1)
        XCTAssertTrue(open(version)?.reason.contains("version 1") == true)
        XCTAssertTrue(open(Array("GGML".utf8) + b[4...])?.reason.contains("not a GGUF") == true)
    }

    /// Random byte corruption of the header: open or fail cleanly, never trap.
    func testRandomHeaderCorruptionNeverTraps() throws {
        let b = try source()
        var rng = SystemRandomNumberGenerator()
        var opened = 0, failed = 0
        for _ in 0..<600 {
            var c = b
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                c[Int.random(in: 0..<330, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if open(c) == nil { opened += 1 } else { failed += 1 }
        }
        print("gguf fuzz: \(opened) opened, \(failed) clean errors")
        XCTAssertGreaterThan(failed, 0)
    }
}
