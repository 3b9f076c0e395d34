/// Parquet footer and page-header structures, decoded from the Thrift compact protocol.
///
/// Field ids follow parquet.thrift:
/// https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift
/// Only the fields the reader uses are kept; everything else is skipped.

/// Physical types (parquet.thrift `Type`).
public enum ParquetPhysicalType: Int32, Sendable {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7

    var name: String {
        switch self {
        case .boolean: return "BOOLEAN"
        case .int32: return "INT32"
        case .int64: return "INT64"
        case .int96: return "INT96"
        case .float: return "FLOAT"
        case .double: return "DOUBLE"
        case .byteArray: return "BYTE_ARRAY"
        case .fixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY"
        }
    }
}

/// Field repetition (parquet.thrift `FieldRepetitionType`).
public enum ParquetRepetition: Int32, Sendable {
    case required = 0, optional = 1, repeated = 2
}

/// Logical type annotation, merged from `LogicalType` and the legacy `ConvertedType`.
public enum ParquetLogicalType: Sendable, Equatable {
    case string, json, enumeration, bson, uuid, float16
    case map, mapKeyValue, list
    case decimal(scale: Int, precision: Int)
    case date
    /// unit: 1 = millis, 2 = micros, 3 = nanos.
    case time(utc: Bool, unit: Int)
    case timestamp(utc: Bool, unit: Int)
    case integer(bits: Int, signed: Bool)
    case interval
    case unknown
}

enum ParquetCodec: Int32 {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7
}

/// Column encodings (parquet.thrift `Encoding`).
enum ParquetEncoding: Int32 {
    case plain = 0, groupVarInt = 1, plainDictionary = 2, rle = 3, bitPacked = 4
    case deltaBinaryPacked = 5, deltaLengthByteArray = 6, deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9
}

struct SchemaElement {
    var type: ParquetPhysicalType?
    var typeLength: Int32 = 0
    var repetition: ParquetRepetition = .required
    var name: String = ""
    var numChildren: Int32 = 0
    var convertedType: Int32?
    var scale: Int32 = 0
    var precision: Int32 = 0
    var logicalType: ParquetLogicalType?
}

struct ColumnMetaData {
    var type: Int32 = 0
    var path: [String] = []
    var codec: Int32 = 0
    var numValues: Int64 = 0
    var totalCompressedSize: Int64 = 0
    var dataPageOffset: Int64 = 0
    var dictionaryPageOffset: Int64?
}

struct RowGroupMeta {
    var columns: [ColumnMetaData?] = []
    var numRows: Int64 = 0
}

struct FileMetaData {
    var schema: [SchemaElement] = []
    var numRows: Int64 = 0
    var rowGroups: [RowGroupMeta] = []
    var keyValue: [(String, String)] = []
    var createdBy: String?
}

enum PageType: Int32 { case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3 }

struct PageHeader {
    var type: Int32 = -1
    var uncompressedSize: Int32 = -1
    var compressedSize: Int32 = -1
    // Data page v1 / v2 and dictionary page fields, merged.
    var numValues: Int32 = -1
    var encoding: Int32 = 0
    var defEncoding: Int32 = 3
    var repEncoding: Int32 = 3
    var numNulls: Int32 = 0
    var numRows: Int32 = 0
    var defLevelsByteLength: Int32 = 0
    var repLevelsByteLength: Int32 = 0
    var isCompressed = true
}

extension ThriftCompactReader {
    mutating func readFileMetaData() throws -> FileMetaData {
        var m = FileMetaData()
        try readStruct("FileMetaData", required: [(1, .i32), (2, .list), (3, .i64), (4, .list)]) { r, id, t in
            switch (id, t) {
            case (2, .list): try r.readList { r, _ in m.schema.append(try r.readSchemaElement()) }
            case (3, _): m.numRows = try r.readI64(t)
            case (4, .list): try r.readList { r, _ in m.rowGroups.append(try r.readRowGroup()) }
            case (5, .list):
                try r.readList { r, _ in
                    var k = "", v = ""
                    try r.readStruct { r, id, t in
                        switch (id, t) {
                        case (1, .binary): k = try r.readString()
                        case (2, .binary): v = try r.readString()
                        default: try r.skip(t)
                        }
                    }
                    m.keyValue.append((k, v))
                }
            case (6, .binary): m.createdBy = try r.readString()
            default: try r.skip(t)
            }
        }
        return m
    }

    mutating func readSchemaElement() throws -> SchemaElement {
        var e = SchemaElement()
        try readStruct("SchemaElement", required: [(4, .binary)]) { r, id, t in
            switch (id, t) {
            case (1, _):
                let v = try r.readI32(t)
                guard let p = ParquetPhysicalType(rawValue: v) else { throw r.fail("unknown physical type \(v)") }
                e.type = p
            case (2, _): e.typeLength = try r.readI32(t)
            case (3, _):
                let v = try r.readI32(t)
                guard let rep = ParquetRepetition(rawValue: v) else { throw r.fail("unknown repetition \(v)") }
                e.repetition = rep
            case (4, .binary): e.name = try r.readString()
            case (5, _): e.numChildren = try r.readI32(t)
            case (6, _): e.convertedType = try r.readI32(t)
            case (7, _): e.scale = try r.readI32(t)
            case (8, _): e.precision = try r.readI32(t)
            case (10, .structure): e.logicalType = try r.readLogicalType()
            default: try r.skip(t)
            }
        }
        return e
    }

    /// The `LogicalType` union; unknown members become `.unknown`.
    mutating func readLogicalType() throws -> ParquetLogicalType {
        var result = ParquetLogicalType.unknown
        try readStruct { r, id, t in
            guard t == .structure else { try r.skip(t); return }
            switch id {
            case 1: result = .string
            case 2: result = .map
            case 3: result = .list
            case 4: result = .enumeration
            case 6: result = .date
            case 12: result = .json
            case 13: result = .bson
            case 14: result = .uuid
            case 15: result = .float16
            case 5:
                var scale = 0, precision = 0
                try r.readStruct { r, id, t in
                    switch id {
                    case 1: scale = Int(try r.readI32(t))
                    case 2: precision = Int(try r.readI32(t))
                    default: try r.skip(t)
                    }
                }
                result = .decimal(scale: scale, precision: precision)
                return
            case 7, 8:
                var utc = false, unit = 0
                try r.readStruct { r, fid, ft in
                    switch (fid, ft) {
                    case (1, .boolTrue), (1, .boolFalse): utc = r.boolField()
                    case (2, .structure):
                        try r.readStruct { r, uid, ut in unit = Int(uid); try r.skip(ut) }
                    default: try r.skip(ft)
                    }
                }
                result = id == 7 ? .time(utc: utc, unit: unit) : .timestamp(utc: utc, unit: unit)
                return
            case 10:
                var bits = 0, signed = true
                try r.readStruct { r, fid, ft in
                    switch (fid, ft) {
                    case (1, .byte): bits = Int(Int8(bitPattern: try r.readByte()))
                    case (2, .boolTrue), (2, .boolFalse): signed = r.boolField()
                    default: try r.skip(ft)
                    }
                }
                result = .integer(bits: bits, signed: signed)
                return
            default: result = .unknown
            }
            try r.skip(t)
        }
        return result
    }

    mutating func readRowGroup() throws -> RowGroupMeta {
        var g = RowGroupMeta()
        try readStruct("RowGroup", required: [(1, .list), (2, .i64), (3, .i64)]) { r, id, t in
            switch (id, t) {
            case (1, .list): try r.readList { r, _ in g.columns.append(try r.readColumnChunk()) }
            case (3, _): g.numRows = try r.readI64(t)
            default: try r.skip(t)
            }
        }
        return g
    }

    mutating func readColumnChunk() throws -> ColumnMetaData? {
        var meta: ColumnMetaData?
        try readStruct("ColumnChunk", required: [(2, .i64)]) { r, id, t in
            switch (id, t) {
            case (3, .structure): meta = try r.readColumnMetaData()
            default: try r.skip(t)
            }
        }
        return meta
    }

    mutating func readColumnMetaData() throws -> ColumnMetaData {
        var c = ColumnMetaData()
        try readStruct("ColumnMetaData", required: [(1, .i32), (2, .list), (3, .list), (4, .i32), (5, .i64), (6, .i64), (7, .i64), (9, .i64)]) { r, id, t in
            switch (id, t) {
            case (1, _): c.type = try r.readI32(t)
            case (3, .list): try r.readList { r, _ in c.path.append(try r.readString()) }
            case (4, _): c.codec = try r.readI32(t)
            case (5, _): c.numValues = try r.readI64(t)
            case (7, _): c.totalCompressedSize = try r.readI64(t)
            case (9, _): c.dataPageOffset = try r.readI64(t)
            case (11, _): c.dictionaryPageOffset = try r.readI64(t)
            default: try r.skip(t)
            }
        }
        return c
    }

    mutating func readPageHeader() throws -> PageHeader {
        var h = PageHeader()
        try readStruct("PageHeader", required: [(1, .i32), (2, .i32), (3, .i32)]) { r, id, t in
            switch (id, t) {
            case (1, _): h.type = try r.readI32(t)
            case (2, _): h.uncompressedSize = try r.readI32(t)
            case (3, _): h.compressedSize = try r.readI32(t)
            case (5, .structure), (7, .structure):  // data page v1 / dictionary page
                let v1 = id == 5
                try r.readStruct(v1 ? "DataPageHeader" : "DictionaryPageHeader",
                                 required: v1 ? [(1, .i32), (2, .i32), (3, .i32), (4, .i32)] : [(1, .i32), (2, .i32)]) { r, id, t in
                    switch id {
                    case 1: h.numValues = try r.readI32(t)
                    case 2: h.encoding = try r.readI32(t)
                    case 3 where id == 3 && t != .boolTrue && t != .boolFalse: h.defEncoding = try r.readI32(t)
                    case 4: h.repEncoding = try r.readI32(t)
                    default: try r.skip(t)
                    }
                }
            case (8, .structure):
                try r.readStruct("DataPageHeaderV2", required: [(1, .i32), (2, .i32), (3, .i32), (4, .i32), (5, .i32), (6, .i32)]) { r, id, t in
                    switch (id, t) {
                    case (1, _): h.numValues = try r.readI32(t)
                    case (2, _): h.numNulls = try r.readI32(t)
                    case (3, _): h.numRows = try r.readI32(t)
                    case (4, _): h.encoding = try r.readI32(t)
                    case (5, _): h.defLevelsByteLength = try r.readI32(t)
                    case (6, _): h.repLevelsByteLength = try r.readI32(t)
                    case (7, .boolTrue), (7, .boolFalse): h.isCompressed = r.boolField()
                    default: try r.skip(t)
                    }
                }
            default: try r.skip(t)
            }
        }
        return h
    }
}
