import DataIO
import Foundation
import Records
import TestSupport
import XCTest

/// GGUF reader and dequantisation against shared/reference/gguf/dequant (gguf-py 0.19 values).
/// Tolerance: none. Every value must be bit-identical (the kernels follow ggml's float32
/// operation order without FMA; the reference README reports gguf-py's own float32 re-decode
/// is bit-identical too).
final class GGUFReaderTests: XCTestCase {
    static let types = ["F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"]

    static func dir() throws -> URL { try SharedData.require("reference/gguf/dequant") }

    /// Asserts every tensor of `gguf` equals the same-named tensor of `expected`, bit for bit.
    func assertMatches(_ gguf: GGUFFile, _ expected: SafetensorsFile, _ label: String) throws {
        XCTAssertEqual(gguf.tensors.count, expected.tensors.count, label)
        for t in gguf.tensors {
            let e = try expected.require(t.name)
            XCTAssertEqual(t.shape, e.shape, "\(label) \(t.name) shape")
            let got = try gguf.floats(t.name), want = try expected.floats(t.name)
            var bad = 0, worst: Float = 0, at = -1
            for i in 0..<min(got.count, want.count) where got[i].bitPattern != want[i].bitPattern {
                bad += 1
                let d = abs(got[i] - want[i])
                if at < 0 || d > worst { worst = d; at = i }
            }
            XCTAssertEqual(got.count, want.count, "\(label) \(t.name) count")
            XCTAssertEqual(bad, 0, "\(label) \(t.name) (\(t.type)): \(bad) values differ, max |Δ| \(worst) at \(at): got \(at >= 0 ? got[at] : 0), want \(at >= 0 ? want[at] : 0)")
        }
    }

    func testEveryDequantFixtureIsBitIdentical() throws {
        let d = try Self.dir()
        for ty in Self.types {
            let g = try GGUFFile(path: d.appendingPathComponent("\(ty).gguf").path)
            let e = try SafetensorsFile(path: d.appendingPathComponent("\(ty).expected.safetensors").path)
            XCTAssertEqual(g.version, 3)
            XCTAssertEqual(g.alignment, 32)
            XCTAssertTrue(g.tensors.allSatisfy { $0.type.description == ty }, ty)
            try assertMatches(g, e, ty)
            // Header facts recorded by make_dequant.py.
            let facts = try JSONParser.parse(Data(contentsOf: d.appendingPathComponent("\(ty).json")))
            XCTAssertEqual(Int64(g.dataOffset), facts["data_section_offset"]?.intValue, ty)
            for (i, tj) in (facts["tensors"]?.arrayValue ?? []).enumerated() {
                let t = g.tensors[i]
                XCTAssertEqual(t.name, tj["name"]?.stringValue)
                XCTAssertEqual(t.ne.map(Int64.init), tj["ne"]?.arrayValue?.compactMap(\.intValue))
                XCTAssertEqual(t.shape.map(Int64.init), tj["numpy_shape"]?.arrayValue?.compactMap(\.intValue))
                XCTAssertEqual(Int64(t.byteCount), tj["n_bytes"]?.intValue)
                XCTAssertEqual(Int64(t.offset), tj["offset_in_data_section"]?.intValue)
            }
        }
    }

    func testAlignment64AndVersion2() throws {
        let d = try Self.dir()
        let a = try GGUFFile(path: d.appendingPathComponent("alignment64.gguf").path)
        XCTAssertEqual(a.alignment, 64)
        XCTAssertEqual(a.dataOffset, 448)
        XCTAssertTrue(a.tensors.allSatisfy { $0.offset % 64 == 0 })
        XCTAssertEqual(a.tensors.map(\.ne.count).max(), 4)
        try assertMatches(a, try SafetensorsFile(path: d.appendingPathComponent("alignment64.expected.safetensors").path), "alignment64")
        let v2 = try GGUFFile(path: d.appendingPathComponent("v2_Q8_0.gguf").path)
        XCTAssertEqual(v2.version, 2)
        try assertMatches(v2, try SafetensorsFile(path: d.appendingPathComponent("Q8_0.expected.safetensors").path), "v2")
    }

    func testBigEndianIsRejectedClearly() throws {
        let p = try Self.dir().appendingPathComponent("bigendian_F32.gguf").path
        XCTAssertThrowsError(try GGUFFile(path: p)) { e in
            let s = "\(e)"
            XCTAssertTrue(e is DataIOError && s.contains("big-endian") && s.contains("bigendian_F32.gguf"), s)
        }
    }

    /// Compares a decoded value with the JSON expectation of metadata_types.json.
    func check(_ v: GGUFValue, _ j: JSONValue, typePath: [String], key: String) {
        switch v {
        case .array(let et, let items):
            guard let arr = j["value"]?.arrayValue ?? j.arrayValue else { return XCTFail("\(key): expected array") }
            XCTAssertEqual(et.description, typePath.dropFirst().first, key)
            XCTAssertEqual(items.count, arr.count, key)
            for (i, (x, y)) in zip(items, arr).enumerated() {
                var sub: JSONValue = ["value": y]
                if let b = j["bits"]?[i] { sub = ["value": y, "bits": b] }
                if let s = j["value_str"]?[i] { sub = ["value": y, "value_str": s] }
                check(x, sub, typePath: Array(typePath.dropFirst()), key: "\(key)[\(i)]")
            }
        case .float32(let f):
            XCTAssertEqual("0x" + String(format: "%08x", f.bitPattern), j["bits"]?.stringValue, key)
        case .float64(let f):
            XCTAssertEqual("0x" + String(format: "%016lx", f.bitPattern), j["bits"]?.stringValue, key)
        case .uint64(let u):
            XCTAssertEqual(String(u), j["value_str"]?.stringValue, key)
        case .int64(let i):
            XCTAssertEqual(String(i), j["value_str"]?.stringValue, key)
        case .string(let s): XCTAssertEqual(s, j["value"]?.stringValue, key)
        case .bool(let b): XCTAssertEqual(b, j["value"]?.boolValue, key)
        default: XCTAssertEqual(v.int64Value, j["value"]?.intValue, key)
        }
        XCTAssertEqual(v.type.description, typePath.first, key)
    }

    func testEveryMetadataTypeDecodesAsRecorded() throws {
        let d = try Self.dir()
        let g = try GGUFFile(path: d.appendingPathComponent("metadata_types.gguf").path)
        let j = try JSONParser.parse(Data(contentsOf: d.appendingPathComponent("metadata_types.json")))
        let kvs = (j["kv"]?.arrayValue ?? []).filter { $0["key"]?.stringValue != "GGUF.version" }
        XCTAssertEqual(g.metadata.map(\.key), kvs.compactMap { $0["key"]?.stringValue }, "keys in file order")
        var checked = 0
        for e in kvs {
            guard let key = e["key"]?.stringValue, let type = e["type"]?.stringValue, let v = g[key] else {
                XCTFail("missing \(e)"); continue
            }
            var path = [type]
            if let p = e["element_type_path"]?.arrayValue { path += p.compactMap(\.stringValue) }
            else if let et = e["element_type"]?.stringValue { path.append(et) }
            check(v, e, typePath: path, key: key)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 40)
        XCTAssertEqual(g["test.array.nested_int32"], .array(.array, [
            .array(.int32, [.int32(1), .int32(2), .int32(3)]), .array(.int32, [.int32(4)]), .array(.int32, [.int32(-5), .int32(6)]),
        ]))
        XCTAssertEqual(g["test.array.empty_string"], .array(.string, []))
        XCTAssertEqual(g["test.string.controls"]?.stringValue?.unicodeScalars.contains("\u{0}"), true)
    }
}
