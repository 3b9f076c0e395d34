import DataIO
import Foundation
import Records

/// `--rejects FILE`: one JSON line per dropped record (stage, reason, id, source, location).
final class RejectSink {
    private let handle: FileHandle
    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw PipelineError("cannot create rejects file", at: SourceLocation(file: path))
        }
        handle = h
    }
    deinit { try? handle.close() }

    func write(stage: String, reason: String, detail: String? = nil, _ r: Record?, _ loc: SourceLocation) {
        var o = JSONObject()
        o["stage"] = .string(stage)
        o["reason"] = .string(reason)
        if let detail { o["detail"] = .string(detail) }
        if let r { o["id"] = .string(r.id); o["source"] = .string(r.source) }
        o["location"] = .string(loc.description)
        emit(o)
    }

    func writeBad(reason: String, detail: String, _ loc: SourceLocation) {
        emit(JSONObject([("stage", "read"), ("reason", .string(reason)), ("detail", .string(detail)), ("location", .string(loc.description))]))
    }

    private func emit(_ o: JSONObject) {
        var b: [UInt8] = []
        JSONWriter().write(.object(o), into: &b)
        b.append(0x0A)
        handle.write(Data(b))
    }
}
