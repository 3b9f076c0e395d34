import Foundation

/// A byte-level BPE tokenizer loaded from a Hugging Face tokenizer.json, encoding exactly as
/// HF `tokenizers` 0.23 `encode(text, add_special_tokens=...)` does (added tokens written in the
/// text are matched; NFC; the GPT-2 / Llama-3 / Qwen2 pre-tokenizer patterns; rank-ordered merges).
/// Immutable after loading and safe to share across threads.
/// Pipeline reference: https://github.com/huggingface/tokenizers/blob/main/tokenizers/src/tokenizer/mod.rs
public final class Tokenizer: @unchecked Sendable {
    /// File the tokenizer was loaded from.
    public let path: String
    /// SHA-256 (hex) of the tokenizer.json bytes.
    public let contentHash: String
    /// Same as `contentHash`.
    public var sha256: String { contentHash }
    /// Distinct ids of the model vocab plus added tokens (HF `get_vocab_size(with_added_tokens=True)`).
    public let vocabSize: Int
    /// The `added_tokens` section, in file order.
    public let addedTokens: [AddedToken]
    /// Typed pipeline components as read.
    public let normalizer: NormalizerSpec?
    public let preTokenizer: PreTokenizerSpec?
    public let postProcessor: PostProcessorSpec?
    /// Number of merges in the model.
    public let mergeCount: Int

    let vocab: ByteStringTable
    let extraTokens: [String: Int32]
    let extraByID: [Int32: [UInt8]]
    let merges: PairTable
    let byteToID: [Int32]
    /// `byteToID` as a raw pointer for the hot path (freed in deinit).
    let byteToIDPointer: UnsafeMutablePointer<Int32>
    let ignoreMerges: Bool
    let nfc: Bool
    let splits: [SplitPattern]
    let rawMatcher: AddedTokenMatcher
    let normMatcher: AddedTokenMatcher
    /// id → index into `addedTokens`, or -1.
    let addedIndex: [Int32]
    let addedDecodeBytes: [[UInt8]]
    let addedByContent: [String: Int32]
    let prefixIDs: [Int32]
    let suffixIDs: [Int32]
    /// Reusable encode workspaces (guarded by `poolLock`).
    var pool: [EncodeWorkspace] = []
    let poolLock = NSLock()

    /// Loads `path`: a tokenizer.json file, or a folder containing one.
    public static func load(path: String) throws -> Tokenizer {
        guard !path.isEmpty else {
            throw TokenizerError("no tokenizer path given (empty path)", at: "\"\"", hint: "pass a tokenizer.json or a folder holding one")
        }
        var file = path
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            file = (path as NSString).appendingPathComponent("tokenizer.json")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw TokenizerError("cannot read file", at: file, hint: "pass a tokenizer.json or a folder holding one")
        }
        return try data.withUnsafeBytes { raw in
            try Tokenizer(json: raw.bindMemory(to: UInt8.self), path: file)
        }
    }

    /// Parses tokenizer.json bytes (`path` is used in errors only).
    public static func load(jsonBytes: [UInt8], path: String = "<memory>") throws -> Tokenizer {
        try jsonBytes.withUnsafeBufferPointer { try Tokenizer(json: $0, path: path) }
    }

    init(json: UnsafeBufferPointer<UInt8>, path: String) throws {
        // Hash on a second thread while parsing.
        final class Box: @unchecked Sendable { var hash = "" }
        let box = Box()
        let group = DispatchGroup()
        nonisolated(unsafe) let bytes = json
        DispatchQueue.global().async(group: group) { box.hash = SHA256.hex(bytes) }
        let t: LoadedTokenizer
        do { t = try TokenizerLoader.load(bytes: json, file: path) } catch { group.wait(); throw error }
        group.wait()
        self.path = path
        contentHash = box.hash
        vocab = t.vocab
        extraTokens = t.extraTokens
        var eb: [Int32: [UInt8]] = [:]
        for (s, id) in t.extraTokens { eb[id] = Array(s.utf8) }
        extraByID = eb
        merges = t.merges
        mergeCount = t.mergeCount
        ignoreMerges = t.ignoreMerges
        addedTokens = t.addedTokens
        normalizer = t.normalizer
        preTokenizer = t.preTokenizer
        postProcessor = t.postProcessor

        var b2i = [Int32](repeating: -1, count: 256)
        for b in 0..<256 { b2i[b] = t.vocab.find([UInt8(b)]) ?? -1 }
        byteToID = b2i

        func hasNFC(_ n: NormalizerSpec?) -> Bool {
            switch n {
            case .none: return false
            case .some(.nfc): return true
            case .some(.sequence(let s)): return s.contains { hasNFC($0) }
            }
        }
        nfc = hasNFC(t.normalizer)
        guard let pre = t.preTokenizer else {
            throw TokenizerError("pre_tokenizer null is not implemented", at: path, hint: "byte-level BPE needs a ByteLevel pre-tokenizer")
        }
        let flat = pre.flatten()
        guard flat.byteLevel else {
            throw TokenizerError("pre_tokenizer has no ByteLevel step", at: path, hint: "only byte-level BPE is implemented")
        }
        splits = flat.splits
        guard t.decoder != nil else {
            throw TokenizerError("decoder null is not implemented", at: path, hint: "expected ByteLevel")
        }
        rawMatcher = AddedTokenMatcher(t.addedTokens.filter { !$0.normalized })
        normMatcher = AddedTokenMatcher(t.addedTokens.filter { $0.normalized })
        for a in t.addedTokens where a.id < 0 || Int(a.id) >= TokenizerLoader.maxID {
            throw TokenizerError("added token \(a.content) has id \(a.id) outside 0 ..< \(TokenizerLoader.maxID)", at: path)
        }
        let maxAdded = t.addedTokens.map { Int($0.id) }.max() ?? -1
        var ai = [Int32](repeating: -1, count: max(maxAdded + 1, 0))
        var adb: [[UInt8]] = []
        var abc: [String: Int32] = [:]
        for (k, a) in t.addedTokens.enumerated() {
            guard a.id >= 0 else { throw TokenizerError("added token \(a.content) has a negative id", at: path) }
            ai[Int(a.id)] = Int32(k)
            // HF passes added tokens through the ByteLevel decoder too: mapped chars → bytes, else the UTF-8 as is.
            let u = Array(a.content.utf8)
            adb.append(ByteLevel.decode(u) ?? u)
            if abc[a.content] == nil { abc[a.content] = a.id }
        }
        addedIndex = ai
        addedDecodeBytes = adb
        addedByContent = abc
        let w: (prefix: [Int32], suffix: [Int32]) = t.postProcessor?.wrap() ?? ([], [])
        prefixIDs = w.prefix
        suffixIDs = w.suffix

        byteToIDPointer = .allocate(capacity: 256)
        byteToIDPointer.initialize(from: b2i, count: 256)

        var ids = Set<Int32>()
        for id in 0...max(t.vocab.maxID, 0) where t.vocab.tokenBytes(Int32(id)) != nil { ids.insert(Int32(id)) }
        for id in t.extraTokens.values { ids.insert(id) }
        for a in t.addedTokens { ids.insert(a.id) }
        vocabSize = ids.count
    }

    deinit { byteToIDPointer.deallocate() }

    // MARK: - Lookup

    /// The id of a token given in its vocab form (byte-level text such as `Ġthe`) or an added token's content.
    public func id(of token: String) -> Int32? {
        if let id = addedByContent[token] { return id }
        if let raw = ByteLevel.decode(Array(token.utf8)), let id = vocab.find(raw) { return id }
        return extraTokens[token]
    }

    /// The token string of `id` (byte-level form for vocab tokens), or nil.
    public func token(of id: Int32) -> String? {
        if id >= 0, Int(id) < addedIndex.count, addedIndex[Int(id)] >= 0 { return addedTokens[Int(addedIndex[Int(id)])].content }
        if let b = vocab.tokenBytes(id) { return ByteLevel.encode(b) }
        if let b = extraByID[id] { return String(decoding: b, as: UTF8.self) }
        return nil
    }

    /// The added token with this id, if any.
    public func addedToken(id: Int32) -> AddedToken? {
        guard id >= 0, Int(id) < addedIndex.count, addedIndex[Int(id)] >= 0 else { return nil }
        return addedTokens[Int(addedIndex[Int(id)])]
    }

    // MARK: - Decode

    /// Decodes ids to text (ByteLevel decoder; invalid UTF-8 becomes U+FFFD). Unknown ids are skipped.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids {
            if skipSpecialTokens, let a = addedToken(id: id), a.special { continue }
            _ = appendBytes(of: id, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes token `id` decodes to (an added token's content, a vocab token's raw bytes;
    /// may be part of a UTF-8 character), or nil for an unknown id.
    public func bytes(of id: Int32) -> [UInt8]? {
        var out: [UInt8] = []
        return appendBytes(of: id, to: &out) ? out : nil
    }

    /// Appends the bytes of token `id` to `out`; false (nothing appended) for an unknown id.
    func appendBytes(of id: Int32, to out: inout [UInt8]) -> Bool {
        if id >= 0, Int(id) < addedIndex.count, addedIndex[Int(id)] >= 0 {
            out += addedDecodeBytes[Int(addedIndex[Int(id)])]
        } else if let b = vocab.tokenBytes(id) {
            out += b
        } else if let b = extraByID[id] {
            out += b
        } else {
            return false
        }
        return true
    }
}
