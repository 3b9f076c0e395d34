#if canImport(Glibc)
import Glibc
#endif
import DataIO
import Foundation
import Jinja
import Pipeline
import Records
import Tokenizer

/// One fuzz target per reader (issue 17). Each takes arbitrary bytes and must return without
/// trapping, hanging or allocating without bound: a value or a thrown error are both fine.
/// Used by the libFuzzer driver (`eaft-fuzz`, scripts/fuzz.sh) and by `FuzzReplayTests`, which
/// replays every input under Tests/Fixtures/fuzz/<target>/ in the ordinary test run.
public enum FuzzTargets {
    /// Target names, as used by scripts/fuzz.sh and Tests/Fixtures/fuzz/<name>/.
    public static let names = ["json", "jsonl", "parquet", "safetensors", "shard", "tokenizer-json", "tokenizer-encode", "spec", "gguf", "jinja"]

    /// Runs target `name` on `data`; false if there is no such target.
    @discardableResult
    public static func run(_ name: String, _ data: UnsafeRawBufferPointer) -> Bool {
        switch name {
        case "json": json(data)
        case "jsonl": jsonl(data)
        case "parquet": parquet(data)
        case "safetensors": safetensors(data)
        case "shard": shard(data)
        case "tokenizer-json": tokenizerJSON(data)
        case "tokenizer-encode": tokenizerEncode(data)
        case "spec": spec(data)
        case "gguf": gguf(data)
        case "jinja": jinja(data)
        default: return false
        }
        return true
    }

    /// One-time setup outside the timed runs (the encoder target loads an 11 MB tokenizer.json,
    /// which takes longer than libFuzzer's per-input timeout under ASan).
    public static func prepare(_ name: String) {
        if name == "tokenizer-encode" { _ = encoder }
    }

    /// A private scratch file per process (tmpfs when available): the file readers take paths.
    static func scratch(_ data: UnsafeRawBufferPointer, _ suffix: String) -> String {
        let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(dir)/eaft-fuzz-\(getpid())\(suffix)"
        if let f = fopen(path, "wb") {
            if data.count > 0 { fwrite(data.baseAddress, 1, data.count, f) }
            fclose(f)
        }
        return path
    }

    /// Writes synthesized seeds that ../shared has no files for (valid shards) into `dir`.
    public static func writeSeeds(target: String, into dir: String) throws {
        guard target == "shard" else { return }
        let tmp = dir + "/.shard-seed"
        try AtomicFile.makeDirectory(tmp)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        for (k, scored) in [(0, true), (1, false)] {
            let w = ShardWriter(directory: tmp, options: ShardWriterOptions(blockBytes: 300, topK: 20))
            for i in 0..<6 {
                let t = 3 + i * 4
                let ids = (0..<t).map { TokenID(($0 * 7919 + i) % 151_000) }
                let mask = (0..<t).map { UInt8($0 > t / 2 ? 1 : 0) }
                let meta = ShardSampleMeta(id: "seed\(i)", source: "fuzz", domain: "math", verdict: i % 2 == 0 ? "correct" : nil, reason: nil)
                let f = (0..<t).map { Float($0) / Float(t) }
                try w.append(scored ? ShardSample(meta: meta, ids: ids, lossMask: mask,
                                                  stats: TokenStats(logprob: f.map { -$0 }, gate: f, topKEntropy: f, entropy: i % 2 == 0 ? f : nil))
                                    : ShardSample(meta: meta, ids: ids, lossMask: mask))
            }
            for info in try w.finish() { try FileManager.default.moveItem(atPath: tmp + "/" + info.file, toPath: dir + "/seed-\(k)-" + info.file) }
        }
    }

    static func json(_ data: UnsafeRawBufferPointer) {
        if let v = try? JSONParser.parse(data) {
            var out: [UInt8] = []
            JSONWriter().write(v, into: &out)
            _ = try? JSONParser.parse(out)
        }
    }

    /// JSONL / JSON array, plain or gzip / zstd (detected by magic), through the bounded reader.
    static func jsonl(_ data: UnsafeRawBufferPointer) {
        let path = scratch(data, ".jsonl")
        var o = JSONLOptions()
        o.maxLineBytes = 1 << 16
        o.maxSkipBytes = 1 << 20
        o.readBufferBytes = 4096
        guard let r = try? JSONLReader(path: path, options: o) else { return }
        var n = 0
        while n < 100_000 { n += 1; guard let item = try? r.next() else { break }; _ = item }
    }

    static func parquet(_ data: UnsafeRawBufferPointer) {
        let path = scratch(data, ".parquet")
        ParquetFile.maxThreads = 1
        guard let f = try? ParquetFile(path: path), let it = try? f.rows() else { return }
        var n = 0
        while n < 100_000 {
            n += 1
            do { guard try it.nextRow() != nil else { break } } catch { if it.currentRowGroup >= f.numRowGroups { break } }
        }
    }

    static func safetensors(_ data: UnsafeRawBufferPointer) {
        let path = scratch(data, ".safetensors")
        guard let f = try? SafetensorsFile(path: path) else { return }
        for t in f.tensors.prefix(64) {
            _ = try? f.floats(t.name)
            _ = try? f.integers(t.name)
        }
    }

    static func shard(_ data: UnsafeRawBufferPointer) {
        let path = scratch(data, ".eaft")
        var rep = ShardVerifier.Report(directory: "")
        _ = ShardVerifier.verifyFile(path: path, expect: nil, rep: &rep)
        guard let r = try? ShardReader(path: path) else { return }
        for i in 0..<min(r.count, 10_000) { _ = try? r.sample(i) }
    }

    static func tokenizerJSON(_ data: UnsafeRawBufferPointer) {
        guard let t = try? Tokenizer.load(jsonBytes: Array(data)) else { return }
        _ = t.encode("Hello, world! 12345 éè 中文 \u{1F600}")
    }

    /// The shared Qwen3 tokenizer (EAFT_FUZZ_TOKENIZER, or ../shared via EAFT_SHARED), loaded once.
    nonisolated(unsafe) static var encoder: Tokenizer? = {
        let env = ProcessInfo.processInfo.environment
        let candidates = [env["EAFT_FUZZ_TOKENIZER"], env["EAFT_SHARED"].map { $0 + "/tokenizers/qwen3/tokenizer.json" }, "/work/shared/tokenizers/qwen3/tokenizer.json"]
        for c in candidates.compactMap({ $0 }) where FileManager.default.fileExists(atPath: c) { return try? Tokenizer.load(path: c) }
        return nil
    }()

    static func tokenizerEncode(_ data: UnsafeRawBufferPointer) {
        guard let t = encoder else { return }
        let ids = t.encode(String(decoding: data, as: UTF8.self), addSpecialTokens: true)
        _ = t.decode(ids)
    }

    /// GGUF header, metadata and tensor table; every tensor dequantized (bounded by the file size).
    static func gguf(_ data: UnsafeRawBufferPointer) {
        let path = scratch(data, ".gguf")
        guard let f = try? GGUFFile(path: path) else { return }
        for (_, v) in f.metadata.prefix(256) { _ = v.stringValue; _ = v.int64Value; _ = v.arrayValue?.count }
        for t in f.tensors.prefix(64) where t.elementCount <= 1 << 22 { _ = try? f.floats(t.name) }
    }

    /// A chat template (the bytes) compiled, then rendered for a two-turn conversation with small
    /// step and output bounds (the defaults are for real use; these keep each input fast).
    static func jinja(_ data: UnsafeRawBufferPointer) {
        guard let t = try? Template(String(decoding: data, as: UTF8.self)) else { return }
        var o = RenderOptions(now: DateTimeParts(iso: "2026-01-02T03:04:05"))
        o.maxSteps = 200_000
        o.maxOutputBytes = 1 << 20
        let msgs: [JSONValue] = [
            .object(JSONObject([("role", .string("user")), ("content", .string("What is 2+2?"))])),
            .object(JSONObject([("role", .string("assistant")), ("content", .string("4"))])),
        ]
        let ctx: [String: Value] = ["messages": Value(json: .array(msgs)), "add_generation_prompt": .bool(true),
                                    "bos_token": .string("<s>"), "eos_token": .string("</s>")]
        _ = try? t.render(ctx, options: o)
        _ = try? t.renderWithGenerationSpans(ctx, options: o)
    }

    static func spec(_ data: UnsafeRawBufferPointer) {
        _ = try? PipelineSpec.parse(yaml: String(decoding: data, as: UTF8.self), file: "fuzz.yaml")
    }
}
