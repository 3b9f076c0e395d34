import DataIO
import Foundation
import Model
import Records
import XCTest
@testable import Training

/// Static gates (scorer → shard record → the trainer's data) and dynamic gates (the trainer's
/// loss head) of the same logits are bit-identical: both come from the one EAFT row kernel,
/// `DistributionStats`. The experiment compares static and dynamic EAFT, so they must be.
final class GateIdentityTests: XCTestCase {
    func testStaticAndDynamicGatesOfTheSameLogitsAreBitIdentical() throws {
        var s: UInt64 = 12
        func next() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
        // Vocabularies with and without a 16-lane tail; K inside and equal to the vocabulary.
        for (vocab, topK, t, scale) in [(1000, 20, 33, Float(6)), (37, 20, 9, 3), (4099, 5, 17, 12), (20, 20, 6, 2)] {
            let ids: [TokenID] = (0..<t).map { _ in TokenID(next() % UInt64(vocab)) }
            var logits = (0..<(t * vocab)).map { _ in (unit() * 2 - 1) * scale }
            logits[2 * vocab + Int(ids[3])] += 30               // a near-certain row (gate ≈ 0)
            for v in 0..<vocab { logits[4 * vocab + v] = Float(v % 3) }  // a row of ties

            // Static: the scorer's statistics of these logits (T entries), stored in a shard
            // record, read back and turned into the trainer's batch as the pipeline's output is.
            let st = CausalLM.tokenStats(logits: logits, ids: ids, vocab: vocab, topK: topK)
            XCTAssertEqual(st.count, t)
            XCTAssertEqual(st.gate[0], 0, "position 0 has no prediction")
            let mask = (0..<t).map { UInt8($0 == 0 ? 0 : 1) }
            let record = ShardSample(meta: ShardSampleMeta(id: "g", source: "test", domain: "math"), ids: ids, lossMask: mask, stats: st)
            let stored = try ShardSample.decode(record.encoded(), at: SourceLocation(file: "record"))
            XCTAssertEqual(stored, record)
            let sample = try TrainDataset.convert(stored, vocab: vocab)
            var b = TrainBatch()
            b.append(ids: sample.ids, mask: sample.mask, gates: sample.gates)
            XCTAssertEqual(b.labelCount, t - 1)

            // Dynamic: the loss head on the same logits. Hidden row r is one-hot at r and head
            // column r holds logits row r, so the head's GEMM reproduces the logits exactly.
            let c = t
            var hidden = [Float](repeating: 0, count: t * c)
            for r in 0..<t { hidden[r * c + r] = 1 }
            var head = [Float](repeating: 0, count: vocab * c)
            for r in 0..<t { for v in 0..<vocab { head[v * c + r] = logits[r * vocab + v] } }
            let lh = LossHead(vocab: vocab, hidden: c, chunkRows: 4)
            let dyn = lh.gates(batch: b, hidden: hidden, head: head, topK: topK)
            var spec = LossSpec(weight: .eaft, gate: .dynamic)
            spec.topK = topK
            var dH = [Float](repeating: 0, count: t * c), dW = [Float](repeating: 0, count: vocab * c)
            let res = lh.run(batch: b, hidden: hidden, head: head, spec: spec, lambdaNow: 0, threshold: 0, coef: 1,
                             dHidden: &dH, dHead: &dW, keepPerToken: true)
            for i in 0..<(t - 1) {
                let what = "V \(vocab) K \(topK) label \(i + 1)"
                XCTAssertEqual(b.staticGates[i].bitPattern, dyn[i].bitPattern, "gates(): \(what)")
                XCTAssertEqual(b.staticGates[i].bitPattern, res.gate[i].bitPattern, "run(): \(what)")
                XCTAssertEqual(res.entropy[i].bitPattern, st.entropy![i + 1].bitPattern, "entropy: \(what)")
                XCTAssertEqual(res.ce[i].bitPattern, (-st.logprob[i + 1]).bitPattern, "CE: \(what)")
            }
            XCTAssertLessThan(b.staticGates[2], 0.01)  // row 2 predicts label 3
            XCTAssertGreaterThan(b.staticGates.max()!, 0.5)
        }
    }
}
