import Foundation

/// All trainable tensors in one flat float32 buffer (plus same-layout gradient buffer), so the
/// optimizer, clipping and checkpointing work on contiguous memory. Names are the HF names.
public final class ParamStore: @unchecked Sendable {
    public struct Slot: Sendable { public var offset: Int; public var shape: [Int]; public var count: Int }
    public let names: [String]
    public let slots: [String: Slot]
    public let count: Int
    public let values: UnsafeMutablePointer<Float>
    public let grads: UnsafeMutablePointer<Float>

    public init(shapes: [(String, [Int])]) {
        var slots: [String: Slot] = [:]
        var off = 0
        for (n, s) in shapes {
            let c = s.reduce(1, *)
            slots[n] = Slot(offset: off, shape: s, count: c)
            off += c
        }
        names = shapes.map(\.0)
        self.slots = slots
        count = off
        values = .allocate(capacity: max(off, 1)); values.initialize(repeating: 0, count: max(off, 1))
        grads = .allocate(capacity: max(off, 1)); grads.initialize(repeating: 0, count: max(off, 1))
    }
    deinit { values.deallocate(); grads.deallocate() }

    /// Pointer to a parameter's values (programmer error if the name is unknown).
    public func value(_ name: String) -> UnsafeMutablePointer<Float> {
        guard let s = slots[name] else { preconditionFailure("unknown parameter \(name)") }
        return values + s.offset
    }
    /// Pointer to a parameter's gradient.
    public func grad(_ name: String) -> UnsafeMutablePointer<Float> {
        guard let s = slots[name] else { preconditionFailure("unknown parameter \(name)") }
        return grads + s.offset
    }
    public func zeroGrads() { grads.update(repeating: 0, count: count) }

    /// Loads every parameter from a safetensors file (F32/BF16/F16), checking shapes.
    public func load(from file: TensorFile) throws {
        for n in names {
            guard let e = file.entries[n] else { throw TrainError("missing tensor '\(n)'", at: file.path) }
            let s = slots[n]!
            guard e.shape == s.shape else {
                throw TrainError("tensor '\(n)' has shape \(e.shape), expected \(s.shape)", at: file.path)
            }
            let v = try file.floats(n)
            v.withUnsafeBufferPointer { (values + s.offset).update(from: $0.baseAddress!, count: s.count) }
        }
    }

    /// (name, shape, buffer) triples over `base` (values, grads or optimizer state of the same layout).
    public func tensors(of base: UnsafeMutablePointer<Float>, prefix: String = "") -> [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)] {
        names.map { n in
            let s = slots[n]!
            return (prefix + n, s.shape, UnsafeBufferPointer(start: base + s.offset, count: s.count))
        }
    }
}
