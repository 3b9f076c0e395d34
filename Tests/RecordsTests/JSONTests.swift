import Records
import XCTest

final class JSONTests: XCTestCase {
    func testParsesAndKeepsOrderAndTypes() throws {
        let v = try JSONParser.parse(#"{"b": 1, "a": [true, null, 2.5, -3, 1e3, "x\u00e9\ud83d\ude00\n"], "big": 12345678901234567890}"#)
        guard case .object(let o) = v else { return XCTFail("not an object") }
        XCTAssertEqual(o.keys, ["b", "a", "big"])
        XCTAssertEqual(v["b"], .int(1))
        XCTAssertEqual(v["a"]?[0], .bool(true))
        XCTAssertEqual(v["a"]?[1], .null)
        XCTAssertEqual(v["a"]?[2], .double(2.5))
        XCTAssertEqual(v["a"]?[3], .int(-3))
        XCTAssertEqual(v["a"]?[4], .double(1000))
        XCTAssertEqual(v["a"]?[5], .string("xé😀\n"))
        XCTAssertEqual(v["big"], .bigInt("12345678901234567890"), "beyond Int64: exact, as Python keeps it")
        XCTAssertEqual(v.lookup(path: "a.5"), .string("xé😀\n"))
    }

    func testRoundTrip() throws {
        let text = #"{"k":[1,-2.25,"a\"b\\c\u0001",{"z":null,"y":false}],"u":"日本"}"#
        let v = try JSONParser.parse(text)
        XCTAssertEqual(JSONWriter().string(v), text)
        XCTAssertEqual(try JSONParser.parse(JSONWriter().string(v)), v)
    }

    func testIntegersBeyondInt64StayExact() throws {
        // Python: json.dumps(json.loads(text), separators=(",", ":")) == text for these.
        let text = #"[9223372036854775807,9223372036854775808,-9223372036854775808,-9223372036854775809,18446744073709551616,123456789012345678901234567890,1.5e+300]"#
        let v = try JSONParser.parse(text)
        let a = try XCTUnwrap(v.arrayValue)
        XCTAssertEqual(a[0], .int(Int64.max))
        XCTAssertEqual(a[1], .bigInt("9223372036854775808"))
        XCTAssertEqual(a[2], .int(Int64.min))
        XCTAssertEqual(a[3], .bigInt("-9223372036854775809"))
        XCTAssertEqual(a[5], .bigInt("123456789012345678901234567890"))
        XCTAssertEqual(a[6], .double(1.5e300))
        XCTAssertEqual(JSONWriter().string(v), text)
        XCTAssertEqual(a[4].typeName, "integer")
        XCTAssertEqual(a[4].doubleValue, 18446744073709551616.0)
        XCTAssertNil(a[4].intValue, "does not fit Int64")
        // Codable keeps up to 38 digits exact (Decimal).
        let data = try JSONEncoder().encode(a[5])
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "123456789012345678901234567890")
    }

    func testErrorsCarryOffsets() {
        let cases: [(String, Int)] = [
            (#"{"a": }"#, 6), (#"[1, 2"#, 5), (#"{"a" 1}"#, 5), (#"tru"#, 0), (#""abc"#, 0), (#"[01]"#, 2), ("{\"a\":1} x", 8),
        ]
        for (text, offset) in cases {
            XCTAssertThrowsError(try JSONParser.parse(text), text) { e in
                XCTAssertEqual((e as? JSONParseError)?.offset, offset, "\(text): \(e)")
            }
        }
    }

    func testInvalidUTF8IsAnError() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
        XCTAssertThrowsError(try JSONParser.parse(bytes)) { e in
            XCTAssertEqual((e as? JSONParseError)?.reason, "invalid UTF-8 in string")
        }
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000)
        XCTAssertThrowsError(try JSONParser.parse(deep))
    }

    func testRecordCodableRoundTrip() throws {
        let r = Record(
            id: "x:1", source: "glaive", domain: .agent,
            messages: [
                Message(role: .user, content: "weather?"),
                Message(role: .assistant, content: "", toolCalls: [ToolCall(id: "c1", name: "get", arguments: ["city": "Paris"])]),
            ],
            tools: [["type": "function"]], reference: .answer("42"), metadata: JSONObject([("row", 3)]))
        let data = try JSONEncoder().encode(r)
        XCTAssertEqual(try JSONDecoder().decode(Record.self, from: data), r)
    }
}
