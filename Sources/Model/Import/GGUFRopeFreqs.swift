import Foundation
import Records

/// Recovers Llama-3 rope scaling parameters from a GGUF `rope_freqs.weight` tensor.
///
/// llama.cpp's converter has no metadata key for Llama-3.1-style rope scaling; it stores the
/// per-frequency divisors instead (`inv_freq[i] = theta^(-2i/d) / rope_freqs[i]`), computed
/// from HF's `rope_scaling` {factor, low_freq_factor, high_freq_factor,
/// original_max_position_embeddings}: 1 for short wavelengths, `factor` for long ones and
/// `1 / ((1 − s)/factor + s)` in between, with `s = (old/wavelen − low)/(high − low)`.
/// `s` is linear in 1/wavelen, so the medium band gives the slope old/(high − low) and the
/// intercept −low/(high − low); those fix (low/old, high/old) and the band edges exactly; the
/// scale is chosen so that low_freq_factor is 1 (Llama 3.x's value; any scale gives the same
/// frequencies). The fit is checked by recomputing every divisor.
/// Reference: https://github.com/ggml-org/llama.cpp/blob/master/convert_hf_to_gguf.py
/// (`LlamaModel.generate_extra_tensors`), transformers `modeling_rope_utils.py`
/// (`_compute_llama3_parameters`).
public enum GGUFRopeFreqs {
    /// Divisors llama.cpp's converter writes for these parameters (float64 maths, float32 result).
    public static func divisors(theta: Double, headDim: Int, factor: Double, low: Double, high: Double, old: Double) -> [Float] {
        (0..<(headDim / 2)).map { i in
            let freq = 1.0 / pow(theta, Double(2 * i) / Double(headDim))
            let wavelen = 2 * Double.pi / freq
            if wavelen < old / high { return 1 }
            if wavelen > old / low { return Float(factor) }
            let s = (old / wavelen - low) / (high - low)
            return Float(1 / ((1 - s) / factor + s))
        }
    }

    /// The rope parameters equivalent to `freqs`, or nil when they are all 1 (no scaling).
    /// Throws when the divisors are not of the Llama-3 form.
    static func fit(_ freqs: [Float], theta: Double, headDim: Int, path: String) throws -> RopeParameters? {
        let loc = SourceLocation(file: path, field: "rope_freqs.weight")
        guard freqs.count == headDim / 2 else {
            throw ModelError("rope_freqs.weight has \(freqs.count) values, expected head_dim/2 = \(headDim / 2)", at: loc)
        }
        if freqs.allSatisfy({ $0 == 1 }) { return nil }
        let factor = Double(freqs.max() ?? 1)
        guard factor > 1, freqs.allSatisfy({ $0 >= 1 && Double($0) <= factor }) else {
            throw ModelError("rope_freqs.weight is not of the Llama-3 form (divisors between 1 and a factor)", at: loc,
                             hint: "only Llama-3 rope scaling is supported")
        }
        // Medium band: 1 < divisor < factor. s = (1/f − 1/factor) / (1 − 1/factor), x = 1/wavelen.
        var xs: [Double] = [], ss: [Double] = []
        for (i, f) in freqs.enumerated() where f > 1 && Double(f) < factor {
            let freq = 1.0 / pow(theta, Double(2 * i) / Double(headDim))
            xs.append(freq / (2 * Double.pi))
            ss.append((1 / Double(f) - 1 / factor) / (1 - 1 / factor))
        }
        var params = RopeParameters(ropeType: "llama3", ropeTheta: theta)
        params.factor = factor
        if xs.count >= 2 {
            // Least squares s = a·x + b.
            let n = Double(xs.count)
            let mx = xs.reduce(0, +) / n, ms = ss.reduce(0, +) / n
            let sxx = zip(xs, xs).map { ($0 - mx) * ($1 - mx) }.reduce(0, +)
            let sxs = zip(xs, ss).map { ($0 - mx) * ($1 - ms) }.reduce(0, +)
            let a = sxs / sxx, b = ms - a * mx
            guard a > 0, b < 0 else {
                throw ModelError("rope_freqs.weight: medium band does not fit Llama-3 smoothing", at: loc)
            }
            // a = old/(high − low), b = −low/(high − low); with low = 1: old = −a/b, high = 1 − 1/b.
            let old = (-a / b).rounded()
            params.lowFreqFactor = 1
            params.highFreqFactor = ((1 - 1 / b) * 1e6).rounded() / 1e6
            params.originalMaxPositionEmbeddings = Int(old)
        } else {
            throw ModelError("rope_freqs.weight has fewer than two smoothed frequencies; the Llama-3 parameters are ambiguous",
                             at: loc, hint: "convert the model from its HF folder instead")
        }
        let back = divisors(theta: theta, headDim: headDim, factor: factor, low: 1,
                            high: params.highFreqFactor ?? 0, old: Double(params.originalMaxPositionEmbeddings ?? 0))
        let worst = zip(back, freqs).map { abs(Double($0) - Double($1)) / Double($1) }.max() ?? 0
        guard worst < 1e-5 else {
            throw ModelError("rope_freqs.weight does not match Llama-3 rope scaling (fitted factor \(factor), high_freq_factor \(params.highFreqFactor ?? 0), original_max_position_embeddings \(params.originalMaxPositionEmbeddings ?? 0); relative misfit \(worst))",
                             at: loc, hint: "only Llama-3 rope scaling is supported")
        }
        return params
    }
}
