import Records

/// The first stage: renders the conversation with the chat template (token ids and the loss
/// mask); a template error drops the record (`template_error`). Without a template every
/// record is kept unrendered.
final class RenderingStage: RecordStage {
    let name = "render"
    var counter = StageCounter(name: "render")
    let renderer: ConversationRendering?

    init(renderer: ConversationRendering?) { self.renderer = renderer }

    func evaluate(_ c: inout Candidate) -> StageDecision {
        guard let renderer else { return .keep }
        do { c.rendered = try renderer.render(c.record) } catch { return .drop(reason: "template_error") }
        return .keep
    }
}
