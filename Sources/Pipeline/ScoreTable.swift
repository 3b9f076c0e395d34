import DataIO
import Foundation
import Model
import Records
import Tokenizer

/// `eaft score --text` (quick mode): tokenizes a text (no special tokens added), scores it
/// and lays out one row per token: position, id, token text, p = exp(logprob), H (nats),
/// gate. The first token has no prediction ("-").
public struct ScoreTable: Sendable, Equatable {
    /// The header row, then one row per token.
    public var rows: [String]
    /// `{"command": "score --text", "tokens", "mean_gate", "top_k"}`, for stderr.
    public var summary: JSONValue

    /// Loads `tokenizer` and the model at `model`, checks `topK` against its vocabulary
    /// (`invalidArgument` makes that error) and scores `text`.
    public static func make(text: String, tokenizer: String, model: String, topK: Int,
                            invalidArgument: (String) -> Error = { PipelineError($0) }) throws -> ScoreTable {
        let tok = try Tokenizer.load(path: tokenizer)
        let lm = try CausalLM.load(directory: model)
        try ScoreJSONL.checkTopK(topK, vocab: lm.vocabSize, invalidArgument: invalidArgument)
        let ids = tok.encode(text)
        let st = try lm.scoreTokens(ids: ids, topK: topK)
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            let p = String(repeating: " ", count: max(0, n - s.count))
            return left ? s + p : p + s
        }
        var rows = [pad("pos", 5) + " " + pad("id", 8) + "  " + pad("token", 26, left: true) + pad("p", 11) + pad("H", 9) + pad("gate", 8)]
        for (i, id) in ids.enumerated() {
            var piece = tok.decode([id]).replacingOccurrences(of: "\n", with: "\\n")
            if piece.count > 22 { piece = String(piece.prefix(21)) + "…" }
            var row = pad(String(i), 5) + " " + pad(String(id), 8) + "  " + pad("'" + piece + "'", 26, left: true)
            if i == 0 {
                row += pad("-", 11) + pad("-", 9) + pad("-", 8)
            } else {
                row += pad(String(format: "%.3e", Foundation.exp(Double(st.logprob[i]))), 11)
                row += pad(String(format: "%.3f", Double(st.entropy![i])), 9)
                row += pad(String(format: "%.3f", Double(st.gate[i])), 8)
            }
            rows.append(row)
        }
        let gates = st.gate.dropFirst()  // entry 0 has no prediction
        let meanGate = gates.isEmpty ? 0 : Double(gates.reduce(0, +)) / Double(gates.count)
        let summary: JSONValue = ["command": "score --text", "tokens": .int(Int64(ids.count)),
                                  "mean_gate": .double(meanGate), "top_k": .int(Int64(topK))]
        return ScoreTable(rows: rows, summary: summary)
    }
}
