import DataIO
import Foundation
import TestSupport
import XCTest

/// safetensors reader/writer: round trip, dtypes, sharded index, and malformed files.
final class SafetensorsTests: XCTestCase {
    /// Builds a safetensors file from a header dictionary (JSON text) and raw data.
    func raw(_ header: String, _ data: [UInt8], lengthOverride: UInt64? = nil) -> Data {
        var d = Data()
        var n = (lengthOverride ?? UInt64(header.utf8.count)).littleEndian
        d.append(Data(bytes: &n, count: 8))
        d.append(header.data(using: .utf8)!)
        d.append(contentsOf: data)
        return d
    }

    func write(_ data: Data, _ name: String = "t.safetensors") throws -> String {
        let dir = try SharedData.tempDir("st")
        let p = dir.appendingPathComponent(name).path
        try data.write(to: URL(fileURLWithPath: p))
        return p
    }

    func testRoundTripAndHFLayout() throws {
        let dir = try SharedData.tempDir("st")
        let p = dir.appendingPathComponent("model.safetensors").path
        let a: [Float] = [1, -2, 3.5, 0, 1e-30, 7]
        let b: [Float] = [9, 8, 7]
        try a.withUnsafeBufferPointer { ap in
            try b.withUnsafeBufferPointer { bp in
                try SafetensorsWriter.write(path: p, tensors: [
                    .init(name: "z.weight", shape: [2, 3], data: ap), .init(name: "a.bias", shape: [3], data: bp),
                ])
            }
        }
        let f = try SafetensorsFile(path: p)
        XCTAssertEqual(f.metadata, ["format": "pt"])
        XCTAssertEqual(f.tensors.map(\.name), ["a.bias", "z.weight"], "sorted by name like HF")
        XCTAssertEqual(try f.floats("z.weight"), a)
        XCTAssertEqual(try f.floats("a.bias"), b)
        XCTAssertEqual(f.info("z.weight")?.shape, [2, 3])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: p))
        let n = bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        XCTAssertEqual(n % 8, 0, "header padded to 8 bytes")
        let header = String(decoding: bytes[8..<(8 + Int(n))], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{\"__metadata__\":{\"format\":\"pt\"}"), header)
    }

    func testBF16F16F64AndIntegers() throws {
        // bf16 1.5 = 0x3FC0; f16 -2.0 = 0xC000, f16 smallest subnormal 0x0001; f64 0.25; i64 -3.
        var data: [UInt8] = [0xC0, 0x3F, 0x00, 0xC0, 0x01, 0x00]
        withUnsafeBytes(of: 0.25.bitPattern.littleEndian) { data += $0 }
        withUnsafeBytes(of: Int64(-3).littleEndian) { data += $0 }
        let h = #"{"b":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]},"h":{"dtype":"F16","shape":[2],"data_offsets":[2,6]},"d":{"dtype":"F64","shape":[],"data_offsets":[6,14]},"i":{"dtype":"I64","shape":[1],"data_offsets":[14,22]}}"#
        let f = try SafetensorsFile(path: try write(raw(h, data)))
        XCTAssertEqual(try f.floats("b"), [1.5])
        XCTAssertEqual(try f.floats("h"), [-2, 0x1p-24])
        XCTAssertEqual(try f.floats("d"), [0.25])
        XCTAssertEqual(try f.integers("i"), [-3])
        XCTAssertThrowsError(try f.floats("i"))
    }

    func assertError(_ data: Data, contains: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let p = try write(data)
        XCTAssertThrowsError(try SafetensorsFile(path: p), file: file, line: line) { e in
            let s = "\(e)"
            XCTAssertTrue(s.contains(contains), "'\(s)' should contain '\(contains)'", file: file, line: line)
            XCTAssertTrue(s.contains(p), "error names the file: \(s)", file: file, line: line)
        }
    }

    func testMalformedFilesAreClearErrors() throws {
        try assertError(Data([1, 2, 3]), contains: "too short")
        try assertError(raw("{}", [], lengthOverride: 1 << 40), contains: "header length")
        try assertError(raw("{\"a\":", []), contains: "bad safetensors header JSON")
        try assertError(raw("[1]", []), contains: "not a JSON object")
        try assertError(raw(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, [0, 0, 0, 0]),
                        contains: "out of range")
        try assertError(raw(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, [UInt8](repeating: 0, count: 8)),
                        contains: "'w'")
        try assertError(raw(#"{"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}"#, [0]), contains: "unsupported dtype Q4")
        try assertError(raw(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                            [UInt8](repeating: 0, count: 8)), contains: "overlaps")
        let f = try SafetensorsFile(path: try write(raw(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 128, 63])))
        XCTAssertEqual(try f.floats("w"), [1])
        XCTAssertThrowsError(try f.floats("missing")) { XCTAssertTrue("\($0)".contains("missing")) }
    }

    func testShardedCheckpoint() throws {
        let dir = try SharedData.tempDir("shards")
        let one: [Float] = [1, 2], two: [Float] = [3]
        try one.withUnsafeBufferPointer {
            try SafetensorsWriter.write(path: dir.appendingPathComponent("m-1.safetensors").path,
                                        tensors: [.init(name: "x", shape: [2], data: $0)])
        }
        try two.withUnsafeBufferPointer {
            try SafetensorsWriter.write(path: dir.appendingPathComponent("m-2.safetensors").path,
                                        tensors: [.init(name: "y", shape: [1], data: $0)])
        }
        let idx = dir.appendingPathComponent("model.safetensors.index.json")
        try #"{"metadata":{},"weight_map":{"x":"m-1.safetensors","y":"m-2.safetensors"}}"#.write(to: idx, atomically: true, encoding: .utf8)
        let c = try SafetensorsCheckpoint(directory: dir.path)
        XCTAssertEqual(c.names, ["x", "y"])
        var buf = [Float](repeating: 0, count: 1)
        try c.copyFloats("y", into: &buf, count: 1)
        XCTAssertEqual(buf, [3])
        try #"{"weight_map":{"x":"m-1.safetensors","z":"m-2.safetensors"}}"#.write(to: idx, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SafetensorsCheckpoint(directory: dir.path)) { e in
            XCTAssertTrue("\(e)".contains("m-2.safetensors") && "\(e)".contains("'z'"), "\(e)")
        }
        try #"{"weight_map":{"x":"m-3.safetensors"}}"#.write(to: idx, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SafetensorsCheckpoint(directory: dir.path)) { e in
            XCTAssertTrue("\(e)".contains("m-3.safetensors"), "\(e)")
        }
    }

    /// Issue 17: a header length ≥ 2^63 trapped in the UInt64 → Int conversion before the range check.
    func testHugeHeaderLengthIsAnErrorNotATrap() throws {
        try assertError(raw("{}", [], lengthOverride: 1 << 63), contains: "header length")
        try assertError(raw("{}", [], lengthOverride: UInt64.max), contains: "header length")
    }

    /// Issue 17: tensor offsets must tile the data section exactly. A header length one byte
    /// short shifted every tensor by one byte and loaded silently.
    func testOffsetsMustTileTheDataSection() throws {
        let h = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        // Header length one byte short: the last '}' becomes the first data byte.
        try assertError(raw(h, [UInt8](repeating: 0, count: 8), lengthOverride: UInt64(h.utf8.count - 1)),
                        contains: "bad safetensors header JSON")
        let padded = h + " "
        try assertError(raw(padded, [UInt8](repeating: 0, count: 8), lengthOverride: UInt64(padded.utf8.count - 1)),
                        contains: "tensors cover 8 bytes but the data section has 9")
        try assertError(raw(h, [UInt8](repeating: 0, count: 9)), contains: "data section has 9")
        try assertError(raw(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
                            [UInt8](repeating: 0, count: 12)), contains: "gap of 4 bytes")
        // Zero-sized tensors are allowed anywhere in the tiling.
        let f = try SafetensorsFile(path: try write(raw(#"{"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 128, 63])))
        XCTAssertEqual(try f.floats("w"), [1])
    }
}
