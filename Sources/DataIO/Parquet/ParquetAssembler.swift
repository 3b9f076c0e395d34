import Records

/// Decoded levels and values of one column chunk (one leaf, one row group).
struct ColumnData {
    /// Definition / repetition levels, one per level entry (empty when the max level is 0).
    var defs: [UInt8] = []
    var reps: [UInt8] = []
    /// Non-null leaf values in order, one segment per data page.
    var segments: [[JSONValue]] = []
    /// Number of level entries.
    var count = 0
}

/// Record assembly (Dremel): turns the level streams of the selected leaves back into one
/// JSON value per row, the way pyarrow's `to_pylist()` shows them.
///
/// Reference: Dremel paper section 4.3 (https://research.google/pubs/dremel-interactive-analysis-of-web-scale-datasets-2/)
/// and https://github.com/apache/parquet-format/blob/master/LogicalTypes.md for how LIST and
/// MAP groups (including legacy 2-level lists) map to arrays and key/value pairs.
///
/// Each node reads the levels of its first leaf to decide null / empty / next element; every
/// leaf under a null or empty node holds exactly one level entry for it, which `skip` consumes.
/// Every step consumes at least one level entry, so a corrupt stream cannot loop forever.
final class ParquetAssembler {
    final class Node {
        enum Kind {
            case leaf(slot: Int)
            case structure([(name: String, node: Node)])
            case list(element: Node, repDef: Int, repRep: Int)
            case map(key: Node, value: Node, repDef: Int, repRep: Int)
        }
        let kind: Kind
        let nullable: Bool
        let def: Int
        let firstSlot: Int
        let slots: Range<Int>

        init(kind: Kind, nullable: Bool, def: Int, slots: Range<Int>) {
            self.kind = kind
            self.nullable = nullable
            self.def = def
            self.firstSlot = slots.lowerBound
            self.slots = slots
        }
    }

    struct AssemblyError: Error {
        var reason: String
        var slot: Int
    }

    /// The backward-compatibility rules for a LIST-annotated group: its element node, or nil
    /// when `n` is not a well-formed list. (LogicalTypes.md, "Lists".)
    static func listElement(of n: ParquetSchemaNode) -> ParquetSchemaNode? {
        guard !n.isLeaf, n.logicalType == .list, n.children.count == 1, n.children[0].repetition == .repeated else { return nil }
        let r = n.children[0]
        if elementIsRepeatedNode(list: n, repeated: r) { return r }
        return r.children[0]
    }

    static func elementIsRepeatedNode(list n: ParquetSchemaNode, repeated r: ParquetSchemaNode) -> Bool {
        r.isLeaf || r.children.count != 1 || r.name == "array" || r.name == n.name + "_tuple"
    }

    /// Key and value nodes of a MAP group, or nil when `n` is not a well-formed map.
    static func mapEntries(of n: ParquetSchemaNode) -> (ParquetSchemaNode, ParquetSchemaNode)? {
        guard !n.isLeaf, n.logicalType == .map || n.logicalType == .mapKeyValue, n.children.count == 1 else { return nil }
        let r = n.children[0]
        guard r.repetition == .repeated, !r.isLeaf, r.children.count == 2 else { return nil }
        return (r.children[0], r.children[1])
    }

    /// Builds the assembly tree of a top-level field; `slotOfLeaf` maps leaf index → slot.
    static func makeField(_ n: ParquetSchemaNode, slotBase: Int) throws -> Node {
        guard n.leafCount > 0 else { throw AssemblyError(reason: "group '\(n.dottedPath)' has no columns", slot: slotBase) }
        func slots(_ x: ParquetSchemaNode) -> Range<Int> {
            (x.firstLeaf - n.firstLeaf + slotBase)..<(x.firstLeaf - n.firstLeaf + slotBase + x.leafCount)
        }
        func field(_ x: ParquetSchemaNode) throws -> Node {
            guard x.leafCount > 0 else { throw AssemblyError(reason: "group '\(x.dottedPath)' has no columns", slot: slotBase) }
            if x.repetition == .repeated {
                // A repeated field outside a LIST/MAP annotation: a list of required elements.
                let element = try content(x, nullable: false, forceStruct: false)
                return Node(kind: .list(element: element, repDef: x.maxDefinitionLevel, repRep: x.maxRepetitionLevel),
                            nullable: false, def: x.maxDefinitionLevel - 1, slots: slots(x))
            }
            return try content(x, nullable: x.repetition == .optional, forceStruct: false)
        }
        func content(_ x: ParquetSchemaNode, nullable: Bool, forceStruct: Bool) throws -> Node {
            let def = x.maxDefinitionLevel
            if x.isLeaf {
                return Node(kind: .leaf(slot: slots(x).lowerBound), nullable: nullable, def: def, slots: slots(x))
            }
            if !forceStruct, listElement(of: x) != nil {
                let r = x.children[0]
                let element: Node
                if elementIsRepeatedNode(list: x, repeated: r) {
                    element = try content(r, nullable: false, forceStruct: true)
                } else {
                    element = try field(r.children[0])
                }
                return Node(kind: .list(element: element, repDef: r.maxDefinitionLevel, repRep: r.maxRepetitionLevel),
                            nullable: nullable, def: def, slots: slots(x))
            }
            if !forceStruct, let (k, v) = mapEntries(of: x) {
                let r = x.children[0]
                return Node(kind: .map(key: try field(k), value: try field(v), repDef: r.maxDefinitionLevel,
                                       repRep: r.maxRepetitionLevel),
                            nullable: nullable, def: def, slots: slots(x))
            }
            var fields: [(name: String, node: Node)] = []
            for c in x.children where c.leafCount > 0 { fields.append((c.name, try field(c))) }
            return Node(kind: .structure(fields), nullable: nullable, def: def, slots: slots(x))
        }
        return try field(n)
    }

    // MARK: - Cursors

    /// Read position in one leaf's levels and values. Plain pointers (no ARC, no exclusivity
    /// checks) into buffers owned by the assembler.
    struct Cursor {
        var defs: UnsafeMutablePointer<UInt8>?
        var reps: UnsafeMutablePointer<UInt8>?
        var values: UnsafeMutablePointer<JSONValue>?
        var count: Int
        var nvalues: Int
        var li = 0
        var vi = 0
        var maxDef: Int
    }

    let cursors: UnsafeMutablePointer<Cursor>
    let ncols: Int

    /// Takes the columns' values over (moved out, so each is handed to a row without an
    /// extra retain); levels are copied.
    /// `columns` is consumed: its value buffers must be uniquely owned so they can be moved from.
    init(columns: consuming [ColumnData], maxDef: [Int]) {
        ncols = columns.count
        cursors = .allocate(capacity: max(1, columns.count))
        for s in 0..<ncols {
            func copy(_ a: [UInt8]) -> UnsafeMutablePointer<UInt8>? {
                guard !a.isEmpty else { return nil }
                let p = UnsafeMutablePointer<UInt8>.allocate(capacity: a.count)
                a.withUnsafeBufferPointer { p.initialize(from: $0.baseAddress!, count: a.count) }
                return p
            }
            var vals: UnsafeMutablePointer<JSONValue>?
            let nv = columns[s].segments.reduce(0) { $0 + $1.count }
            if nv > 0 {
                let p = UnsafeMutablePointer<JSONValue>.allocate(capacity: nv)
                var at = 0
                for k in columns[s].segments.indices where !columns[s].segments[k].isEmpty {
                    let m = columns[s].segments[k].count
                    columns[s].segments[k].withUnsafeMutableBufferPointer { src in
                        (p + at).moveInitialize(from: src.baseAddress!, count: m)
                        src.baseAddress!.initialize(repeating: .null, count: m)  // trivial values left behind
                    }
                    at += m
                }
                vals = p
            }
            (cursors + s).initialize(to: Cursor(defs: copy(columns[s].defs), reps: copy(columns[s].reps), values: vals, count: columns[s].count,
                                                nvalues: nv, maxDef: maxDef[s]))
        }
    }

    deinit {
        for s in 0..<ncols {
            let c = cursors[s]
            c.defs?.deallocate()
            c.reps?.deallocate()
            if let v = c.values {
                // Values before `vi` were moved out or released by `skip`.
                if c.vi < c.nvalues { (v + c.vi).deinitialize(count: c.nvalues - c.vi) }
                v.deallocate()
            }
        }
        cursors.deinitialize(count: ncols)
        cursors.deallocate()
    }

    @inline(__always)
    func peekDef(_ s: Int) throws -> Int {
        let c = cursors + s
        guard c.pointee.li < c.pointee.count else {
            throw AssemblyError(reason: "column has fewer level entries than the rows need", slot: s)
        }
        guard let d = c.pointee.defs else { return 0 }
        return Int(d[c.pointee.li])
    }

    /// Repetition level of the next entry, or nil at the end of the chunk.
    @inline(__always)
    func peekRep(_ s: Int) -> Int? {
        let c = cursors + s
        guard c.pointee.li < c.pointee.count else { return nil }
        guard let r = c.pointee.reps else { return 0 }
        return Int(r[c.pointee.li])
    }

    /// Number of elements of the list starting at leaf `s`'s cursor: entries up to the next
    /// repetition level below `repRep`, counting those at `repRep` (deeper ones belong to
    /// nested lists). Used only to size the array.
    @inline(__always)
    func listLength(_ s: Int, repRep: Int) -> Int {
        let c = cursors + s
        guard let r = c.pointee.reps else { return 1 }
        var n = 1
        var i = c.pointee.li + 1
        let end = c.pointee.count
        let rr = UInt8(truncatingIfNeeded: repRep)
        while i < end {
            let v = r[i]
            if v < rr { break }
            if v == rr { n += 1 }
            i += 1
        }
        return n
    }

    /// Consumes one level entry in every leaf of `n` (n is null or empty here).
    func skip(_ n: Node) throws {
        for s in n.slots {
            let d = try peekDef(s)
            let c = cursors + s
            c.pointee.li += 1
            if d >= c.pointee.maxDef && c.pointee.vi < c.pointee.nvalues {
                (c.pointee.values! + c.pointee.vi).deinitialize(count: 1)
                c.pointee.vi += 1
            }
        }
    }

    /// Moves the next value of leaf `s` out.
    @inline(__always)
    func take(_ s: Int) throws -> JSONValue {
        let d = try peekDef(s)
        let c = cursors + s
        guard d >= c.pointee.maxDef else { throw AssemblyError(reason: "required value is missing (definition level \(d))", slot: s) }
        let v = c.pointee.vi
        guard v < c.pointee.nvalues else { throw AssemblyError(reason: "more defined levels than values", slot: s) }
        c.pointee.li += 1
        c.pointee.vi = v + 1
        return (c.pointee.values! + v).move()
    }

    func value(_ n: Node) throws -> JSONValue {
        if n.nullable {
            if try peekDef(n.firstSlot) < n.def { try skip(n); return .null }
        }
        switch n.kind {
        case .leaf(let s):
            return try take(s)
        case .structure(let fields):
            var o = JSONObject()
            o.entries.reserveCapacity(fields.count)
            for f in fields { o.entries.append((key: f.name, value: try value(f.node))) }
            return .object(o)
        case .list(let element, let repDef, let repRep):
            if try peekDef(n.firstSlot) < repDef { try skip(n); return .array([]) }
            var out: [JSONValue] = []
            out.reserveCapacity(listLength(n.firstSlot, repRep: repRep))
            repeat {
                out.append(try value(element))
            } while peekRep(n.firstSlot) == repRep
            return .array(out)
        case .map(let key, let val, let repDef, let repRep):
            if try peekDef(n.firstSlot) < repDef { try skip(n); return .array([]) }
            var out: [JSONValue] = []
            out.reserveCapacity(listLength(n.firstSlot, repRep: repRep))
            repeat {
                let k = try value(key)
                let v = try value(val)
                out.append(.array([k, v]))
            } while peekRep(n.firstSlot) == repRep
            return .array(out)
        }
    }

    /// Checks that every leaf was consumed exactly (called after the last row of the group).
    func checkFinished() throws {
        for s in 0..<ncols {
            let c = cursors[s]
            if c.li != c.count {
                throw AssemblyError(reason: "\(c.count - c.li) level entries left over after the last row", slot: s)
            }
            if c.vi != c.nvalues {
                throw AssemblyError(reason: "\(c.nvalues - c.vi) values left over after the last row", slot: s)
            }
        }
    }
}
