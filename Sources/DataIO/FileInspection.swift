import Dispatch
import Foundation
import Records

/// `eaft inspect`: a dataset file's stored rows, or its records normalised by an adapter,
/// plus reader statistics. Bad lines, adapter errors and stream errors go to `warn` (the
/// first 20 bad lines and adapter errors), never to the row output.
public struct FileInspection {
    /// What to show.
    public struct Options {
        /// Rows or records to print (0 = none).
        public var limit = 5
        /// Stored rows only (no `# ` header lines).
        public var raw = false
        /// Normalise rows with this adapter and print Records.
        public var adapter: (name: String, config: AdapterConfig)?
        /// Read the whole file (even past `limit`) and report reader statistics.
        public var stats = false
        /// Longest accepted JSONL line in bytes.
        public var maxLineBytes = 64 << 20
        /// Write rejected lines (and adapter errors) to this JSONL file.
        public var rejects: String?
        /// Parquet only: top-level columns to read (nil: all).
        public var columns: [String]?
        public init() {}
    }

    /// What a run found.
    public struct Outcome {
        /// Reader counters (with `seconds`, `mb_per_s`, adapter counts, `stream_errors`) when `stats` was asked for.
        public var stats: JSONValue?
        /// Damaged compressed streams or Parquet row groups met (the command then exits 1).
        public var streamErrors = 0
    }

    public var file: String
    public var options: Options

    public init(file: String, options: Options) {
        self.file = file
        self.options = options
    }

    /// Prints `# ` header lines (without `raw` or an adapter) to `header`, then rows or
    /// records to `row`.
    public func run(header: (String) -> Void, row: (JSONValue) -> Void, warn: @escaping (String) -> Void) throws -> Outcome {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let o = options
        let rejectsWriter = try o.rejects.map { try RejectsWriter(path: $0) }
        var badShown = 0
        var opts = RowSourceOptions()
        opts.jsonl.maxLineBytes = o.maxLineBytes
        opts.rejects = rejectsWriter
        opts.columns = o.columns
        opts.onBadLine = { b in
            if badShown < 20 { warn("bad line: \(b)") }
            badShown += 1
        }
        let format = try RowFormat.detect(path: file)
        let it = try RowSource.open(path: file, options: opts)
        if !o.raw && o.adapter == nil {
            header("# file: \(file)")
            header("# format: \(format.rawValue)\(format == .jsonl ? ", compression: \(try StreamCompression.detect(path: file).rawValue)" : "")")
            for h in it.headerLines { header("# \(h)") }
        }
        let recordAdapter = try o.adapter.map { try AdapterRegistry.make($0.name, config: $0.config) }
        var printed = 0, records = 0, adapterErrors = 0, index = 0
        var outcome = Outcome()
        while printed < o.limit || o.stats {
            let next: (row: JSONValue, location: SourceLocation)?
            do { next = try it.next() } catch let e as DataIOError {
                // JSONL ends after a stream error; Parquet continues with the next row group.
                warn("error: \(e)")
                outcome.streamErrors += 1
                if outcome.streamErrors >= 1000 { break }
                continue
            }
            guard let (value, loc) = next else { break }
            defer { index += 1 }
            if let a = recordAdapter {
                do {
                    let r = try a.record(from: value, index: index, location: loc)
                    records += 1
                    if printed < o.limit { row(RecordJSON.encode(r)); printed += 1 }
                } catch let e as DataIOError {
                    adapterErrors += 1
                    if adapterErrors <= 20 { warn("record error: \(e)") }
                    rejectsWriter?.write(.object(JSONObject([
                        ("file", .string(loc.file)), ("line", loc.line.map { .int(Int64($0)) } ?? .null),
                        ("offset", loc.byteOffset.map { .int($0) } ?? .null), ("record", .int(Int64(index))),
                        ("reason", .string("adapter_error")), ("detail", .string(e.description)),
                    ])))
                }
            } else if printed < o.limit {
                row(value)
                printed += 1
            }
        }
        rejectsWriter?.flush()
        if o.stats {
            let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            guard case .object(var s) = it.stats.json else { return outcome }
            s["seconds"] = .double((secs * 1000).rounded() / 1000)
            s["mb_per_s"] = .double(((Double(it.stats.bytes) / 1e6 / max(secs, 1e-9)) * 10).rounded() / 10)
            if recordAdapter != nil {
                s["records"] = .int(Int64(records))
                s["adapter_errors"] = .int(Int64(adapterErrors))
            }
            s["stream_errors"] = .int(Int64(outcome.streamErrors))
            outcome.stats = .object(s)
        }
        return outcome
    }
}
