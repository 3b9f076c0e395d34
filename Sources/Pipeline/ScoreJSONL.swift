import DataIO
import Foundation
import Model
import Records
import Tokenizer

/// The `eaft score` protocol: JSON lines `{"ids": [int, ...]}` in (other keys ignored), one
/// line per input line out, for positions 1…T−1:
/// `{"logprob": [...], "entropy": [...], "topk_entropy": [...], "gate": [...]}` (`entropy`
/// is null when the scorer has no full-vocabulary entropy, as on a server). A bad line
/// (invalid JSON, no "ids", an id the scorer rejects) becomes `{"error": "...", "line": N}`
/// and is counted; the other lines are still scored.
///
/// Scores with the pipeline's scorers (`Scorer`: the native model, or `ServerScorer`),
/// which pack sequences into forward passes / requests. Lines are read ahead until about
/// `batchTokens` tokens are pending, then handed to the scorer in one call.
public final class ScoreJSONL {
    /// What to score with, and how.
    public struct Options: Sendable, Equatable {
        /// Hugging Face model folder; with `server`, the served model's name.
        public var model: String
        /// Base URL of a vLLM server to score on instead of the CPU.
        public var server: String?
        /// With `server`: requests in flight.
        public var concurrency = 4
        /// tokenizer.json (or a folder holding one): with `server`, checks the vocabularies agree.
        public var tokenizer: String?
        /// K of the top-K entropy and the gate (2 ≤ K ≤ the model's vocabulary size).
        public var topK = 20
        /// Tokens read ahead and scored in one call (and packed into one forward pass).
        public var batchTokens = 4096
        /// Compute a prefix shared by sequences of one forward pass once (`CausalLM.sharePrefixes`).
        public var sharePrefixes = true

        public init(model: String) { self.model = model }
    }

    /// Counts of one run; `json` is the summary line `eaft score` writes on stderr.
    public struct Summary: Sendable, Equatable {
        public var lines = 0
        public var scored = 0
        public var errors = 0
        public var tokens = 0
        public var seconds = 0.0
        public var topK = 0
        /// Token positions the native model computed (nil for a server scorer).
        public var computedTokens: Int?

        public var json: JSONValue {
            var o = JSONObject()
            o.entries = [
                ("command", "score"), ("lines", .int(Int64(lines))), ("scored", .int(Int64(scored))),
                ("errors", .int(Int64(errors))), ("tokens", .int(Int64(tokens))), ("seconds", .double(seconds)),
                ("tokens_per_s", .double(seconds > 0 ? Double(tokens) / seconds : 0)), ("top_k", .int(Int64(topK))),
            ]
            if let c = computedTokens { o.entries.append(("computed_tokens", .int(Int64(c)))) }
            return .object(o)
        }
    }

    public let options: Options
    let scorer: Scorer
    /// Rejects a sequence the scorer cannot score (the line becomes an error line).
    let check: ([Int32]) throws -> Void
    let started: Date

    /// Loads the model (checking K against its vocabulary) or connects to the server (checked
    /// with a probe) before any line is read. `invalidArgument` makes the error for a K above
    /// the vocabulary size (the CLI reports it as a usage error).
    public init(options: Options, invalidArgument: (String) -> Error = { PipelineError($0) }) throws {
        started = Date()
        self.options = options
        let topK = options.topK
        if let server = options.server {
            let tok = try options.tokenizer.map { try Tokenizer.load(path: $0) }
            let probe = (tok?.encode("Hello, world! 12 + 30 = 42.") ?? [9, 10, 11, 12])
            scorer = try ServerScorer.connect(server: ScorerServer(ServerScorerSpec(url: server, concurrency: options.concurrency)), model: options.model,
                                              topK: topK, tokenizer: tok, probe: probe)
            check = { ids in if ids.count < 2 { throw PipelineError("a sequence needs at least 2 ids to be scored on a server") } }
        } else {
            let lm = try CausalLM.load(directory: options.model)
            try Self.checkTopK(topK, vocab: lm.vocabSize, invalidArgument: invalidArgument)
            scorer = ModelScorer(model: lm, batchTokens: options.batchTokens, sharePrefixes: options.sharePrefixes)
            check = { try lm.checkIDs($0) }
        }
    }

    /// K above the vocabulary size is an error rather than a silent clamp (the summary reports K).
    static func checkTopK(_ topK: Int, vocab: Int, invalidArgument: (String) -> Error) throws {
        guard topK <= vocab else {
            throw invalidArgument("--top-k \(topK) exceeds the model's vocabulary size \(vocab); use 2...\(vocab)")
        }
    }

    /// Scores every line `next` returns (nil = end of input) and writes one output line per
    /// input line to `write`; `warn` gets `inputName:LINE: error` for each bad line.
    public func run(next: () throws -> [UInt8]?, inputName: String, write: (String) throws -> Void,
                    warn: (String) -> Void) throws -> Summary {
        var summary = Summary()
        summary.topK = options.topK
        var pending: [(line: Int, ids: [Int32]?, error: String?)] = []
        var pendingTokens = 0
        func flush() throws {
            let seqs = pending.compactMap { $0.ids }
            let stats = try scorer.score(batch: seqs, topK: options.topK)
            var j = 0
            for p in pending {
                if let e = p.error {
                    try write("{\"error\":" + Self.jsonString(e) + ",\"line\":\(p.line)}\n")
                } else {
                    try write(Self.line(stats[j]))
                    j += 1
                }
            }
            pending.removeAll(keepingCapacity: true)
            pendingTokens = 0
        }
        while let bytes = try next() {
            summary.lines += 1
            let n = summary.lines
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                pending.append((n, nil, "empty line")); summary.errors += 1; continue
            }
            do {
                let ids = try Self.parseIDs(bytes)
                try check(ids)
                pending.append((n, ids, nil))
                pendingTokens += ids.count
                summary.tokens += ids.count
                summary.scored += 1
            } catch {
                summary.errors += 1
                warn("\(inputName):\(n): \(error)")
                pending.append((n, nil, "\(error)"))
            }
            if pendingTokens >= options.batchTokens { try flush() }
        }
        try flush()
        summary.seconds = Date().timeIntervalSince(started)
        summary.computedTokens = scorer.computedTokens
        return summary
    }

    /// Parses `{"ids": [int, ...]}` (other keys are ignored).
    static func parseIDs(_ bytes: [UInt8]) throws -> [Int32] {
        let v = try JSONParser.parse(bytes)
        guard case .object(let o) = v else { throw PipelineError("line is not a JSON object") }
        guard let arr = o["ids"]?.arrayValue else { throw PipelineError("no \"ids\" array") }
        var out = [Int32]()
        out.reserveCapacity(arr.count)
        for (i, x) in arr.enumerated() {
            guard let n = x.intValue, n >= Int64(Int32.min), n <= Int64(Int32.max) else {
                throw PipelineError("ids[\(i)] is not an integer: \(x)")
            }
            out.append(Int32(n))
        }
        return out
    }

    /// One output line: T−1 entries per array (entry t describes ids[t+1]; the shard
    /// convention's entry 0, which has no prediction, is not printed); non-finite values are
    /// written as null; `entropy` is null when the scorer has no full-vocabulary entropy (a server).
    static func line(_ st: TokenStats) -> String {
        func array(_ xs: ArraySlice<Float>, into s: inout String) {
            s += "["
            for (i, x) in xs.enumerated() {
                if i > 0 { s += "," }
                s += x.isFinite ? x.description : "null"
            }
            s += "]"
        }
        var s = "{\"logprob\":"
        array(st.logprob.dropFirst(), into: &s)
        s += ",\"entropy\":"
        if let e = st.entropy { array(e.dropFirst(), into: &s) } else { s += "null" }
        s += ",\"topk_entropy\":"
        array(st.topKEntropy.dropFirst(), into: &s)
        s += ",\"gate\":"
        array(st.gate.dropFirst(), into: &s)
        return s + "}\n"
    }

    static func jsonString(_ s: String) -> String {
        var out: [UInt8] = []
        JSONWriter.writeString(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
