import Records

/// `filter`: bounds on the rendered conversation (`too_short`, `too_long`,
/// `too_few_label_tokens`); unrendered records (no template) pass.
final class LengthFilterStage: RecordStage {
    let name = "filter"
    var counter = StageCounter(name: "filter")
    let config: ResolvedPipeline.LengthFilterConfig

    init(_ config: ResolvedPipeline.LengthFilterConfig) { self.config = config }

    func evaluate(_ c: inout Candidate) -> StageDecision {
        guard let rc = c.rendered else { return .keep }
        if let m = config.minTokens, rc.ids.count < m { return .drop(reason: "too_short") }
        if let m = config.maxTokens, rc.ids.count > m { return .drop(reason: "too_long") }
        if let m = config.minLabelTokens, rc.labelCount < m { return .drop(reason: "too_few_label_tokens") }
        return .keep
    }
}
