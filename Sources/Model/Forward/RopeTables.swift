import Foundation
import Kernels

extension RopeConfig {
    /// Inverse frequencies (headDim/2) in float32 as transformers computes them, with the
    /// Llama 3 scaling applied when configured.
    /// Reference: https://github.com/huggingface/transformers/blob/main/src/transformers/modeling_rope_utils.py
    /// (`_compute_default_rope_parameters`, `_compute_llama3_parameters`).
    public func inverseFrequencies(headDim: Int) -> [Float] {
        let base = RoPE.inverseFrequencies(theta: theta, headDim: headDim)
        guard case .llama3(let factor, let lowFF, let highFF, let oldCtx) = scaling else { return base }
        let f = Float(factor), lo = Float(lowFF), hi = Float(highFF), old = Float(oldCtx)
        let lowWave = old / lo, highWave = old / hi
        return base.map { inv in
            let wavelen = 2 * Float.pi / inv
            // wavelen < highWave: unchanged; wavelen > lowWave: inv / factor; else smooth mix.
            let scaled = wavelen > lowWave ? inv / f : inv
            let smooth = (old / wavelen - lo) / (hi - lo)
            let smoothed = (1 - smooth) * scaled / f + smooth * scaled
            let medium = !(wavelen < highWave) && !(wavelen > lowWave)
            return medium ? smoothed : scaled
        }
    }
}

extension CausalLM {
    /// Makes sure the cos/sin tables cover positions 0..<n (grown geometrically).
    func ensureRope(positions n: Int) {
        guard n > ropePositions else { return }
        let want = max(n, min(max(2 * ropePositions, 256), max(n, config.maxPositionEmbeddings)))
        let half = config.headDim / 2
        var inv = config.rope.inverseFrequencies(headDim: config.headDim)
        if ropeFrequenciesRoundedToBF16 { inv = inv.map(Self.roundToBF16) }
        ropeCos = [Float](repeating: 0, count: want * half)
        ropeSin = [Float](repeating: 0, count: want * half)
        inv.withUnsafeBufferPointer { f in
            ropeCos.withUnsafeMutableBufferPointer { c in
                ropeSin.withUnsafeMutableBufferPointer { s in
                    RoPE.tables(invFreq: f.baseAddress!, half: half, positions: want, cos: c.baseAddress!, sin: s.baseAddress!)
                }
            }
        }
        ropePositions = want
    }

    /// Round-to-nearest-even to bfloat16, returned as float32.
    static func roundToBF16(_ x: Float) -> Float {
        let b = x.bitPattern
        let r = b &+ 0x7FFF &+ ((b >> 16) & 1)
        return Float(bitPattern: r & 0xFFFF_0000)
    }
}

extension CausalLM {
    /// The RoPE cos/sin tables (positions, head_dim/2) covering at least `positions`
    /// positions, as the forward pass uses them (for a backward pass: RoPE's transpose
    /// rotates by −angle, i.e. the same tables with sin negated).
    public func withRopeTables<R>(positions: Int, _ body: (_ cos: UnsafePointer<Float>, _ sin: UnsafePointer<Float>) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        ensureRope(positions: positions)
        return try ropeCos.withUnsafeBufferPointer { c in
            try ropeSin.withUnsafeBufferPointer { s in try body(c.baseAddress!, s.baseAddress!) }
        }
    }
}
