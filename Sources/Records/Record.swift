/// The domain a record belongs to; audits and quotas group by it.
public enum Domain: String, Sendable, Codable, Equatable, Hashable, CaseIterable {
    case math, medical, agent, general
}

/// Conversation roles after normalisation. ShareGPT `human`/`gpt`/`function_call`/
/// `observation` map onto these (observation → tool).
public enum Role: String, Sendable, Codable, Equatable, Hashable, CaseIterable {
    case system, user, assistant, tool
}

/// One function call made by the assistant. `arguments` is the parsed JSON object
/// (OpenAI stores it as a JSON string; adapters parse it, keeping key order).
public struct ToolCall: Sendable, Codable, Equatable, Hashable {
    public var id: String?
    public var name: String
    public var arguments: JSONValue

    public init(id: String? = nil, name: String, arguments: JSONValue) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// One conversation turn.
public struct Message: Sendable, Codable, Equatable, Hashable {
    public var role: Role
    /// Visible text of the turn ("" when an assistant turn only calls tools).
    public var content: String
    /// Chain-of-thought kept apart from the answer (Qwen3 `<think>`), if the source has it.
    public var reasoning: String?
    /// Tool calls made by an assistant turn.
    public var toolCalls: [ToolCall]
    /// For a tool turn: the id of the call it answers.
    public var toolCallID: String?
    /// For a tool turn: the function name, when the source gives it.
    public var name: String?

    public init(
        role: Role, content: String, reasoning: String? = nil, toolCalls: [ToolCall] = [],
        toolCallID: String? = nil, name: String? = nil
    ) {
        self.role = role
        self.content = content
        self.reasoning = reasoning
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case role, content, reasoning
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
        case name
    }
}

/// What a verifier compares the response against.
public struct Reference: Sendable, Codable, Equatable, Hashable {
    public enum Kind: String, Sendable, Codable, Equatable, Hashable {
        /// A final answer (math): `answer` holds it.
        case answer
        /// A multiple-choice answer: `choice` is the option key ("C"), `options` the option texts.
        case choice
        /// Expected tool calls: `toolCalls`, each argument a list of allowed values (BFCL style)
        /// or a plain value.
        case toolCalls = "tool_calls"
    }

    public var kind: Kind
    public var answer: String?
    public var choice: String?
    /// Option key → text, in source order.
    public var options: [Option]?
    public var toolCalls: [ToolCall]?

    public struct Option: Sendable, Codable, Equatable, Hashable {
        public var key: String
        public var text: String
        public init(key: String, text: String) {
            self.key = key
            self.text = text
        }
    }

    public init(kind: Kind, answer: String? = nil, choice: String? = nil, options: [Option]? = nil,
                toolCalls: [ToolCall]? = nil) {
        self.kind = kind
        self.answer = answer
        self.choice = choice
        self.options = options
        self.toolCalls = toolCalls
    }

    public static func answer(_ a: String) -> Reference { Reference(kind: .answer, answer: a) }

    enum CodingKeys: String, CodingKey {
        case kind, answer, choice, options
        case toolCalls = "tool_calls"
    }
}

/// A normalised training example: a conversation plus what is needed to verify it.
public struct Record: Sendable, Codable, Equatable, Hashable {
    /// Stable id: the source's own id, or `<source>:<row index>`.
    public var id: String
    /// Dataset name as configured in the pipeline (e.g. `gsm8k-train`).
    public var source: String
    public var domain: Domain
    public var messages: [Message]
    /// Tool (function) schemas in OpenAI form `{type: function, function: {name, description, parameters}}`.
    public var tools: [JSONValue]
    public var reference: Reference?
    /// Anything else worth keeping (source row fields, original split, ...).
    public var metadata: JSONObject

    public init(id: String, source: String, domain: Domain, messages: [Message], tools: [JSONValue] = [],
                reference: Reference? = nil, metadata: JSONObject = JSONObject()) {
        self.id = id
        self.source = source
        self.domain = domain
        self.messages = messages
        self.tools = tools
        self.reference = reference
        self.metadata = metadata
    }

    /// The last assistant message's content, the usual thing to verify.
    public var finalAssistantContent: String? {
        messages.last(where: { $0.role == .assistant })?.content
    }
}

extension JSONObject: Codable {
    public init(from decoder: Decoder) throws {
        let v = try JSONValue(from: decoder)
        guard case .object(let o) = v else {
            throw DecodingError.typeMismatch(JSONObject.self, .init(codingPath: decoder.codingPath, debugDescription: "expected an object"))
        }
        self = o
    }
    public func encode(to encoder: Encoder) throws { try JSONValue.object(self).encode(to: encoder) }
}
