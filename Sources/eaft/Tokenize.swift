import ArgumentParser
import Foundation
import Records
import Tokenizer

/// `eaft tokenize`: JSON lines in, one JSON array of ids per line out.
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode the text field of JSON lines with a tokenizer.json.",
        discussion: """
            Reads JSON lines (from --input or stdin) and writes, in order, one JSON array of token ids \
            per line, exactly as Hugging Face tokenizers' encode(text, add_special_tokens=False): added \
            and special token strings written in the text are matched. A line that is not valid JSON or \
            lacks the field is reported on stderr (with its line number) and written as `null`.
            """)

    @Option(help: "A tokenizer.json file, or a folder containing one.")
    var tokenizer: String

    @Option(help: "JSON-lines input file (default: stdin).")
    var input: String?

    @Option(help: "Field holding the text (a dotted path such as meta.text is allowed).")
    var field: String = "text"

    @Flag(help: "Apply the post-processor (e.g. Llama-3 BOS), like add_special_tokens=True.")
    var addSpecialTokens = false

    @Option(help: "Encoding threads.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        let tok = try Tokenizer.load(path: tokenizer)
        let handle: FileHandle
        if let input {
            guard let h = FileHandle(forReadingAtPath: input) else {
                throw ValidationError("cannot open \(input)")
            }
            handle = h
        } else {
            handle = FileHandle.standardInput
        }
        let name = input ?? "<stdin>"
        let reader = LineReader(handle: handle)
        var lineNo = 0
        var errors = 0
        var count = 0
        let out = FileHandle.standardOutput
        while true {
            var texts: [String?] = []
            while texts.count < 4096, let line = reader.next() {
                lineNo += 1
                do {
                    let v = try JSONParser.parse(line)
                    guard let text = v.lookup(path: field)?.stringValue else {
                        throw TokenizerError("field '\(field)' missing or not a string", at: "\(name):\(lineNo)")
                    }
                    texts.append(text)
                } catch let e as JSONParseError {
                    errors += 1
                    FileHandle.standardError.write(Data("\(name):\(lineNo): \(e)\n".utf8))
                    texts.append(nil)
                } catch {
                    errors += 1
                    FileHandle.standardError.write(Data("\(error)\n".utf8))
                    texts.append(nil)
                }
            }
            if texts.isEmpty { break }
            let valid = texts.compactMap { $0 }
            let encoded = tok.encodeBatch(valid, threads: threads, addSpecialTokens: addSpecialTokens)
            var buf: [UInt8] = []
            buf.reserveCapacity(valid.reduce(0) { $0 + $1.utf8.count } + 64)
            var k = 0
            for t in texts {
                if t == nil { buf += Array("null\n".utf8); continue }
                Tokenize.writeIDs(encoded[k], into: &buf)
                k += 1
            }
            count += texts.count
            out.write(Data(buf))
        }
        FileHandle.standardError.write(Data("{\"lines\":\(count),\"errors\":\(errors)}\n".utf8))
        if errors > 0 { throw ExitCode(1) }
    }
}

extension Tokenize {
    /// Appends `[1,2,3]\n`.
    static func writeIDs(_ ids: [Int32], into buf: inout [UInt8]) {
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
