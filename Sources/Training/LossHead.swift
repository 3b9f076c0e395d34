import Core
import CBLAS
import Foundation
import Kernels

/// Result of one chunked LM-head + loss pass over a batch.
public struct LossHeadResult: Sendable {
    /// Σ w·CE over the batch's label tokens (not normalised).
    public var weightedSum: Double = 0
    /// Σ CE (plain SFT sum), for reporting.
    public var ceSum: Double = 0
    /// Label tokens in the batch.
    public var labelCount: Int = 0
    /// Tokens with non-zero weight under `masked` (= labelCount otherwise).
    public var keptCount: Int = 0
    /// Per label row (only if requested): CE, full entropy, dynamic gate.
    public var ce: [Float] = []
    public var entropy: [Float] = []
    public var gate: [Float] = []
}

/// LM head + loss in chunks of label positions, so `[tokens × vocab]` logits never exist.
/// Per chunk: gather hidden rows → logits = h·Wᵀ → per row log-softmax, CE, p, top-K entropy
/// gate → weight (detached) → dLogits = coef·w·(softmax − onehot) → dHidden rows and dW_head.
public final class LossHead: @unchecked Sendable {
    public let vocab: Int
    public let hidden: Int
    public let chunkRows: Int
    private let hBuf: UnsafeMutablePointer<Float>
    private let logits: UnsafeMutablePointer<Float>
    private let dH: UnsafeMutablePointer<Float>
    private let topScratch: UnsafeMutablePointer<Float>
    private let rowWeight: UnsafeMutablePointer<Float>
    private let rowCE: UnsafeMutablePointer<Float>
    private let rowEnt: UnsafeMutablePointer<Float>
    private let rowGate: UnsafeMutablePointer<Float>
    /// Most threads for the per-row softmax / entropy / gradient work (each chunk uses
    /// min(this, `Threads.workers`)).
    public let workers: Int

    /// `chunkRows` default keeps one chunk's logits near 32 MB.
    public init(vocab: Int, hidden: Int, chunkRows: Int? = nil, workers: Int = min(2, ProcessInfo.processInfo.activeProcessorCount)) {
        self.vocab = vocab; self.hidden = hidden
        let cr = chunkRows ?? max(8, min(512, (8 << 20) / max(vocab, 1)))
        self.chunkRows = cr
        hBuf = .allocate(capacity: cr * hidden)
        logits = .allocate(capacity: cr * vocab)
        dH = .allocate(capacity: cr * hidden)
        self.workers = max(1, workers)
        topScratch = .allocate(capacity: 1024 * self.workers)
        rowWeight = .allocate(capacity: cr); rowCE = .allocate(capacity: cr)
        rowEnt = .allocate(capacity: cr); rowGate = .allocate(capacity: cr)
    }
    deinit {
        hBuf.deallocate(); logits.deallocate(); dH.deallocate(); topScratch.deallocate()
        rowWeight.deallocate(); rowCE.deallocate(); rowEnt.deallocate(); rowGate.deallocate()
    }

    /// Dynamic gates of every label row (a logits pass without gradient; used for the batch
    /// percentile of `masked`). The EAFT row kernel, as the scorer's static gates.
    public func gates(batch b: TrainBatch, hidden h: UnsafePointer<Float>, head w: UnsafePointer<Float>, topK: Int) -> [Float] {
        var out = [Float](repeating: 0, count: b.labelCount)
        forEachChunk(b, h, w) { r0, n in
            for i in 0..<n {
                out[r0 + i] = DistributionStats.row(logits: logits + i * vocab, vocab: vocab, target: Int(b.lossTargets[r0 + i]),
                                                    k: topK, heap: topScratch).gate
            }
        }
        return out
    }

    /// Loss (and, if `dHidden` is given, gradients). `coef` multiplies every dLogits row
    /// (1/N for the step's label count N). `dHidden (T, C)` is overwritten (rows without a label
    /// get 0); `dHead (V, C)` is added to. `threshold` is the `masked` τ.
    public func run(batch b: TrainBatch, hidden h: UnsafePointer<Float>, head w: UnsafePointer<Float>,
                    spec: LossSpec, lambdaNow: Float, threshold: Float, coef: Float,
                    dHidden: UnsafeMutablePointer<Float>?, dHead: UnsafeMutablePointer<Float>?,
                    keepPerToken: Bool = false) -> LossHeadResult {
        var res = LossHeadResult()
        res.labelCount = b.labelCount
        if keepPerToken {
            res.ce = .init(repeating: 0, count: b.labelCount)
            res.entropy = .init(repeating: 0, count: b.labelCount)
            res.gate = .init(repeating: 0, count: b.labelCount)
        }
        if let dHidden { dHidden.update(repeating: 0, count: b.tokenCount * hidden) }
        // Top-K only when a dynamic gate is used or reported.
        let k = keepPerToken || (spec.needsGate && spec.gate != .static) ? spec.topK : 1
        let wantGrad = dHidden != nil
        forEachChunk(b, h, w) { r0, n in
            // Rows are independent: split them over `workers` threads (each with its own top-K
            // scratch); per-row results are summed afterwards in row order (deterministic).
            let rowW = rowWeight, rowCE = rowCE
            let workers = min(self.workers, Threads.workers)
            let per = (n + workers - 1) / workers
            let work = { (wk: Int) in
                let scratch = self.topScratch + wk * 1024
                for i in (wk * per)..<min(n, (wk + 1) * per) {
                    let row = self.logits + i * self.vocab
                    let target = Int(b.lossTargets[r0 + i])
                    // The EAFT row kernel (as the scorer's); leaves exp(z − max) in the row for the gradient.
                    let s = DistributionStats.rowStoringExp(logits: row, vocab: self.vocab, target: target, k: k, heap: scratch)
                    let ce = -s.logprob
                    let dyn = s.gate
                    let g = spec.needsGate ? spec.combine(staticGate: b.staticGates[r0 + i], dynamicGate: dyn, lambdaNow: lambdaNow) : dyn
                    let wgt = spec.tokenWeight(gate: g, prob: expf(s.logprob), threshold: threshold)
                    rowW[i] = wgt; rowCE[i] = ce
                    if keepPerToken { self.rowEnt[i] = s.entropy; self.rowGate[i] = dyn }
                    if wantGrad {
                        LossKernels.crossEntropyGradFromExp(row, vocab: self.vocab, target: target, sumExp: s.sumExp, coef: wgt * coef)
                    }
                }
            }
            if workers > 1 && n >= 2 * workers { Parallel.run(workers, work) } else { for wk in 0..<workers { work(wk) } }
            for i in 0..<n {
                res.weightedSum += Double(rowW[i] * rowCE[i])
                res.ceSum += Double(rowCE[i])
                if rowW[i] != 0 { res.keptCount += 1 }
                if keepPerToken { res.ce[r0 + i] = rowCE[i]; res.entropy[r0 + i] = rowEnt[i]; res.gate[r0 + i] = rowGate[i] }
            }
            guard let dHidden, let dHead else { return }
            // dH (n, C) = dLogits (n, V) · W (V, C);  dW (V, C) += dLogitsᵀ · h (n, C)
            Threads.sgemm(transA: false, transB: false, m: n, n: hidden, k: vocab, alpha: 1,
                          a: logits, lda: vocab, b: w, ldb: hidden, beta: 0, c: dH, ldc: hidden)
            Threads.sgemm(transA: true, transB: false, m: vocab, n: hidden, k: n, alpha: 1,
                          a: logits, lda: vocab, b: hBuf, ldb: hidden, beta: 1, c: dHead, ldc: hidden)
            for i in 0..<n {
                (dHidden + Int(b.lossRows[r0 + i]) * hidden).update(from: dH + i * hidden, count: hidden)
            }
        }
        return res
    }

    /// Gathers hidden rows of each chunk of label positions and computes its logits.
    private func forEachChunk(_ b: TrainBatch, _ h: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ body: (Int, Int) -> Void) {
        var r0 = 0
        while r0 < b.labelCount {
            let n = min(chunkRows, b.labelCount - r0)
            for i in 0..<n { (hBuf + i * hidden).update(from: h + Int(b.lossRows[r0 + i]) * hidden, count: hidden) }
            // logits (n, V) = hBuf (n, C) · Wᵀ
            Threads.sgemm(transA: false, transB: true, m: n, n: vocab, k: hidden, alpha: 1,
                          a: hBuf, lda: hidden, b: w, ldb: hidden, beta: 0, c: logits, ldc: vocab)
            body(r0, n)
            r0 += n
        }
    }
}
