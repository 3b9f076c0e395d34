import Records

/// Streams the rows of a `ParquetFile` as JSON objects, one row group in memory at a time.
///
/// Use `nextRow()` to see errors; `next()` (for `for row in iterator`) stops at the first error
/// and keeps it in `error`. After an error, the next call continues with the following row
/// group, so a caller can count a bad row group (`rowsSkipped`) and keep the rest of the file.
/// The iterator is its own `Sequence` iterator: it can be walked once.
public final class ParquetRowIterator: IteratorProtocol, Sequence {
    /// The file being read.
    public let file: ParquetFile
    /// Selected top-level fields, in schema order.
    public let columnNames: [String]
    private let nodes: [ParquetAssembler.Node]
    private let leaves: [Int]
    private let maxDefs: [Int]
    private var group = -1
    private var rowInGroup = 0
    private var rowsInGroup = 0
    private var assembler: ParquetAssembler?
    /// Rows handed out so far (also the 0-based index of the next row when row groups are intact).
    public private(set) var rowsRead = 0
    /// Rows lost to errors: the rest of a row group that failed to decode or assemble.
    public private(set) var rowsSkipped = 0
    /// The row group being read (-1 before the first).
    public var currentRowGroup: Int { group }
    /// Index of the first row of the current row group in the file.
    private var groupFirstRow = 0
    /// The error that ended a `for … in` loop, if any.
    public private(set) var error: Error?

    init(file: ParquetFile, columns: [String]?) throws {
        self.file = file
        let fields = file.schema.fields
        var chosen: [ParquetSchemaNode]
        if let columns {
            let known = Set(fields.map(\.name))
            for c in columns where !known.contains(c) {
                throw DataIOError("no column named '\(c)'", at: SourceLocation(file: file.path, field: c),
                                  hint: "columns: \(fields.map(\.name).joined(separator: ", "))")
            }
            let want = Set(columns)
            chosen = fields.filter { want.contains($0.name) }
        } else {
            chosen = fields
        }
        var nodes: [ParquetAssembler.Node] = []
        var leaves: [Int] = []
        do {
            for f in chosen {
                nodes.append(try ParquetAssembler.makeField(f, slotBase: leaves.count))
                leaves.append(contentsOf: f.firstLeaf..<(f.firstLeaf + f.leafCount))
            }
        } catch let e as ParquetAssembler.AssemblyError {
            throw DataIOError("unsupported schema: \(e.reason)", at: SourceLocation(file: file.path, byteOffset: file.footerStart))
        }
        self.columnNames = chosen.map(\.name)
        self.nodes = nodes
        self.leaves = leaves
        self.maxDefs = leaves.map { file.schema.leaves[$0].maxDefinitionLevel }
    }

    public func makeIterator() -> ParquetRowIterator { self }

    /// The next row, or nil at the end or at the first error (kept in `error`).
    public func next() -> JSONValue? {
        do { return try nextRow() } catch {
            self.error = error
            return nil
        }
    }

    /// The next row, nil at the end of the file; throws a located `DataIOError` on corrupt data.
    public func nextRow() throws -> JSONValue? {
        while rowInGroup >= rowsInGroup {
            if let a = assembler {
                assembler = nil
                do { try a.checkFinished() } catch let e as ParquetAssembler.AssemblyError { throw located(e) }
            }
            group += 1
            groupFirstRow += rowsInGroup
            rowInGroup = 0
            rowsInGroup = 0
            guard group < file.numRowGroups else { group = file.numRowGroups; return nil }
            let n = file.numRows(inRowGroup: group)
            if n == 0 { continue }
            if leaves.isEmpty && n > file.numRows {
                // Nothing to check row counts against but the footer's total.
                throw DataIOError("row group \(group) claims \(n) rows, the file \(file.numRows)",
                                  at: SourceLocation(file: file.path, byteOffset: file.footerStart, record: groupFirstRow))
            }
            rowsInGroup = n
            do {
                assembler = ParquetAssembler(columns: try file.readColumns(rowGroup: group, leaves: leaves), maxDef: maxDefs)
            } catch var e as DataIOError {
                // The whole row group is lost; the next call continues with the following one.
                rowsSkipped += n
                rowInGroup = n
                if e.location.record == nil { e.location.record = groupFirstRow }
                throw e
            }
        }
        guard let a = assembler else { return nil }
        var o = JSONObject()
        o.entries.reserveCapacity(nodes.count)
        do {
            for (i, n) in nodes.enumerated() {
                // Each row starts at repetition level 0 in every leaf.
                if let r = a.peekRep(n.firstSlot), r != 0 {
                    throw ParquetAssembler.AssemblyError(reason: "row does not start at repetition level 0", slot: n.firstSlot)
                }
                o.entries.append((key: columnNames[i], value: try a.value(n)))
            }
        } catch let e as ParquetAssembler.AssemblyError {
            // Give up on this row group; the next call moves on to the following one.
            let err = located(e)
            rowsSkipped += rowsInGroup - rowInGroup
            assembler = nil
            rowInGroup = rowsInGroup
            throw err
        }
        rowInGroup += 1
        rowsRead += 1
        return .object(o)
    }

    private func located(_ e: ParquetAssembler.AssemblyError) -> DataIOError {
        let leaf = e.slot < leaves.count ? leaves[e.slot] : 0
        let path = file.schema.leaves.isEmpty ? "" : file.schema.leaves[leaf].dottedPath
        return DataIOError("row group \(group), column '\(path)': \(e.reason)",
                           at: SourceLocation(file: file.path, byteOffset: file.chunkOffset(rowGroup: group, leaf: leaf),
                                              record: groupFirstRow + rowInGroup, field: path),
                           hint: "the column's levels are inconsistent; the file is corrupt")
    }
}
