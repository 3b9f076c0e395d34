import DataIO
import Foundation
import Records

/// Builds an HF tokenizer.json and tokenizer_config.json from a GGUF's `tokenizer.*` metadata:
/// a byte-level BPE (`tokenizer.ggml.model` = gpt2) with vocab from `tokens`, merges from
/// `merges`, CONTROL / UNKNOWN tokens as special added tokens and USER_DEFINED ones as plain
/// added tokens, and the pre-tokenizer `tokenizer.ggml.pre` names:
///
/// | pre | split |
/// |---|---|
/// | gpt2, default | GPT-2 regex (ByteLevel use_regex) |
/// | smollm, starcoder, refact, codeshell | every digit split off first (`\p{N}`), then GPT-2 |
/// | llama-bpe, llama3 | Llama-3 regex |
/// | qwen2 | Qwen2 regex (one digit per piece) |
///
/// eaft honours `pre` as llama.cpp does (for `smollm` this differs from transformers' GGUF
/// loader, which ignores it and uses the plain GPT-2 split). Unknown models / pre names are
/// errors naming them.
/// Reference: https://github.com/ggml-org/llama.cpp/blob/master/src/llama-vocab.cpp
/// (`llm_tokenizer_bpe` regexes per `LLAMA_VOCAB_PRE_TYPE_*`), transformers
/// `integrations/gguf/gguf_tokenizer_mapping.py`, tokenizers' serialization format.
struct GGUFTokenizerExport {
    let file: GGUFFile

    static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// `tokenizer.ggml.pre` names by split style.
    static let digitsThenGPT2: Set<String> = ["smollm", "starcoder", "refact", "codeshell"]

    func loc(_ key: String) -> SourceLocation { SourceLocation(file: file.path, field: key) }

    func strings(_ key: String) throws -> [String] {
        guard let a = file[key]?.arrayValue else { throw ModelError("missing string array", at: loc(key)) }
        return try a.map {
            guard let s = $0.stringValue else { throw ModelError("expected strings, found \($0.type)", at: loc(key)) }
            return s
        }
    }

    func byteLevel(_ useRegex: Bool) -> JSONValue {
        ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": .bool(useRegex)]
    }

    func split(_ regex: String) -> JSONValue {
        ["type": "Split", "pattern": ["Regex": .string(regex)], "behavior": "Isolated", "invert": false]
    }

    func preTokenizer() throws -> JSONValue {
        let pre = file["tokenizer.ggml.pre"]?.stringValue ?? "default"
        switch pre {
        case "gpt2", "default": return byteLevel(true)
        case _ where Self.digitsThenGPT2.contains(pre):
            return ["type": "Sequence", "pretokenizers": [["type": "Digits", "individual_digits": true], byteLevel(true)]]
        case "llama-bpe", "llama3": return ["type": "Sequence", "pretokenizers": [split(Self.llama3Regex), byteLevel(false)]]
        case "qwen2": return ["type": "Sequence", "pretokenizers": [split(Self.qwen2Regex), byteLevel(false)]]
        default:
            throw ModelError("tokenizer.ggml.pre '\(pre)' is not supported", at: loc("tokenizer.ggml.pre"),
                             hint: "supported: gpt2, default, llama-bpe, llama3, qwen2, " + Self.digitsThenGPT2.sorted().joined(separator: ", "))
        }
    }

    /// (tokenizer.json, tokenizer_config.json).
    func build(contextLength: Int) throws -> (tokenizer: JSONValue, config: JSONValue) {
        let model = file["tokenizer.ggml.model"]?.stringValue ?? "(none)"
        guard model == "gpt2" else {
            throw ModelError("tokenizer model '\(model)' is not supported", at: loc("tokenizer.ggml.model"),
                             hint: "only byte-level BPE (gpt2) tokenizers are imported")
        }
        let tokens = try strings("tokenizer.ggml.tokens")
        let merges = try strings("tokenizer.ggml.merges")
        let types = file["tokenizer.ggml.token_type"]?.arrayValue?.map { $0.intValue ?? 1 } ?? []
        guard types.isEmpty || types.count == tokens.count else {
            throw ModelError("token_type has \(types.count) entries for \(tokens.count) tokens", at: loc("tokenizer.ggml.token_type"))
        }
        var added: [JSONValue] = []
        var decoderEntries: [(String, JSONValue)] = []
        for (i, t) in types.enumerated() where t == 2 || t == 3 || t == 4 {
            let entry: JSONValue = ["id": .int(Int64(i)), "content": .string(tokens[i]), "single_word": false,
                                    "lstrip": false, "rstrip": false, "normalized": .bool(t == 4), "special": .bool(t != 4)]
            added.append(entry)
            var d = entry.objectValue ?? JSONObject()
            d["id"] = nil
            decoderEntries.append((String(i), .object(d)))
        }
        var mergePairs: [JSONValue] = []
        mergePairs.reserveCapacity(merges.count)
        for (i, m) in merges.enumerated() {
            guard let sp = m.firstIndex(of: " ") else {
                throw ModelError("merge \(i) '\(m)' has no space", at: loc("tokenizer.ggml.merges"))
            }
            mergePairs.append(.array([.string(String(m[..<sp])), .string(String(m[m.index(after: sp)...]))]))
        }
        let vocab = JSONObject(tokens.enumerated().map { ($0.element, .int(Int64($0.offset))) })
        let addBOS = file["tokenizer.ggml.add_bos_token"]?.boolValue ?? false
        let addEOS = file["tokenizer.ggml.add_eos_token"]?.boolValue ?? false
        func tokenName(_ key: String) -> String? {
            guard let id = file["tokenizer.ggml.\(key)_token_id"]?.intValue, id >= 0, id < tokens.count else { return nil }
            return tokens[id]
        }
        let bos = tokenName("bos"), eos = tokenName("eos")
        var single: [JSONValue] = [], specials = JSONObject()
        func special(_ name: String?) {
            guard let name, let id = tokens.firstIndex(of: name) else { return }
            single.append(["SpecialToken": ["id": .string(name), "type_id": 0]])
            specials[name] = ["id": .string(name), "ids": [.int(Int64(id))], "tokens": [.string(name)]]
        }
        if addBOS { special(bos) }
        single.append(["Sequence": ["id": "A", "type_id": 0]])
        if addEOS { special(eos) }
        let tokenizer: JSONValue = .object(JSONObject([
            ("version", "1.0"), ("truncation", .null), ("padding", .null), ("added_tokens", .array(added)),
            ("normalizer", .null), ("pre_tokenizer", try preTokenizer()),
            ("post_processor", ["type": "TemplateProcessing", "single": .array(single),
                                "pair": .array(single + [["Sequence": ["id": "B", "type_id": 1]]]),
                                "special_tokens": .object(specials)]),
            ("decoder", ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true]),
            ("model", .object(JSONObject([
                ("type", "BPE"), ("dropout", .null), ("unk_token", .null), ("continuing_subword_prefix", .null),
                ("end_of_word_suffix", .null), ("fuse_unk", false), ("byte_fallback", false), ("ignore_merges", false),
                ("vocab", .object(vocab)), ("merges", .array(mergePairs)),
            ]))),
        ]))
        var cfg = JSONObject([("add_bos_token", .bool(addBOS)), ("add_eos_token", .bool(addEOS)),
                              ("added_tokens_decoder", .object(JSONObject(decoderEntries)))])
        for (hf, key) in [("bos_token", "bos"), ("eos_token", "eos"), ("pad_token", "padding"), ("unk_token", "unknown")] {
            if let t = tokenName(key) { cfg[hf] = .string(t) }
        }
        if let tmpl = file["tokenizer.chat_template"]?.stringValue { cfg["chat_template"] = .string(tmpl) }
        cfg["clean_up_tokenization_spaces"] = false
        cfg["model_max_length"] = .int(Int64(contextLength))
        cfg["tokenizer_class"] = "PreTrainedTokenizerFast"
        return (tokenizer, .object(cfg))
    }
}
