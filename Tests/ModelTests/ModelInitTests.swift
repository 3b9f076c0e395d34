import DataIO
import Foundation
import Model
import TestSupport
import XCTest

final class ModelInitTests: XCTestCase {
    func testSeededInitIsDeterministicAndRoundTrips() throws {
        let cfg = try ConfigRegistry.load(path: SharedData.repo("Tests/Fixtures/model/llama3-f16/config.json").path)
        let a = ModelInit.randomWeights(config: cfg, seed: 7, std: 0.02)
        let b = ModelInit.randomWeights(config: cfg, seed: 7, std: 0.02)
        let c = ModelInit.randomWeights(config: cfg, seed: 8, std: 0.02)
        let n = a.count
        XCTAssertEqual(n, cfg.parameterCount)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: a.flat, count: n)), Array(UnsafeBufferPointer(start: b.flat, count: n)))
        XCTAssertNotEqual(Array(UnsafeBufferPointer(start: a.flat, count: n)), Array(UnsafeBufferPointer(start: c.flat, count: n)))
        // Norms 1, biases 0, matrices ~ N(0, 0.02²).
        XCTAssertEqual(a.pointer("model.norm.weight")![3], 1)
        XCTAssertEqual(a.pointer("model.layers.0.self_attn.o_proj.bias")![0], 0)
        let e = a.parameter("model.embed_tokens.weight")!
        let xs = UnsafeBufferPointer(start: a.flat + e.offset, count: e.count)
        let mean = xs.reduce(0, +) / Float(e.count)
        let sd = (xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(e.count)).squareRoot()
        XCTAssertEqual(sd, 0.02, accuracy: 0.002)
        // Save → load gives the same logits.
        let dir = try SharedData.tempDir("init")
        try a.save(to: dir.appendingPathComponent("model.safetensors").path)
        try FileManager.default.copyItem(atPath: SharedData.repo("Tests/Fixtures/model/llama3-f16/config.json").path,
                                         toPath: dir.appendingPathComponent("config.json").path)
        let loaded = try CausalLM.load(directory: dir.path)
        let ids: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6]
        XCTAssertEqual(try loaded.logits(ids: ids), try CausalLM(weights: a).logits(ids: ids))
    }
}
