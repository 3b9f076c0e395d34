import Records

/// Drops texts outside character and token bounds (bounds inclusive; nil = unbounded).
/// Token counts come from the caller (the pipeline's tokenizer), so the filter has no
/// tokenizer dependency. Reason codes: `too_short`, `too_long` (detail says chars/tokens).
public struct LengthFilter: Sendable, Codable, Equatable {
    public var minChars: Int?
    public var maxChars: Int?
    public var minTokens: Int?
    public var maxTokens: Int?

    public init(minChars: Int? = nil, maxChars: Int? = nil, minTokens: Int? = nil, maxTokens: Int? = nil) {
        self.minChars = minChars
        self.maxChars = maxChars
        self.minTokens = minTokens
        self.maxTokens = maxTokens
    }

    /// Characters are Unicode scalars (what Python's `len(str)` counts).
    public func decide(text: String, tokenCount: Int? = nil) -> FilterDecision {
        let chars = text.unicodeScalars.count
        if let m = minChars, chars < m { return .drop(DropReason("too_short", "\(chars) chars < \(m)")) }
        if let m = maxChars, chars > m { return .drop(DropReason("too_long", "\(chars) chars > \(m)")) }
        if let t = tokenCount {
            if let m = minTokens, t < m { return .drop(DropReason("too_short", "\(t) tokens < \(m)")) }
            if let m = maxTokens, t > m { return .drop(DropReason("too_long", "\(t) tokens > \(m)")) }
        }
        return .keep
    }

    public func decide(_ record: Record, tokenCount: Int? = nil) -> FilterDecision {
        decide(text: CurationText.text(of: record), tokenCount: tokenCount)
    }
}
