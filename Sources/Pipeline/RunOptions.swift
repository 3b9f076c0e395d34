/// Options of one `eaft run` besides the pipeline (the thread count is part of
/// `ResolvedPipeline`: `--threads` is resolved with the spec's `threads`).
public struct RunOptions {
    public var outDir: String?
    public var resume = false
    /// `(i, N)`: process only work units `k` with `k % N == i`, leave parts for `eaft merge`.
    public var partition: (index: Int, count: Int)?
    public var rejectsPath: String?
    /// Called after each committed unit (tests use it to simulate crashes).
    public var onUnitCommitted: ((Int) throws -> Void)?
    /// Called after each committed unit with (units done, units to do) of this run (progress bar).
    public var onProgress: ((Int, Int) -> Void)?
    public init() {}
}
