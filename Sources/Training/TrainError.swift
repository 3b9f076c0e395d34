import Core

/// The error domain of the Training module.
public enum TrainFailure: ErrorDomain {}

/// The Training module's error: what went wrong, where (file, line, key), and a hint
/// (`LocatedError`).
public typealias TrainError = LocatedError<TrainFailure>
