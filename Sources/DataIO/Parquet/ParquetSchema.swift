/// The schema tree of a Parquet file, rebuilt from the footer's flattened `SchemaElement`
/// list (depth-first, each group followed by its `num_children` children).
///
/// Reference: https://github.com/apache/parquet-format/blob/master/LogicalTypes.md (nested
/// types, backward-compatibility rules for LIST and MAP) and the Dremel paper
/// (https://research.google/pubs/dremel-interactive-analysis-of-web-scale-datasets-2/) for
/// definition and repetition levels.
public struct ParquetSchemaNode: Sendable {
    /// Field name as stored in the file.
    public var name: String
    /// REQUIRED, OPTIONAL or REPEATED.
    public var repetition: ParquetRepetition
    /// nil for groups.
    public var physicalType: ParquetPhysicalType?
    /// Byte width of FIXED_LEN_BYTE_ARRAY values.
    public var typeLength: Int
    /// Logical type (from `LogicalType`, else the legacy `ConvertedType`).
    public var logicalType: ParquetLogicalType?
    /// Child fields of a group, in file order.
    public var children: [ParquetSchemaNode]
    /// Names from the root's child down to this node (the column path for leaves).
    public var path: [String]
    /// Definition level of this node when present, and its repetition level.
    public var maxDefinitionLevel: Int
    public var maxRepetitionLevel: Int
    /// Index of this subtree's first leaf among all leaves (column chunk order), and the count.
    public var firstLeaf: Int
    public var leafCount: Int

    public var isLeaf: Bool { physicalType != nil }
    public var dottedPath: String { path.joined(separator: ".") }
}

/// A Parquet file's schema: the root's children are the top-level columns.
public struct ParquetSchema: Sendable, CustomStringConvertible {
    public var root: ParquetSchemaNode
    /// All leaves in column-chunk order.
    public var leaves: [ParquetSchemaNode]

    public var fields: [ParquetSchemaNode] { root.children }

    struct BuildError: Error { var reason: String }

    init(elements: [SchemaElement]) throws {
        guard let first = elements.first else { throw BuildError(reason: "empty schema") }
        guard first.type == nil else { throw BuildError(reason: "schema root is not a group") }
        var index = 0
        var leaves: [ParquetSchemaNode] = []
        func build(parentPath: [String], def: Int, rep: Int, depth: Int, isRoot: Bool) throws -> ParquetSchemaNode {
            guard depth < 128 else { throw BuildError(reason: "schema nested deeper than 128") }
            guard index < elements.count else { throw BuildError(reason: "schema ends early (num_children too large)") }
            let e = elements[index]
            index += 1
            let path = isRoot ? [] : parentPath + [e.name]
            let myDef = isRoot ? 0 : def + (e.repetition == .required ? 0 : 1)
            let myRep = isRoot ? 0 : rep + (e.repetition == .repeated ? 1 : 0)
            guard myDef <= 255, myRep <= 255 else { throw BuildError(reason: "schema nesting exceeds 255 levels") }
            var node = ParquetSchemaNode(
                name: e.name, repetition: isRoot ? .required : e.repetition, physicalType: e.type,
                typeLength: Int(e.typeLength), logicalType: ParquetSchema.logical(e), children: [], path: path,
                maxDefinitionLevel: myDef, maxRepetitionLevel: myRep, firstLeaf: leaves.count, leafCount: 0)
            if e.type == nil {
                guard e.numChildren >= 0, Int(e.numChildren) <= elements.count - index else {
                    throw BuildError(reason: "group '\(e.name)' claims \(e.numChildren) children")
                }
                for _ in 0..<Int(e.numChildren) {
                    node.children.append(try build(parentPath: path, def: myDef, rep: myRep, depth: depth + 1, isRoot: false))
                }
            } else {
                if e.type == .fixedLenByteArray && e.typeLength < 0 {
                    throw BuildError(reason: "negative FIXED_LEN_BYTE_ARRAY length for '\(e.name)'")
                }
                leaves.append(node)
            }
            node.leafCount = leaves.count - node.firstLeaf
            return node
        }
        root = try build(parentPath: [], def: 0, rep: 0, depth: 0, isRoot: true)
        guard index == elements.count else { throw BuildError(reason: "schema has \(elements.count - index) stray elements") }
        self.leaves = leaves
    }

    /// Merges `LogicalType` with the legacy `ConvertedType` (LogicalTypes.md, "ConvertedType").
    static func logical(_ e: SchemaElement) -> ParquetLogicalType? {
        if let l = e.logicalType, l != .unknown { return l }
        guard let c = e.convertedType else { return nil }
        switch c {
        case 0: return .string
        case 1: return .map
        case 2: return .mapKeyValue
        case 3: return .list
        case 4: return .enumeration
        case 5: return .decimal(scale: Int(e.scale), precision: Int(e.precision))
        case 6: return .date
        case 7: return .time(utc: true, unit: 1)
        case 8: return .time(utc: true, unit: 2)
        case 9: return .timestamp(utc: true, unit: 1)
        case 10: return .timestamp(utc: true, unit: 2)
        case 11...14: return .integer(bits: 8 << (Int(c) - 11), signed: false)
        case 15...18: return .integer(bits: 8 << (Int(c) - 15), signed: true)
        case 19: return .json
        case 20: return .bson
        case 21: return .interval
        default: return nil
        }
    }

    /// A readable schema in the style of pyarrow's `Schema.__str__`.
    public var description: String {
        var lines: [String] = []
        for f in fields {
            lines.append("\(f.name): \(ParquetSchema.typeString(f))")
            ParquetSchema.childLines(f, indent: "  ", into: &lines)
        }
        return lines.joined(separator: "\n")
    }

    static func childLines(_ n: ParquetSchemaNode, indent: String, into lines: inout [String]) {
        let kids = displayChildren(n)
        for (i, c) in kids.enumerated() {
            lines.append("\(indent)child \(i), \(c.name): \(typeString(c))")
            childLines(c, indent: indent + "    ", into: &lines)
        }
    }

    /// Children as Arrow shows them: a list's element, a map's key/value entries, a struct's fields.
    static func displayChildren(_ n: ParquetSchemaNode) -> [ParquetSchemaNode] {
        if n.isLeaf { return [] }
        switch ParquetAssembler.listElement(of: n) {
        case .some(let e): return [e]
        case .none: break
        }
        if let (k, v) = ParquetAssembler.mapEntries(of: n) { return [k, v] }
        if n.repetition == .repeated && n.isLeaf { return [] }
        return n.children
    }

    /// Arrow-style type of a field (`string`, `list<element: int64>`, `int64 not null`).
    static func typeString(_ n: ParquetSchemaNode) -> String {
        if n.repetition == .repeated && !n.path.isEmpty {
            // A bare repeated field is a non-null list of non-null elements.
            return "list<\(n.name): \(contentType(n)) not null> not null"
        }
        return contentType(n) + (n.repetition == .required && !n.path.isEmpty ? " not null" : "")
    }

    /// The node's type ignoring its own repetition.
    static func contentType(_ n: ParquetSchemaNode) -> String {
        if let p = n.physicalType {
            switch n.logicalType {
            case .string?, .enumeration?: return "string"
            case .json?: return "extension<arrow.json>"
            case .decimal(let s, let p)?: return "decimal128(\(p), \(s))"
            case .date?: return "date32[day]"
            case .timestamp(let utc, let unit)?:
                return "timestamp[\(["ms", "us", "ns"][max(0, min(2, unit - 1))])\(utc ? ", tz=UTC" : "")]"
            case .time(_, let unit)?: return unit == 1 ? "time32[ms]" : (unit == 2 ? "time64[us]" : "time64[ns]")
            case .integer(let bits, let signed)?: return "\(signed ? "" : "u")int\(bits)"
            default:
                switch p {
                case .boolean: return "bool"
                case .int32: return "int32"
                case .int64: return "int64"
                case .int96: return "timestamp[ns]"
                case .float: return "float"
                case .double: return "double"
                case .byteArray: return "binary"
                case .fixedLenByteArray: return "fixed_size_binary[\(n.typeLength)]"
                }
            }
        }
        if let e = ParquetAssembler.listElement(of: n) {
            if ParquetAssembler.elementIsRepeatedNode(list: n, repeated: n.children[0]) {
                return "list<\(e.name): \(contentType(e)) not null>"
            }
            return "list<\(e.name): \(typeString(e))>"
        }
        if let (k, v) = ParquetAssembler.mapEntries(of: n) { return "map<\(contentType(k)), \(contentType(v))>" }
        return "struct<" + n.children.map { "\($0.name): \(typeString($0))" }.joined(separator: ", ") + ">"
    }
}
