import Foundation

/// A scoring server (`score.scorer`) with its defaults applied; `ServerScorer` talks to it.
public struct ScorerServer: Sendable, Equatable {
    public enum Backend: String, Sendable { case vllm }
    public let backend: Backend
    /// Base URL, e.g. `http://127.0.0.1:8000`.
    public let url: String
    /// Requests in flight per pipeline worker.
    public let concurrency: Int
    /// Seconds before a request is abandoned and retried.
    public let timeoutSeconds: Double
    /// Retries after a connection error, timeout or 5xx.
    public let retries: Int

    /// `spec` as `PipelineSpec.validate` checked it (backend vllm); defaults 4 requests, 600 s, 5 retries.
    public init(_ spec: ServerScorerSpec) {
        backend = Backend(rawValue: spec.backend) ?? .vllm
        url = spec.url
        concurrency = max(1, spec.concurrency ?? 4)
        timeoutSeconds = spec.timeoutS ?? 600
        retries = spec.retries ?? 5
    }
}
