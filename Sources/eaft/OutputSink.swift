import Foundation

/// Standard output or a file written to a temporary name and renamed on close.
final class OutputSink {
    private let fh: FileHandle
    private let tmp: String?
    private let path: String?
    private var pending = ""

    init(path: String?) throws {
        self.path = path
        if let path {
            let t = path + ".tmp-\(getpid())"
            guard FileManager.default.createFile(atPath: t, contents: nil), let h = FileHandle(forWritingAtPath: t) else {
                throw ModelCLIError("cannot create \(t)")
            }
            fh = h
            tmp = t
        } else {
            fh = FileHandle.standardOutput
            tmp = nil
        }
    }

    func write(_ s: String) {
        pending += s
        if pending.utf8.count > 1 << 20 { drain() }
    }

    private func drain() {
        fh.write(pending.data(using: .utf8)!)
        pending = ""
    }

    func close() {
        drain()
        if let tmp, let path {
            try? fh.close()
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.moveItem(atPath: tmp, toPath: path)
        }
    }
}
