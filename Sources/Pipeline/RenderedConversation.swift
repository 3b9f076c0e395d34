import Records
/// A conversation rendered by the chat template: token ids and the assistant-only loss mask.
public struct RenderedConversation: Sendable, Equatable {
    public var ids: [TokenID]
    public var mask: [UInt8]
    public init(ids: [TokenID], mask: [UInt8]) { self.ids = ids; self.mask = mask }
    public var labelCount: Int { mask.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
}
