import Foundation
import Records

/// The `eaft tokenize` protocol: JSON lines in, one JSON array of token ids per line out, in
/// order (as Hugging Face tokenizers' `encode(text, add_special_tokens=False)` unless
/// `addSpecialTokens`). A line that is not JSON or lacks the text field is reported to `warn`
/// (with its line number), counted, and written as `null`. Lines are encoded 4096 at a time
/// on `threads` threads.
public struct TokenizeJSONL {
    /// Counts of one run.
    public struct Summary: Sendable, Equatable {
        public var lines = 0
        public var errors = 0
        public init() {}
        /// `{"lines":n,"errors":e}` and a newline, for stderr.
        public var line: String { "{\"lines\":\(lines),\"errors\":\(errors)}\n" }
    }

    public var tokenizer: Tokenizer
    /// Field holding the text (a dotted path such as `meta.text` is allowed).
    public var field: String
    public var addSpecialTokens: Bool
    public var threads: Int

    public init(tokenizer: Tokenizer, field: String = "text", addSpecialTokens: Bool = false, threads: Int) {
        self.tokenizer = tokenizer
        self.field = field
        self.addSpecialTokens = addSpecialTokens
        self.threads = threads
    }

    /// Encodes every line `next` returns (nil = end of input); `inputName` names the input in
    /// the messages to `warn`. Output goes to `write`, one chunk per 4096 lines.
    public func run(next: () throws -> [UInt8]?, inputName name: String, write: ([UInt8]) throws -> Void,
                    warn: (String) -> Void) throws -> Summary {
        var summary = Summary()
        var lineNo = 0
        while true {
            var texts: [String?] = []
            while texts.count < 4096, let line = try next() {
                lineNo += 1
                do {
                    let v = try JSONParser.parse(line)
                    guard let text = v.lookup(path: field)?.stringValue else {
                        throw TokenizerError("field '\(field)' missing or not a string", at: "\(name):\(lineNo)")
                    }
                    texts.append(text)
                } catch let e as JSONParseError {
                    summary.errors += 1
                    warn("\(name):\(lineNo): \(e)")
                    texts.append(nil)
                } catch {
                    summary.errors += 1
                    warn("\(error)")
                    texts.append(nil)
                }
            }
            if texts.isEmpty { break }
            let valid = texts.compactMap { $0 }
            let encoded = tokenizer.encodeBatch(valid, threads: threads, addSpecialTokens: addSpecialTokens)
            var buf: [UInt8] = []
            buf.reserveCapacity(valid.reduce(0) { $0 + $1.utf8.count } + 64)
            var k = 0
            for t in texts {
                if t == nil { buf += Array("null\n".utf8); continue }
                Self.writeIDs(encoded[k], into: &buf)
                k += 1
            }
            summary.lines += texts.count
            try write(buf)
        }
        return summary
    }

    /// Appends `[1,2,3]\n`.
    public static func writeIDs(_ ids: [Int32], into buf: inout [UInt8]) {
        buf.append(UInt8(ascii: "["))
        var first = true
        var digits = [UInt8](repeating: 0, count: 12)
        for id in ids {
            if !first { buf.append(UInt8(ascii: ",")) }
            first = false
            var v = Int(id)
            if v < 0 { buf.append(UInt8(ascii: "-")); v = -v }
            var n = 0
            repeat { digits[n] = UInt8(48 + v % 10); v /= 10; n += 1 } while v > 0
            while n > 0 { n -= 1; buf.append(digits[n]) }
        }
        buf.append(UInt8(ascii: "]"))
        buf.append(0x0A)
    }
}
