import Core

/// The error domain of the Pipeline module.
public enum PipelineFailure: ErrorDomain {}

/// The one error type of the Pipeline module: what failed, where (file, line, record or key
/// path), and a hint (`LocatedError`).
public typealias PipelineError = LocatedError<PipelineFailure>
