import Records

/// Chat template + tokenizer.
public protocol ConversationRendering: Sendable {
    func render(_ record: Record) throws -> RenderedConversation
}
