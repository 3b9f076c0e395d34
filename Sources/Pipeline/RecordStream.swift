/// Records of one pipeline input, in file order.
public protocol RecordStream: AnyObject {
    func next() throws -> StreamItem?
}
