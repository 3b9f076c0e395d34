import DataIO
import Foundation
import Kernels
import Model
import TestSupport
import XCTest
import Training

/// Config, data, schedules, RNG, gate sources, packing and accumulation.
final class TrainingUnitTests: XCTestCase {
    func testConfigDefaultsUnknownKeysAndDataForms() throws {
        let c = try JSONDecoder().decode(TrainConfig.self, from: Data(#"{"model": "m", "data": "a.jsonl", "lr": 0.001}"#.utf8))
        XCTAssertEqual(c.data, ["a.jsonl"]); XCTAssertEqual(c.lr, 1e-3)
        XCTAssertEqual(c.schedule, "cosine"); XCTAssertEqual(c.warmup, 0.03); XCTAssertEqual(c.loss, .eaft)
        XCTAssertNoThrow(try c.validate())
        XCTAssertThrowsError(try JSONDecoder().decode(TrainConfig.self, from: Data(#"{"model": "m", "learning_rate": 1}"#.utf8))) { e in
            XCTAssertTrue("\(e)".contains("learning_rate"), "\(e)")
        }
        var bad = c; bad.schedule = "step"
        XCTAssertThrowsError(try bad.validate())
        XCTAssertThrowsError(try JSONDecoder().decode(TrainConfig.self, from: Data(#"{"loss": "focal"}"#.utf8)))
        // Round trip through Encodable (trainer_state.json stores the config).
        XCTAssertEqual(try JSONDecoder().decode(TrainConfig.self, from: try JSONEncoder().encode(c)), c)
    }

    func testDatasetErrorsAreCountedWithLocation() throws {
        let dir = try SharedData.tempDir("ds")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("d.jsonl").path
        let text = """
            {"ids": [1, 5, 6, 7], "mask": [0, 0, 1, 1]}
            {"ids": [1, 5], "mask": [0]}
            not json

            {"ids": [1, 600], "mask": [0, 1]}
            {"ids": [1, 2, 3, 4, 5, 6], "mask": [0, 1, 1, 1, 1, 1], "gate": [0, 0.5, 0.5, 0.5, 0.5, 0.5]}
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let ds = try TrainDataset.load(paths: [path], maxLen: 4, vocab: 512)
        XCTAssertEqual(ds.samples.count, 2)
        XCTAssertEqual(ds.errors.count, 3)
        XCTAssertTrue(ds.errors[0].hasPrefix("\(path):2:"), ds.errors[0])
        XCTAssertTrue(ds.errors[1].hasPrefix("\(path):3:"), ds.errors[1])
        XCTAssertTrue(ds.errors[2].hasPrefix("\(path):5:"), ds.errors[2])
        XCTAssertEqual(ds.truncated, 1)
        XCTAssertEqual(ds.samples[1].ids, [1, 2, 3, 4]); XCTAssertEqual(ds.samples[1].gates!.count, 4)
        XCTAssertEqual(ds.samples[0].labelCount, 2)
        XCTAssertThrowsError(try TrainDataset.load(paths: [dir.appendingPathComponent("missing.jsonl").path], maxLen: 4, vocab: 512))
    }

    func testSchedulesMatchHF() {
        // get_cosine_schedule_with_warmup(num_warmup_steps=2, num_training_steps=10)
        let cos = (0..<11).map { LRSchedule.factor("cosine", step: $0, warmupSteps: 2, totalSteps: 10) }
        XCTAssertEqual(cos[0], 0); XCTAssertEqual(cos[1], 0.5); XCTAssertEqual(cos[2], 1)
        XCTAssertEqual(cos[6], 0.5, accuracy: 1e-15); XCTAssertEqual(cos[10], 0, accuracy: 1e-15)
        XCTAssertEqual(cos[4], 0.5 * (1 + Foundation.cos(Double.pi * 0.25)), accuracy: 1e-15)
        let lin = (0..<11).map { LRSchedule.factor("linear", step: $0, warmupSteps: 2, totalSteps: 10) }
        XCTAssertEqual(lin[2], 1); XCTAssertEqual(lin[6], 0.5); XCTAssertEqual(lin[10], 0)
        XCTAssertEqual(LRSchedule.factor("constant", step: 7, warmupSteps: 0, totalSteps: 10), 1)
        XCTAssertEqual(LRSchedule.warmupSteps(ratio: 0.03, total: 100), 3)
        XCTAssertEqual(LRSchedule.warmupSteps(ratio: 0.03, total: 101), 4)  // ceil, as HF get_warmup_steps
    }

    func testSplitMix64AndEpochOrder() {
        var r = SplitMix64(seed: 0)
        XCTAssertEqual(r.next(), 0xE220_A839_7B1D_CDAF)  // reference value of splitmix64.c with x = 0
        let o = DataOrder.epochOrder(count: 10, seed: 7, epoch: 0, shuffle: true)
        XCTAssertEqual(o.sorted(), Array(0..<10)); XCTAssertNotEqual(o, Array(0..<10))
        XCTAssertEqual(o, DataOrder.epochOrder(count: 10, seed: 7, epoch: 0, shuffle: true))
        XCTAssertNotEqual(o, DataOrder.epochOrder(count: 10, seed: 7, epoch: 1, shuffle: true))
        XCTAssertEqual(Batcher.plan(order: [0, 1, 2, 3], lengths: [5, 5, 5, 20], batchTokens: 10, batchSamples: 8), [0..<2, 2..<3, 3..<4])
    }

    /// Static gates equal to the golden dynamic gates reproduce the golden eaft loss; hybrid mixes
    /// of two equal gates too; a fixed τ for `masked` at the golden threshold reproduces masked_loss.
    func testGateSourcesOnGoldenBatch() throws {
        let g = try Golden("qwen3-tiny")
        let gates = try g.file.floats("gate"), shape = g.file.info("gate")!.shape  // [3, 23]
        var b = g.batch
        for (i, row) in b.lossRows.enumerated() {
            // packed row index -> (sample, position)
            let s = b.seqStarts.lastIndex(where: { $0 <= Int(row) })!
            b.staticGates[i] = gates[s * shape[1] + Int(row) - b.seqStarts[s]]
        }
        let ref = try g.scalar("eaft_loss")
        for (src, mode) in [(GateSource.static, false), (.hybrid, false), (.hybrid, true)] {
            var spec = LossSpec(weight: .eaft, gate: src); spec.hybridMin = mode; spec.lambda = 0.3
            let r = try StepEngine(model: g.model, spec: spec).run(b, coef: 1, backward: false)
            XCTAssertEqual(r.weightedSum / 44, ref, accuracy: 1e-5 * ref, "\(src) min=\(mode)")
        }
        var spec = LossSpec(weight: .masked, gate: .static)
        let r = try StepEngine(model: g.model, spec: spec).run(b, coef: 1, backward: false)
        XCTAssertEqual(r.keptCount, 37)
        XCTAssertEqual(r.weightedSum / 37, try g.scalar("masked_loss"), accuracy: 1e-5 * 10)
        spec.tau = Double(try g.scalar("masked_threshold"))
        XCTAssertEqual(try StepEngine(model: g.model, spec: spec).run(b, coef: 1, backward: false).keptCount, 37)
    }

    /// Packing: the loss of samples packed together equals the sum over samples run alone, and
    /// gradient accumulation over two micro-batches equals one batch (same normaliser).
    func testPackingIsolationAndAccumulation() throws {
        let g = try Golden("qwen2-tiny")
        let ps = g.model.params
        let engine = StepEngine(model: g.model, spec: LossSpec(weight: .eaft))
        ps.zeroGrads()
        let all = try engine.run(g.batch, coef: 1 / 44)
        let full = Array(UnsafeBufferPointer(start: ps.grads, count: ps.count))
        ps.zeroGrads()
        var sum = 0.0
        for s in 0..<3 {
            var one = TrainBatch()
            let r = g.batch.seqStarts[s]..<g.batch.seqStarts[s + 1]
            let ids = Array(g.batch.ids[r])
            var mask = [UInt8](repeating: 0, count: ids.count)
            for row in g.batch.lossRows where r.contains(Int(row)) { mask[Int(row) - r.lowerBound + 1] = 1 }
            one.append(ids: ids, mask: mask, gates: nil)
            sum += try engine.run(one, coef: 1 / 44).weightedSum
        }
        XCTAssertEqual(sum, all.weightedSum, accuracy: 1e-5 * all.weightedSum)
        let e = relL2(UnsafeBufferPointer(start: ps.grads, count: ps.count), full)
        XCTAssertLessThan(e, 1e-5, "accumulated vs packed gradient rel L2 \(e)")
    }
}
