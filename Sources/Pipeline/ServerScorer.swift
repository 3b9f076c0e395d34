import DataIO
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Records
import Tokenizer

/// Scores token ids on a vLLM server (OpenAI-compatible `POST /v1/completions` with
/// `prompt_logprobs`), the scorer for GPUs and clusters; the native CPU model stays the default.
///
/// Each sequence is sent as token ids (never text), `max_tokens: 1`, `prompt_logprobs: K`.
/// Per position the server returns the actual token's log-probability (full-vocabulary
/// normalised) and the ranks 1…K: p is exact, H^K is the entropy of those K renormalised, the
/// gate H^K / ln K, the expected token the rank-1 entry. The full-vocabulary entropy is not
/// available, so `TokenStats.entropy` stays nil (shards then lack flag bit 1, and the audit uses H^K).
/// `concurrency` requests are in flight; each failed by a connection error, a timeout or a 5xx
/// is retried with exponential backoff; results keep input order, so shards do not depend on it.
/// Batching is the server's: `score` gets a whole work unit and keeps `concurrency` requests
/// (one sequence each) in flight.
/// Reference: https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html (prompt_logprobs).
public final class ServerScorer: Scorer {
    public let server: ScorerServer
    public let model: String
    public let maxPositions: Int
    let base: URL
    let session: URLSession

    /// Checks the server before any work (served model, K within its cap, ids that round-trip
    /// through our tokenizer) and returns a scorer; `probe` are ids of a short text.
    public static func connect(server: ScorerServer, model: String, topK: Int, tokenizer: Tokenizer?,
                               probe: [TokenID]) throws -> ServerScorer {
        let s = try ServerScorer(server: server, model: model, maxPositions: 0)
        let served = try s.servedModels()
        guard let entry = served.first(where: { $0.id == model }) else {
            throw PipelineError("the server at \(s.base.absoluteString) does not serve model '\(model)' (it serves: \(served.map(\.id).joined(separator: ", ")))",
                                at: SourceLocation(file: "", field: "score.model"), hint: "use the name vLLM was started with (--served-model-name, else the model path)")
        }
        let scorer = try ServerScorer(server: server, model: model, maxPositions: entry.maxLen)
        let reply = try scorer.request(probe, topK: topK)
        // Round trip: the server's text of each probe token equals our tokenizer's.
        if let tokenizer {
            for (t, e) in reply.enumerated() where t > 0 {
                guard let mine = tokenizer.bytes(of: probe[t]), let text = String(validating: mine, as: UTF8.self),
                      let theirs = e.decoded else { continue }
                if theirs != text {
                    throw PipelineError("vocabulary mismatch: token \(probe[t]) is \(String(reflecting: text)) here but \(String(reflecting: theirs)) on the server",
                                        at: SourceLocation(file: "", field: "score.model"), hint: "score with the model whose tokenizer rendered the data")
                }
            }
        }
        return scorer
    }

    init(server: ScorerServer, model: String, maxPositions: Int) throws {
        guard let u = URL(string: server.url) else { throw PipelineError("bad scorer url \(server.url)") }
        self.server = server
        self.model = model
        self.maxPositions = maxPositions
        base = u
        let c = URLSessionConfiguration.ephemeral
        c.timeoutIntervalForRequest = server.timeoutSeconds
        c.httpMaximumConnectionsPerHost = server.concurrency
        session = URLSession(configuration: c)
    }

    /// The URL with the host elided, for the manifest.
    public static func elided(_ url: String) -> String {
        guard let u = URLComponents(string: url) else { return "<url>" }
        return (u.scheme ?? "http") + "://<host>" + (u.port.map { ":\($0)" } ?? "")
    }

    public func score(batch: [[TokenID]], topK: Int) throws -> [TokenStats] {
        final class Slots: @unchecked Sendable {
            var results: [Result<TokenStats, Error>?]
            let lock = NSLock()
            init(_ n: Int) { results = Array(repeating: nil, count: n) }
        }
        let slots = Slots(batch.count)
        let q = OperationQueue()
        q.maxConcurrentOperationCount = server.concurrency
        for (i, ids) in batch.enumerated() {
            q.addOperation {
                let r = Result { try Self.stats(self.request(ids, topK: topK), ids: ids, topK: topK) }
                slots.lock.lock()
                slots.results[i] = r
                slots.lock.unlock()
            }
        }
        q.waitUntilAllOperationsAreFinished()
        return try slots.results.map { try $0!.get() }
    }

    /// One position's reply: the actual token's log-probability, the top-K by rank, the text.
    struct Position {
        var logprob: Float
        var top: [(id: TokenID, logprob: Float)]
        var decoded: String?
    }

    /// Statistics from the reply, T entries (position 0 has no prediction and stays 0).
    static func stats(_ reply: [Position], ids: [TokenID], topK: Int) throws -> TokenStats {
        var st = TokenStats(count: ids.count, entropy: false, expected: true)
        let lnK = log(Double(topK))
        for t in 1..<max(1, ids.count) {
            let e = reply[t]
            guard e.top.count == topK else {
                throw PipelineError("server returned \(e.top.count) of the top \(topK) log-probabilities at position \(t)")
            }
            let m = Double(e.top[0].logprob)
            var z = 0.0, s = 0.0
            for x in e.top {
                let d = Double(x.logprob) - m
                let w = exp(d)
                z += w
                s += w * d
            }
            let h = max(0, log(z) - s / z)
            st.logprob[t] = e.logprob
            st.topKEntropy[t] = Float(h)
            st.gate[t] = Float(h / lnK)
            st.expectedID![t] = e.top[0].id
            st.expectedLogprob![t] = e.top[0].logprob
        }
        return st
    }

    /// `POST /v1/completions` for one sequence, with retries; one `Position` per token.
    func request(_ ids: [TokenID], topK: Int) throws -> [Position] {
        var body = JSONObject()
        body["model"] = .string(model)
        body["prompt"] = .array(ids.map { .int(Int64($0)) })
        body["max_tokens"] = .int(1)
        body["prompt_logprobs"] = .int(Int64(topK))
        body["temperature"] = .int(0)
        var bytes: [UInt8] = []
        JSONWriter().write(.object(body), into: &bytes)
        let data = try send("v1/completions", body: Data(bytes))
        let v: JSONValue
        do { v = try JSONParser.parse(Array(data)) } catch { throw PipelineError("server reply is not JSON: \(error)") }
        guard let entries = v["choices"]?[0]?["prompt_logprobs"]?.arrayValue, entries.count == ids.count else {
            throw PipelineError("server reply lacks prompt_logprobs for \(ids.count) tokens", hint: "is this a vLLM completions endpoint?")
        }
        var out: [Position] = [Position(logprob: 0, top: [], decoded: nil)]
        for t in 1..<max(1, ids.count) {
            guard let o = entries[t].objectValue, let actual = o[String(ids[t])], let alp = actual["logprob"]?.doubleValue else {
                throw PipelineError("server reply has no log-probability for token \(ids[t]) at position \(t)")
            }
            var top: [(rank: Int64, id: TokenID, logprob: Float)] = []
            for (key, e) in o.entries {
                guard let r = e["rank"]?.intValue, r >= 1, r <= Int64(topK), let id = TokenID(key), id >= 0, let l = e["logprob"]?.doubleValue else { continue }
                top.append((r, id, Float(l)))
            }
            // Ties share a rank in no vLLM version we know; order by rank, then id, for determinism.
            top.sort { ($0.rank, $0.id) < ($1.rank, $1.id) }
            out.append(Position(logprob: Float(alp), top: top.prefix(topK).map { ($0.id, $0.logprob) }, decoded: actual["decoded_token"]?.stringValue))
        }
        return out
    }

    struct Served { var id: String; var maxLen: Int }

    func servedModels() throws -> [Served] {
        let data = try send("v1/models", body: nil)
        guard let list = (try? JSONParser.parse(Array(data)))?["data"]?.arrayValue else {
            throw PipelineError("GET /v1/models: unexpected reply", hint: "is \(server.url) a vLLM (OpenAI-compatible) server?")
        }
        return list.compactMap { m in m["id"]?.stringValue.map { Served(id: $0, maxLen: Int(m["max_model_len"]?.intValue ?? 1 << 20)) } }
    }

    /// A request with retries on connection errors, timeouts and 5xx (backoff 0.5 s · 2^attempt, ≤ 16 s).
    func send(_ path: String, body: Data?) throws -> Data {
        var req = URLRequest(url: base.appendingPathComponent(path))
        req.httpMethod = body == nil ? "GET" : "POST"
        req.httpBody = body
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.timeoutInterval = server.timeoutSeconds
        let retries = server.retries
        var attempt = 0
        while true {
            let (data, status, error) = perform(req)
            if let status, status < 300, let data { return data }
            let detail = error.map { "\($0.localizedDescription)" } ?? "HTTP \(status ?? 0): \(String(decoding: (data ?? Data()).prefix(600), as: UTF8.self))"
            let retryable = error != nil || (status ?? 0) >= 500
            if !retryable || attempt >= retries {
                throw PipelineError("\(req.httpMethod!) \(path) on the scoring server failed\(attempt > 0 ? " after \(attempt) retries" : ""): \(detail)",
                                    at: SourceLocation(file: ServerScorer.elided(server.url), field: "score.scorer"),
                                    hint: retryable ? "is the server up? `eaft run --resume` continues where this stopped" : nil)
            }
            Thread.sleep(forTimeInterval: min(16, 0.5 * pow(2, Double(attempt))))
            attempt += 1
        }
    }

    private func perform(_ req: URLRequest) -> (Data?, Int?, Error?) {
        final class Box: @unchecked Sendable { var data: Data?; var status: Int?; var error: Error? }
        let box = Box(), done = DispatchSemaphore(value: 0)
        session.dataTask(with: req) { d, r, e in
            box.data = d
            box.status = (r as? HTTPURLResponse)?.statusCode
            box.error = e
            done.signal()
        }.resume()
        done.wait()
        return (box.data, box.status, box.error)
    }
}
