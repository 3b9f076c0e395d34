import ArgumentParser
import DataIO
import Foundation
import Records

/// Buffered stdout writer of JSON lines.
final class StdoutLines {
    private var buf: [UInt8] = []
    init() { buf.reserveCapacity(1 << 16) }
    func line(_ s: String) {
        buf.append(contentsOf: s.utf8)
        buf.append(0x0A)
        if buf.count >= 1 << 16 { flush() }
    }
    func json(_ v: JSONValue) {
        JSONWriter().write(v, into: &buf)
        buf.append(0x0A)
        if buf.count >= 1 << 16 { flush() }
    }
    func flush() {
        if !buf.isEmpty { FileHandle.standardOutput.write(Data(buf)); buf.removeAll(keepingCapacity: true) }
    }
}
