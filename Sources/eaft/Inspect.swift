import Core
import ArgumentParser
import DataIO
import Foundation
import Records

/// `eaft inspect FILE`: look at a dataset file as stored rows or as normalised records.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a JSONL / JSON / Parquet file's rows, or its records normalised by an adapter.",
        discussion: """
            stdout holds only JSON lines, one object per line:

            --raw: stored rows as read. JSONL: the parsed object, keys in file order. Parquet: pyarrow \
            to_pylist() values (null, base64 for binary, integers as integers, floats in shortest \
            round-trip form).

            --adapter NAME: normalised Records in their JSON form (schemas/records.md), keys in a stable \
            order: id, source, domain, messages, tools, reference, metadata.

            Neither: a header of '# ' lines (file, format, compression; for Parquet the row count, row \
            groups and schema), then the raw rows.

            --stats prints reader counters as one JSON object on stderr at the end (lines, rows, \
            blank_lines, bad lines by reason, bytes, seconds, mb_per_s; with --adapter also records and \
            adapter_errors) and reads the whole file even past --limit. Bad lines and adapter errors are \
            reported on stderr ('bad line: ...', 'record error: ...'), never on stdout. A damaged \
            compressed stream or Parquet row group is reported as 'error: ...' on stderr (JSONL stops \
            there after every good row before it; Parquet goes on with the next row group) and the \
            exit status is 1.

            Adapters: \(AdapterRegistry.names.joined(separator: ", ")).
            """)

    @Argument(help: "Input file: .jsonl / .json (JSON Lines or one JSON array), optionally gzip or zstd compressed (detected by magic bytes), or .parquet.")
    var file: String

    @Option(help: "Number of rows or records to print (0 = none).")
    var limit: Int = 5

    @Flag(help: "Print stored rows (pyarrow to_pylist() form for Parquet) one JSON object per line.")
    var raw = false

    @Option(help: "Normalise rows with this adapter and print Records.")
    var adapter: String?

    @Option(name: .customLong("map"), help: ArgumentHelp("Field mapping logical=path for the adapter (repeatable), e.g. --map question=Question.", valueName: "field=path"))
    var maps: [String] = []

    @Option(name: .customLong("option"), help: ArgumentHelp("Adapter option key=value (repeatable); the value is read as JSON when it parses, else as a string.", valueName: "key=value"))
    var adapterOptions: [String] = []

    @Option(help: "Record domain (math, medical, agent, general); default: the adapter's.")
    var domain: String?

    @Option(help: "Source name written into records (default: the file name).")
    var source: String?

    @Flag(help: "Print reader statistics as JSON on stderr at the end (reads the whole file).")
    var stats = false

    @Option(help: "Longest accepted JSONL line in bytes; longer lines are skipped and reported.")
    var maxLineBytes: Int = 64 << 20

    @Option(help: "Write rejected lines (and adapter errors) to this JSONL file.")
    var rejects: String?

    @Option(help: "Parquet only: comma-separated top-level columns to read (default: all).")
    var columns: String?

    func validate() throws {
        if raw && adapter != nil { throw ValidationError("--raw and --adapter are mutually exclusive") }
        if limit < 0 { throw ValidationError("--limit must be >= 0") }
        if adapter == nil && (!maps.isEmpty || !adapterOptions.isEmpty) {
            throw ValidationError("--map and --option need --adapter")
        }
    }

    func run() throws {
        var o = FileInspection.Options()
        o.limit = limit
        o.raw = raw
        o.adapter = try adapter.map { ($0, try adapterConfig()) }
        o.stats = stats
        o.maxLineBytes = maxLineBytes
        o.rejects = rejects
        o.columns = columns.map { $0.split(separator: ",").map { String($0) } }
        let out = StdoutLines()
        let outcome = try FileInspection(file: file, options: o).run(header: out.line, row: out.json) {
            Log.warning($0)
        }
        out.flush()
        if let s = outcome.stats { Log.info(JSONWriter().string(s)) }
        if outcome.streamErrors > 0 { throw ExitCode(1) }
    }

    /// The adapter settings from --map, --option, --domain and --source.
    func adapterConfig() throws -> AdapterConfig {
        var fields: [String: String] = [:]
        for m in maps {
            guard let eq = m.firstIndex(of: "=") else { throw ValidationError("--map expects field=path, got '\(m)'") }
            fields[String(m[..<eq])] = String(m[m.index(after: eq)...])
        }
        var options: [String: JSONValue] = [:]
        for o in adapterOptions {
            guard let eq = o.firstIndex(of: "=") else { throw ValidationError("--option expects key=value, got '\(o)'") }
            let v = String(o[o.index(after: eq)...])
            options[String(o[..<eq])] = (try? JSONParser.parse(v)) ?? .string(v)
        }
        var dom: Domain?
        if let domain {
            guard let d = Domain(rawValue: domain) else {
                throw ValidationError("unknown domain '\(domain)' (\(Domain.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            dom = d
        }
        let src = source ?? (file as NSString).lastPathComponent
        return AdapterConfig(source: src, domain: dom, fields: fields, options: options)
    }
}
