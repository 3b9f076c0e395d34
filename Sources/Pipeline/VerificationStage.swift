import Records

/// `verify`: the verifier's verdict for each record (kept on the candidate for the shards);
/// records whose verdict is not in `keep` are dropped with the verdict as reason. Counts every
/// verdict it sees. Without a verifier every record is kept without a verdict.
final class VerificationStage: RecordStage {
    let name = "verify"
    var counter = StageCounter(name: "verify", verdicts: [:])
    let config: ResolvedPipeline.VerifyConfig
    let verifier: RecordVerifying?

    init(_ config: ResolvedPipeline.VerifyConfig, verifier: RecordVerifying?) {
        self.config = config
        self.verifier = verifier
    }

    func evaluate(_ c: inout Candidate) -> StageDecision {
        guard let verifier else { return .keep }
        let (verdict, reason) = verifier.verify(c.record)
        c.verdict = verdict
        c.reason = reason
        return config.keep.contains(verdict) ? .keep : .drop(reason: verdict, detail: reason)
    }

    func decide(_ e: StageDecision, for c: Candidate) -> StageDecision {
        if let v = c.verdict { counter.verdicts?[v, default: 0] += 1 }
        return e
    }
}
