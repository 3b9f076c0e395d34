import DataIO
import Foundation
import TestSupport
import XCTest
import Training

/// Loads a reference model and its golden batch (/work/shared/reference/<model>).
struct Golden {
    let dir: URL
    let model: TrainModel
    let file: SafetensorsFile
    let batch: TrainBatch

    static let models = ["qwen3-tiny", "qwen2-tiny", "llama-tiny"]

    init(_ name: String) throws {
        dir = try SharedData.require("reference/\(name)")
        model = try TrainModel.load(directory: dir.path)
        file = try SafetensorsFile(path: dir.appendingPathComponent("golden.safetensors").path)
        batch = try Golden.batch(file)
    }

    /// The golden batch as packed samples: each row's attention-mask length is one sample
    /// (row 2's right padding dropped), mask = labels != -100.
    static func batch(_ f: SafetensorsFile) throws -> TrainBatch {
        let ids = try f.integers("input_ids"), am = try f.integers("attention_mask"), labels = try f.integers("labels")
        let shape = f.info("input_ids")!.shape
        var b = TrainBatch()
        for r in 0..<shape[0] {
            let row = r * shape[1]
            let n = (0..<shape[1]).filter { am[row + $0] == 1 }.count
            b.append(ids: (0..<n).map { Int32(ids[row + $0]) }, mask: (0..<n).map { labels[row + $0] != -100 ? 1 : 0 }, gates: nil)
        }
        return b
    }

    func scalar(_ name: String) throws -> Double { Double(try file.floats(name)[0]) }
}

/// ‖a − b‖ / ‖b‖ in double.
func relL2(_ a: UnsafeBufferPointer<Float>, _ b: [Float]) -> Double {
    var num = 0.0, den = 0.0
    for i in 0..<b.count { let d = Double(a[i]) - Double(b[i]); num += d * d; den += Double(b[i]) * Double(b[i]) }
    return den == 0 ? num.squareRoot() : (num / den).squareRoot()
}
