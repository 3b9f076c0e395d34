import Records

extension BPETrainer {
    /// Documents fed by `feedLines`, and the lines that could not be read.
    public struct FeedCounts: Sendable, Equatable {
        public var documents = 0
        public var errors = 0
        public var bytes = 0
        public init() {}
    }

    /// Feeds one training file's lines (`next` returns them, nil at the end). A `.jsonl` file
    /// (by `path`) gives the string at `field` (a dotted path) of each non-empty line; a line
    /// without it goes to `warn` (`path:line: error`) and is counted. Any other file gives each
    /// line with its newline as one document.
    public mutating func feedLines(next: () throws -> [UInt8]?, path: String, field: String,
                                   into counts: inout FeedCounts, warn: (String) -> Void) throws {
        let jsonl = path.hasSuffix(".jsonl")
        var lineNo = 0
        while let line = try next() {
            lineNo += 1
            if jsonl {
                if line.isEmpty { continue }
                do {
                    guard let text = try JSONParser.parse(line).lookup(path: field)?.stringValue else {
                        throw TokenizerError("field '\(field)' missing or not a string", at: "\(path):\(lineNo)")
                    }
                    feed(text)
                    counts.bytes += text.utf8.count
                } catch {
                    counts.errors += 1
                    warn("\(path):\(lineNo): \(error)")
                    continue
                }
            } else {
                let text = String(decoding: line, as: UTF8.self) + "\n"
                feed(text)
                counts.bytes += text.utf8.count
            }
            counts.documents += 1
        }
    }
}
