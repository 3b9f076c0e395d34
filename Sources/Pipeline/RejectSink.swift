import DataIO
import Foundation
import Records

/// `--rejects FILE`: one JSON line per dropped record (stage, reason, id, source, location),
/// written through DataIO's `RejectsWriter` (the one rejects writer; `eaft inspect` uses it too).
final class RejectSink {
    private let writer: RejectsWriter
    init(path: String) throws {
        do { writer = try RejectsWriter(path: path) } catch let e as DataIOError { throw PipelineError(e) }
    }
    deinit { writer.flush() }

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

    private func emit(_ o: JSONObject) { writer.write(.object(o)) }
}
