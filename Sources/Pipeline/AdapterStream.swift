import DataIO
import Foundation
import Records

/// Records of one pipeline input: DataIO's `RecordReader` (rows through the input's adapter),
/// with bad lines and adapter errors turned into `.bad` items in file order.
final class AdapterStream: RecordStream {
    private let reader: RecordReader
    private var pending: [StreamItem] = []
    private let box = BadBox()

    final class BadBox: @unchecked Sendable { var items: [StreamItem] = [] }

    init(input: ResolvedPipeline.Input) throws {
        let config = AdapterConfig(source: input.source, domain: input.domain, fields: input.fields, options: input.options)
        let adapter = try AdapterRegistry.make(input.adapter, config: config)
        let box = self.box
        var o = RowSourceOptions()
        o.onBadLine = { b in box.items.append(.bad(reason: b.reason.rawValue, detail: b.detail, b.location)) }
        reader = try RecordReader(path: input.path, adapter: adapter, options: o)
    }

    /// Items in file order: bad lines reported while skipping to a row come before that row.
    func next() throws -> StreamItem? {
        while true {
            if !pending.isEmpty { return pending.removeFirst() }
            let item = try reader.next()
            pending += box.items
            box.items.removeAll()
            switch item {
            case nil: return pending.isEmpty ? nil : pending.removeFirst()
            case .record(let r, let loc)?: pending.append(.record(r, loc))
            case .error(let e, _)?: pending.append(.bad(reason: "adapter_error", detail: e.reason, e.location))
            }
        }
    }
}
