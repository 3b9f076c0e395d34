import DataIO
import Records

/// Built-in text helpers for the dedup and decontaminate stages.
enum TextKeys {
    /// Lower-cased words (Unicode letters/digits runs), the unit of dedup keys and n-grams.
    static func words(_ s: String) -> [Substring] {
        s.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) })
    }

    static func promptText(_ r: Record) -> String {
        r.messages.filter { $0.role == .user || $0.role == .system }.map(\.content).joined(separator: "\n")
    }

    static func conversationText(_ r: Record) -> String {
        r.messages.map { m in
            m.content + (m.reasoning ?? "") + m.toolCalls.map { $0.name + JSONWriter(sortKeys: true).string($0.arguments) }.joined()
        }.joined(separator: "\n")
    }

    /// Exact-dedup key: hash of the normalised words of the prompt (or whole conversation).
    static func dedupKey(_ r: Record, key: String) -> UInt64 {
        let text = key == "conversation" ? conversationText(r) : promptText(r)
        return StableHash.string(words(text).joined(separator: " "))
    }

    static func ngramHashes(_ words: [Substring], n: Int) -> [UInt64] {
        guard words.count >= n else { return words.isEmpty ? [] : [StableHash.string(words.joined(separator: " "))] }
        var out: [UInt64] = []
        out.reserveCapacity(words.count - n + 1)
        for i in 0...(words.count - n) { out.append(StableHash.string(words[i..<(i + n)].joined(separator: " "))) }
        return out
    }
}

/// Word n-gram index of evaluation questions (`decontaminate` stage).
/// A record is contaminated when its prompt contains any n-gram of a benchmark question
/// (questions shorter than n words match as a whole). Reference: the GPT-3 paper's 13-gram
/// overlap test, https://arxiv.org/abs/2005.14165 appendix C.
final class NGramIndex: @unchecked Sendable {
    let n: Int
    private(set) var grams = Set<UInt64>()
    private(set) var questions = 0

    init(stage: DecontaminateStage) throws {
        n = stage.ngram ?? 13
        for a in stage.against {
            let bytes = try AtomicFile.read(a.path)
            var line = 0
            for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                line += 1
                if raw.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                let v: JSONValue
                do { v = try JSONParser.parse(Array(raw)) } catch {
                    throw PipelineError("benchmark line is not JSON: \(error)", at: SourceLocation(file: a.path, line: line))
                }
                guard let q = v.lookup(path: a.field)?.stringValue else {
                    throw PipelineError("benchmark row has no string field '\(a.field)'", at: SourceLocation(file: a.path, line: line, field: a.field))
                }
                for h in TextKeys.ngramHashes(TextKeys.words(q), n: n) { grams.insert(h) }
                questions += 1
            }
        }
    }

    func contaminated(_ r: Record) -> Bool {
        let w = TextKeys.words(TextKeys.promptText(r))
        if w.count < n { return grams.contains(StableHash.string(w.joined(separator: " "))) }
        for h in TextKeys.ngramHashes(w, n: n) where grams.contains(h) { return true }
        return false
    }
}
