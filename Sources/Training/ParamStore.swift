import DataIO
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
    private let ownsValues: Bool

    /// Views an existing flat parameter buffer (e.g. `ModelWeights.flat`) with the given
    /// (name, shape, offset) layout; gradients get their own buffer of the same layout.
    public init(external: UnsafeMutablePointer<Float>, count: Int, layout: [(String, [Int], Int)]) {
        var slots: [String: Slot] = [:]
        for (n, s, off) in layout { slots[n] = Slot(offset: off, shape: s, count: s.reduce(1, *)) }
        names = layout.map(\.0)
        self.slots = slots
        self.count = count
        values = external
        ownsValues = false
        grads = .allocate(capacity: max(count, 1)); grads.initialize(repeating: 0, count: max(count, 1))
    }

    public init(shapes: [(String, [Int])]) {
        ownsValues = true
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
    deinit { if ownsValues { values.deallocate() }; grads.deallocate() }

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
    public func load(from file: SafetensorsFile) throws {
        for n in names {
            let s = slots[n]!
            guard let info = file.info(n) else { throw TrainError("missing tensor '\(n)'", at: file.path) }
            guard info.shape == s.shape else {
                throw TrainError("tensor '\(n)' has shape \(info.shape), expected \(s.shape)", at: file.path)
            }
            do { try file.copyFloats(n, into: values + s.offset, count: s.count) } catch {
                throw TrainError("cannot read tensor '\(n)': \(error)", at: file.path)
            }
        }
    }

    /// Writer tensors over `base` (values, grads or optimizer state of the same layout), HF names with `prefix`.
    public func tensors(of base: UnsafeMutablePointer<Float>, prefix: String = "") -> [SafetensorsWriter.Tensor] {
        names.map { n in
            let s = slots[n]!
            return SafetensorsWriter.Tensor(name: prefix + n, shape: s.shape, data: UnsafeBufferPointer(start: base + s.offset, count: s.count))
        }
    }
}
