import Foundation

/// Forward + chunked loss + backward for one micro-batch: the unit the trainer, evaluator
/// and golden tests share.
public final class StepEngine: @unchecked Sendable {
    public let model: TrainModel
    public let head: LossHead
    public var spec: LossSpec
    private var dHidden = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private var dCap = 0

    public init(model: TrainModel, spec: LossSpec, chunkRows: Int? = nil) {
        self.model = model
        self.spec = spec
        precondition(spec.topK >= 1 && spec.topK <= 1024, "topK must be in 1...1024")
        head = LossHead(vocab: model.config.vocab, hidden: model.config.hidden, chunkRows: chunkRows)
    }
    deinit { dHidden.deallocate() }

    /// The `masked` threshold τ for this batch: the configured τ, else the linear-interpolation
    /// percentile of the batch's label gates (static, dynamic or hybrid as configured).
    func maskedThreshold(_ b: TrainBatch, hidden: UnsafePointer<Float>, lambdaNow: Float) -> Float {
        if let tau = spec.tau { return Float(tau) }
        var g: [Float]
        if spec.gate == .static {
            g = b.staticGates
        } else {
            let dyn = head.gates(batch: b, hidden: hidden, head: model.headWeight, topK: spec.topK)
            g = spec.gate == .dynamic ? dyn : zip(b.staticGates, dyn).map { spec.combine(staticGate: $0, dynamicGate: $1, lambdaNow: lambdaNow) }
        }
        return Float(percentileLinear(g, spec.maskedQuantile))
    }

    /// Forward, loss and (if `backward`) gradients added into `model.params.grads`, with every
    /// dLogits row scaled by `coef` (1/N, N = label tokens in the optimizer step).
    public func run(_ b: TrainBatch, lambdaNow: Float = 1, coef: Float, backward: Bool = true,
                    keepPerToken: Bool = false) throws -> LossHeadResult {
        let h = try model.forward(b)
        let thr: Float = spec.weight == .masked ? maskedThreshold(b, hidden: h, lambdaNow: lambdaNow) : 0
        let need = b.tokenCount * model.config.hidden
        if backward && need > dCap {
            dHidden.deallocate()
            dHidden = .allocate(capacity: need)
            dCap = need
        }
        let res = head.run(batch: b, hidden: h, head: model.headWeight, spec: spec, lambdaNow: lambdaNow, threshold: thr, coef: coef,
                           dHidden: backward ? dHidden : nil, dHead: backward ? model.headGrad : nil, keepPerToken: keepPerToken)
        if backward { model.backward(b, dHidden: dHidden) }
        return res
    }
}
