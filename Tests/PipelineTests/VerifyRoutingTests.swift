import DataIO
import Foundation
import Pipeline
import Records
import TestSupport
import XCTest

/// The verify stage routes by reference kind and domain: free-text answers outside
/// `math_domains` (HuatuoGPT-o1 medical answers) are `unverifiable`, never math-graded.
final class VerifyRoutingTests: XCTestCase {
    func verifier(_ stage: String) throws -> RecordVerifying {
        let spec = try PipelineSpec.parse(yaml: """
            name: t
            inputs: [{path: /tmp/unused.jsonl, adapter: gsm8k, domain: math}]
            stages:
              - verify: \(stage)
            output: {dir: /tmp/unused}
            """)
        return try XCTUnwrap(try ComponentLoader.load(ResolvedPipeline(spec: spec)).verifier)
    }

    func record(_ domain: Domain, answer: String, response: String) -> Record {
        Record(id: "1", source: "t", domain: domain,
               messages: [Message(role: .user, content: "q"), Message(role: .assistant, content: response)],
               reference: Reference(kind: .answer, answer: answer))
    }

    func testFreeTextAnswerRouting() throws {
        let v = try verifier("{keep: [correct, unverifiable]}")
        let med = v.verify(record(.medical, answer: "Parvovirus B19", response: "The cause is 0.4 ... Parvovirus B19."))
        XCTAssertEqual(med.verdict, "unverifiable", med.reason)
        XCTAssertTrue(med.reason.hasPrefix("free_text_answer"), med.reason)
        XCTAssertEqual(v.verify(record(.math, answer: "18", response: "#### 18")).verdict, "correct")
        XCTAssertEqual(v.verify(record(.math, answer: "18", response: "#### 17")).verdict, "incorrect")
        // choice references are verified in any domain
        var mcq = record(.medical, answer: "", response: "The answer is B.")
        mcq.reference = Reference(kind: .choice, choice: "B", options: [.init(key: "A", text: "cat"), .init(key: "B", text: "dog")])
        XCTAssertEqual(v.verify(mcq).verdict, "correct")
        // configurable: math_domains adds medical back to the math verifier
        let v2 = try verifier("{math_domains: [math, medical]}")
        XCTAssertEqual(v2.verify(record(.medical, answer: "Parvovirus B19", response: "0.4")).verdict, "incorrect")
        XCTAssertThrowsError(try verifier("{math_domains: [physics]}"))
    }

    /// All 156 real HuatuoGPT-o1 rows through the real adapter and verify stage: none is `incorrect`.
    func testHuatuoRowsAreUnverifiableNotIncorrect() throws {
        let path = try SharedData.require("data/medical/huatuogpt_o1/demo_data.jsonl").path
        let spec = try PipelineSpec.parse(yaml: """
            name: t
            inputs: [{path: \(path), adapter: huatuo_o1, source: huatuo-o1, domain: medical, }]
            stages:
              - verify: {keep: [correct, unverifiable]}
            output: {dir: /tmp/unused}
            """)
        let c = try ComponentLoader.load(ResolvedPipeline(spec: spec))
        let s = try c.openInput(ResolvedPipeline(spec: spec).inputs[0])
        var n = 0
        while let item = try s.next() {
            guard case .record(let r, _) = item else { XCTFail("bad row \(item)"); continue }
            XCTAssertEqual(r.reference?.kind, .answer)
            let (verdict, reason) = try XCTUnwrap(c.verifier).verify(r)
            XCTAssertEqual(verdict, "unverifiable", reason)
            n += 1
        }
        XCTAssertEqual(n, 156)
    }

    /// A self-made medical free-text record and a math record through the executor: the
    /// manifest counts verdicts, the medical one is kept as `unverifiable`.
    func testManifestCountsVerdicts() throws {
        let dir = try SharedData.tempDir("routing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let med = dir.appendingPathComponent("med.jsonl").path
        try #"{"Question": "Cause of fifth disease?", "Complex_CoT": "Slapped cheek rash, 0.4 ...", "Response": "Parvovirus B19.", "Ground-True Answer": "Parvovirus B19"}"#
            .write(toFile: med, atomically: true, encoding: .utf8)
        let gsm = dir.appendingPathComponent("gsm.jsonl").path
        try [#"{"question": "1+1?", "answer": "Two.\n#### 2"}"#, #"{"question": "2+2?", "answer": "Four.\n#### 4"}"#]
            .joined(separator: "\n").write(toFile: gsm, atomically: true, encoding: .utf8)
        let spec = try PipelineSpec.parse(yaml: """
            name: t
            inputs:
              - {path: \(med), adapter: huatuo_o1, domain: medical}
              - {path: \(gsm), adapter: gsm8k, domain: math}
            stages:
              - verify: {keep: [correct, unverifiable]}
            output: {dir: \(dir.appendingPathComponent("out").path)}
            """)
        let m = try XCTUnwrap(Executor.run(ResolvedPipeline(spec: spec), components: try ComponentLoader.load(ResolvedPipeline(spec: spec)), options: RunOptions()).manifest)
        let verify = try XCTUnwrap(m.stages.first(where: { $0.name == "verify" }))
        XCTAssertEqual(verify.input, 3)
        XCTAssertEqual(verify.kept, 3)
        XCTAssertEqual(verify.verdicts, ["unverifiable": 1, "correct": 2])
        XCTAssertNil(m.stages.first(where: { $0.name == "read" })?.verdicts)
    }
}
