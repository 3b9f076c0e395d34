import Records

/// Turns one raw row (a JSON object from JSONL or Parquet) into a normalised `Record`.
///
/// Adapters are configured by data (`AdapterConfig`): which dotted path in the row holds
/// each logical field, plus a few options. A missing required field or a value of the wrong
/// type is a `DataIOError` naming the record (file:line, row index) and the field.
/// Each adapter documents its fields and options in `schemas/adapters.md`.
public protocol RecordAdapter: Sendable {
    /// Registry name (`gsm8k`, `math`, `mcq`, ...).
    static var name: String { get }
    /// Domain used when the config does not set one.
    static var defaultDomain: Domain { get }
    /// Logical fields this adapter reads, with default paths and whether they are required.
    static var fieldSpecs: [FieldSpec] { get }
    /// Adapter-specific option keys (the common ones are in `AdapterContext.commonOptionKeys`).
    static var optionKeys: [String] { get }

    init(config: AdapterConfig) throws

    /// Normalises `row`; `index` is the 0-based row index in its file, `location` where it came from.
    func record(from row: JSONValue, index: Int, location: SourceLocation) throws -> Record
}

/// One logical field of an adapter.
public struct FieldSpec: Sendable, Equatable {
    public var name: String
    /// Default dotted path into the row; nil = unset unless the config maps it.
    public var defaultPath: String?
    public var required: Bool
    public var help: String

    public init(_ name: String, _ defaultPath: String?, required: Bool, _ help: String) {
        self.name = name
        self.defaultPath = defaultPath
        self.required = required
        self.help = help
    }
}

/// How one dataset is normalised: written in the pipeline YAML as
/// `{adapter: math, source: numina, domain: math, fields: {problem: Question}, options: {...}}`.
public struct AdapterConfig: Sendable, Codable, Equatable {
    /// Dataset name recorded in every `Record.source` (and in generated ids `<source>:<row>`).
    public var source: String
    /// Domain of the records; nil = the adapter's default.
    public var domain: Domain?
    /// Logical field → dotted path in the row (`messages.0.content`, `options.A`). Overrides defaults.
    public var fields: [String: String]
    /// Adapter options (unknown keys are errors).
    public var options: [String: JSONValue]

    public init(source: String, domain: Domain? = nil, fields: [String: String] = [:], options: [String: JSONValue] = [:]) {
        self.source = source
        self.domain = domain
        self.fields = fields
        self.options = options
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case source, domain, fields, options }

    /// Strict decoding: unknown keys are errors (a misspelt `feilds:` must not be ignored).
    public init(from decoder: Decoder) throws {
        try StrictDecoding.rejectUnknownKeys(in: decoder, known: CodingKeys.allCases.map(\.rawValue), what: "adapter config")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.decode(String.self, forKey: .source)
        domain = try c.decodeIfPresent(Domain.self, forKey: .domain)
        fields = try c.decodeIfPresent([String: String].self, forKey: .fields) ?? [:]
        options = try c.decodeIfPresent([String: JSONValue].self, forKey: .options) ?? [:]
    }
}

/// Name → adapter type. The only place adapter names turn into types.
public enum AdapterRegistry {
    public static let all: [any RecordAdapter.Type] = [
        GSM8KAdapter.self, MathAdapter.self, MCQAdapter.self, PubMedQAAdapter.self, HuatuoO1Adapter.self,
        OpenAIAdapter.self, ShareGPTAdapter.self, AlpacaAdapter.self, BFCLAdapter.self,
    ]

    public static var names: [String] { all.map { $0.name } }

    public static func type(named name: String) -> (any RecordAdapter.Type)? {
        all.first { $0.name == name }
    }

    /// Builds the adapter `name` from `config`; unknown names, fields or options are errors.
    public static func make(_ name: String, config: AdapterConfig) throws -> any RecordAdapter {
        guard let t = type(named: name) else {
            throw DataIOError("unknown adapter '\(name)'", at: SourceLocation(file: config.source),
                              hint: "known adapters: \(names.joined(separator: ", "))")
        }
        return try t.init(config: config)
    }
}

extension RecordAdapter {
    /// The validated context of this adapter type for `config`.
    static func context(_ config: AdapterConfig) throws -> AdapterContext {
        try AdapterContext(adapter: name, specs: fieldSpecs, optionKeys: optionKeys, defaultDomain: defaultDomain, config: config)
    }
}
