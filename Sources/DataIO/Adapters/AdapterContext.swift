import Records

/// Validated adapter configuration shared by every adapter: resolved field paths, typed
/// option access, the common options (`system`, `metadata`) and record assembly.
public struct AdapterContext: Sendable {
    public let adapter: String
    public let source: String
    public let domain: Domain
    /// Logical field → path (defaults merged with the config).
    public let paths: [String: String]
    public let options: [String: JSONValue]
    /// System prompt added as the first message when the conversation has none.
    public let system: String?
    public let metadataMode: MetadataMode

    /// Options every adapter accepts.
    public static let commonOptionKeys = ["system", "metadata"]

    /// Which source fields are copied into `Record.metadata`.
    public enum MetadataMode: Sendable, Equatable {
        /// Unused top-level fields whose values are numbers, booleans, or strings of at most 200 characters (default).
        case scalars
        /// Every unused top-level field.
        case all
        case none
        /// These dotted paths (key = the path).
        case paths([String])
    }

    public init(adapter: String, specs: [FieldSpec], optionKeys: [String], defaultDomain: Domain, config: AdapterConfig) throws {
        self.adapter = adapter
        source = config.source
        domain = config.domain ?? defaultDomain
        let cfgLoc = SourceLocation(file: "adapter \(adapter) (source \(config.source))")
        var p: [String: String] = [:]
        for s in specs { if let d = s.defaultPath { p[s.name] = d } }
        for (k, v) in config.fields {
            guard specs.contains(where: { $0.name == k }) else {
                throw DataIOError("unknown field '\(k)'", at: cfgLoc,
                                  hint: "fields of \(adapter): \(specs.map(\.name).joined(separator: ", "))")
            }
            if v.isEmpty { p[k] = nil } else { p[k] = v }
        }
        paths = p
        let allowed = Set(optionKeys + AdapterContext.commonOptionKeys)
        for k in config.options.keys where !allowed.contains(k) {
            throw DataIOError("unknown option '\(k)'", at: cfgLoc,
                              hint: "options of \(adapter): \(allowed.sorted().joined(separator: ", "))")
        }
        options = config.options
        switch config.options["system"] {
        case nil, .null?: system = nil
        case .string(let s)?: system = s
        case let v?: throw DataIOError("option 'system' must be a string, got \(v.typeName)", at: cfgLoc)
        }
        switch config.options["metadata"] {
        case nil, .null?, .string("scalars")?: metadataMode = .scalars
        case .string("all")?: metadataMode = .all
        case .string("none")?: metadataMode = .none
        case .array(let a)?:
            let ps = a.compactMap(\.stringValue)
            guard ps.count == a.count else { throw DataIOError("option 'metadata' list must hold strings", at: cfgLoc) }
            metadataMode = .paths(ps)
        case let v?:
            throw DataIOError("option 'metadata' must be scalars, all, none or a list of paths; got \(v)", at: cfgLoc)
        }
    }

    var configLocation: SourceLocation { SourceLocation(file: "adapter \(adapter) (source \(source))") }

    // MARK: typed options

    public func bool(_ key: String, default d: Bool) throws -> Bool {
        switch options[key] {
        case nil, .null?: return d
        case .bool(let b)?: return b
        case .string("true")?: return true
        case .string("false")?: return false
        case let v?: throw DataIOError("option '\(key)' must be true or false, got \(v)", at: configLocation)
        }
    }

    public func string(_ key: String, default d: String?) throws -> String? {
        switch options[key] {
        case nil, .null?: return d
        case .string(let s)?: return s
        case let v?: throw DataIOError("option '\(key)' must be a string, got \(v.typeName)", at: configLocation)
        }
    }

    public func int(_ key: String, default d: Int) throws -> Int {
        switch options[key] {
        case nil, .null?: return d
        case let v?:
            if let i = v.intValue { return Int(i) }
            if let s = v.stringValue, let i = Int(s) { return i }
            throw DataIOError("option '\(key)' must be an integer, got \(v)", at: configLocation)
        }
    }

    public func choice(_ key: String, _ allowed: [String], default d: String) throws -> String {
        let v = try string(key, default: d) ?? d
        guard allowed.contains(v) else {
            throw DataIOError("option '\(key)' must be one of \(allowed.joined(separator: ", ")), got '\(v)'", at: configLocation)
        }
        return v
    }

    // MARK: record assembly

    /// Wraps a row for field access.
    public func row(_ value: JSONValue, index: Int, location: SourceLocation) throws -> RowFields {
        var loc = location
        loc.record = index
        guard case .object = value else {
            throw DataIOError("row is a JSON \(value.typeName), expected an object", at: loc)
        }
        return RowFields(value: value, location: loc, paths: paths, adapter: adapter)
    }

    /// Builds the record: id from the `id` field (or `<source>:<index>`), the system prompt,
    /// and metadata per `metadataMode` from the fields the adapter did not use.
    public func finish(_ r: inout RowFields, index: Int, messages: [Message], tools: [JSONValue] = [],
                       reference: Reference?, extra: JSONObject = JSONObject()) throws -> Record {
        var msgs = messages
        if let system, !msgs.contains(where: { $0.role == .system }) {
            msgs.insert(Message(role: .system, content: system), at: 0)
        }
        let id: String
        if paths["id"] != nil, let v = try r.scalarString("id") { id = v } else { id = "\(source):\(index)" }
        var meta = JSONObject()
        switch metadataMode {
        case .none: break
        case .paths(let ps):
            for p in ps { if let v = r.value.lookup(path: p) { meta[p] = v } }
        case .scalars, .all:
            if case .object(let o) = r.value {
                for e in o.entries where !r.consumed.contains(e.key) {
                    if metadataMode == .all { meta[e.key] = e.value; continue }
                    switch e.value {
                    case .int, .bigInt, .double, .bool: meta[e.key] = e.value
                    case .string(let s) where s.count <= 200: meta[e.key] = e.value
                    default: break
                    }
                }
            }
        }
        for e in extra.entries { meta[e.key] = e.value }
        return Record(id: id, source: source, domain: domain, messages: msgs, tools: tools, reference: reference, metadata: meta)
    }
}
