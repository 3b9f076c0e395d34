import Core

/// The error domain of the Model module.
public enum ModelFailure: ErrorDomain {}

/// The one error type of the Model module: what failed, where (file, tensor or config key,
/// sequence index), and a hint (`LocatedError`).
public typealias ModelError = LocatedError<ModelFailure>
