/// Small elementwise helpers of the forward and backward passes.
public enum Elementwise {
    /// out (rows, dim) = table[ids[r]] rows of table (vocab, dim): embedding lookup.
    /// ids must be in 0..<vocab (checked by the caller).
    @inlinable
    public static func gatherRows(
        table: UnsafePointer<Float>, ids: UnsafePointer<Int32>, out: UnsafeMutablePointer<Float>, rows: Int, dim: Int
    ) {
        for r in 0..<rows { (out + r * dim).update(from: table + Int(ids[r]) * dim, count: dim) }
    }

    /// Splits rows of `src` (rows, Σ widths) column-wise into contiguous buffers
    /// `parts[i].dst` (rows, widths[i]), adding `parts[i].bias` (widths[i]) when given.
    @inlinable
    public static func splitColumns(
        _ src: UnsafePointer<Float>, rows: Int,
        parts: [(dst: UnsafeMutablePointer<Float>, width: Int, bias: UnsafeMutablePointer<Float>?)]
    ) {
        let total = parts.reduce(0) { $0 + $1.width }
        for r in 0..<rows {
            var off = r * total
            for p in parts {
                let d = p.dst + r * p.width
                if let b = p.bias {
                    for j in 0..<p.width { d[j] = src[off + j] + b[j] }
                } else {
                    d.update(from: src + off, count: p.width)
                }
                off += p.width
            }
        }
    }

    /// Inverse of `splitColumns` without bias: `dst` (rows, Σ widths) row r = the rows r of
    /// `parts[i].src` (rows, widths[i]) side by side.
    @inlinable
    public static func joinColumns(
        _ dst: UnsafeMutablePointer<Float>, rows: Int, parts: [(src: UnsafePointer<Float>, width: Int)]
    ) {
        let total = parts.reduce(0) { $0 + $1.width }
        for r in 0..<rows {
            var off = r * total
            for p in parts {
                (dst + off).update(from: p.src + r * p.width, count: p.width)
                off += p.width
            }
        }
    }

    /// Adds the column sums of `x` (rows, dim) into `out` (dim): a bias gradient.
    @inlinable
    public static func addColumnSums(_ x: UnsafePointer<Float>, rows: Int, dim: Int, into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * dim
            for o in 0..<dim { out[o] += row[o] }
        }
    }
}
