/// Per-token statistics for positions 1…T−1 (entry j describes token j+1 as a label).
public struct TokenColumns: Sendable, Equatable {
    public var logprob: [Float]
    public var entropyTopK: [Float]
    public var gate: [Float]
    /// Full-vocabulary entropy, when the scorer computes it.
    public var entropyFull: [Float]?
    /// The model's most probable token at each position and its log-probability, when the scorer reports them.
    public var expectedID: [UInt32]?
    public var expectedLogprob: [Float]?
    public init(logprob: [Float], entropyTopK: [Float], gate: [Float], entropyFull: [Float]? = nil,
                expectedID: [UInt32]? = nil, expectedLogprob: [Float]? = nil) {
        self.logprob = logprob
        self.entropyTopK = entropyTopK
        self.gate = gate
        self.entropyFull = entropyFull
        self.expectedID = expectedID
        self.expectedLogprob = expectedLogprob
    }
}
