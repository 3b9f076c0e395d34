/// Small elementwise helpers used by the forward pass.
public enum Elementwise {
    /// y (n) += x (n).
    @inlinable
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }

    /// out (rows, dim) = table[ids[r]] rows of table (vocab, dim): embedding lookup.
    /// ids must be in 0..<vocab (checked by the caller).
    @inlinable
    public static func gatherRows(
        table: UnsafePointer<Float>, ids: UnsafePointer<Int32>, out: UnsafeMutablePointer<Float>, rows: Int, dim: Int
    ) {
        for r in 0..<rows { (out + r * dim).update(from: table + Int(ids[r]) * dim, count: dim) }
    }
}
