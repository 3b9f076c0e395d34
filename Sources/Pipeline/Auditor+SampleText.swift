import Foundation

extension Auditor {
    /// `eaft audit --sample ID`: one sample's tokens (p, H, gate, expected token) as text,
    /// conflict tokens marked against the thresholds of the whole dataset (so the audit runs
    /// first); `color` adds ANSI colours.
    public static func sampleText(directory: String, id: String, options: AuditOptions, color: Bool) throws -> String {
        let (i, s) = try findSample(directory: directory, id: id)
        var q = options
        q.tokenViewMax = 0
        let r = try audit(directory: directory, options: q)
        let v = tokenView(of: s, index: i, pThreshold: r.pThreshold, hThreshold: r.entropyThreshold, tokenizer: options.tokenizer)
        return AuditSampleText.render(v, color: color)
    }
}
