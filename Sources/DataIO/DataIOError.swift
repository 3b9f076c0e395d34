import Core

/// The error domain of DataIO (readers, writers, adapters).
public enum DataIOFailure: ErrorDomain {}

/// The one error type of DataIO: what failed, where, and a hint for the user (`LocatedError`).
public typealias DataIOError = LocatedError<DataIOFailure>

/// Runs `body`, re-throwing Core's I/O errors as DataIO's, so DataIO's API throws one type.
@inline(__always)
func dataIO<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as CoreError { throw DataIOError(e) }
}
