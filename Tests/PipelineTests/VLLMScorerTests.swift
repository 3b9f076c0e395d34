import DataIO
import Foundation
import Model
import Pipeline
import Records
import TestSupport
import XCTest

/// The server scorer against a real vLLM on 127.0.0.1 (`scripts/test_vllm.sh` starts it and
/// sets EAFT_VLLM_URL / EAFT_VLLM_MODEL, the folder vLLM serves; without them these tests skip).
final class VLLMScorerTests: XCTestCase {
    func server() throws -> (url: String, model: String) {
        let env = ProcessInfo.processInfo.environment
        guard let url = env["EAFT_VLLM_URL"], let model = env["EAFT_VLLM_MODEL"] else {
            throw XCTSkip("no vLLM server: run scripts/test_vllm.sh (starts vLLM on 127.0.0.1 and runs these tests)")
        }
        return (url, model)
    }

    func spec(out: String, url: String, model: String, concurrency: Int = 4, retries: Int = 5, topK: Int = 20, limit: Int = 12) throws -> PipelineSpec {
        let gsm = try SharedData.require("data/math/gsm8k/train.jsonl").path
        let tok = try SharedData.require("tokenizers/qwen3/tokenizer.json").path
        return try PipelineSpec.parse(yaml: """
            name: vllm
            seed: 3
            inputs:
              - {path: \(gsm), adapter: gsm8k, source: gsm8k-train, domain: math, limit: \(limit)}
            template: {kind: qwen3, tokenizer: \(tok)}
            stages:
              - filter: {max_tokens: 400}
              - score: {model: \(model), top_k: \(topK), scorer: {backend: vllm, url: \(url), concurrency: \(concurrency), retries: \(retries), timeout_s: 120}}
            output: {dir: \(out), unit_samples: 2, block_kb: 16}
            """)
    }

    func run(_ s: PipelineSpec, threads: Int = 2, resume: Bool = false) throws -> ShardManifest? {
        var o = RunOptions()
        o.resume = resume
        let p = ResolvedPipeline(spec: s, threads: threads)
        return try Executor.run(p, components: try ComponentLoader.load(p), options: o).manifest
    }

    /// Every file of a shard directory, by name.
    func files(_ dir: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for f in try FileManager.default.contentsOfDirectory(atPath: dir) where f.hasSuffix(".eaft") || f.hasPrefix("manifest") {
            out[f] = try AtomicFile.read(dir + "/" + f)
        }
        return out
    }

    /// Gates, p and H^K from vLLM equal the native scorer's on the same model and ids (f32 both sides).
    func testGatesEqualNativeScorer() throws {
        let (url, model) = try server()
        let out = try SharedData.tempDir("vllm-gates").path
        let m = try XCTUnwrap(try run(try spec(out: out, url: url, model: model)))
        XCTAssertNil(m.model)
        XCTAssertEqual(m.scorer?.backend, "vllm")
        XCTAssertEqual(m.scorer?.url.contains("<host>"), true, "the host is elided")
        let ds = try ShardDataset(directory: out)
        let native = try CausalLM.load(directory: model)
        var worst: [String: Float] = [:], checked = 0
        for i in 0..<ds.count {
            let s = try ds.sample(i)
            let sv = try XCTUnwrap(s.stats)
            XCTAssertNil(sv.entropy, "a server gives no full-vocabulary entropy")
            let st = try native.scoreTokens(ids: s.ids, topK: 20)
            for t in 1..<s.ids.count {
                for (k, a, b) in [("logprob", sv.logprob[t], st.logprob[t]), ("topk_entropy", sv.topKEntropy[t], st.topKEntropy[t]),
                                  ("gate", sv.gate[t], st.gate[t]), ("expected_logprob", sv.expectedLogprob![t], st.expectedLogprob![t])] {
                    worst[k] = max(worst[k] ?? 0, abs(a - b))
                }
                if sv.expectedID![t] != st.expectedID![t] {
                    // Only a near-tie of the two best logits may order differently.
                    XCTAssertLessThan(abs(sv.expectedLogprob![t] - st.expectedLogprob![t]), 1e-5, "expected token at \(i):\(t)")
                }
                checked += 1
            }
        }
        print("vllm vs native over \(checked) positions: \(worst.sorted { $0.key < $1.key })")
        XCTAssertGreaterThan(checked, 500)
        // Tolerance 1e-5 on p's log, H^K and the gate (issue 15): both sides are float32 and the
        // server's log-softmax is a float32 log-sum-exp over the whole vocabulary (151,936 here).
        // The expected token's log-probability is not part of that bar; it shares the same
        // float32 log-sum-exp and is held to 2e-5 (observed 1.0e-5).
        for (k, v) in worst { XCTAssertLessThanOrEqual(v, k == "expected_logprob" ? 2e-5 : 1e-5, "\(k): max |Δ| \(v)") }
    }

    /// Shards do not depend on how many requests are in flight, or on the worker count.
    func testShardsIdenticalAtConcurrency1And8() throws {
        let (url, model) = try server()
        let a = try SharedData.tempDir("vllm-c1").path, b = try SharedData.tempDir("vllm-c8").path
        _ = try run(try spec(out: a, url: url, model: model, concurrency: 1), threads: 1)
        _ = try run(try spec(out: b, url: url, model: model, concurrency: 8), threads: 2)
        let fa = try files(a), fb = try files(b)
        XCTAssertEqual(fa.keys.sorted(), fb.keys.sorted())
        for k in fa.keys { XCTAssertEqual(fa[k], fb[k], k) }
    }

    /// K above the server's --max-logprobs, or a model it does not serve: a clear error before any work.
    func testBadKAndUnknownModelFailBeforeWork() throws {
        let (url, model) = try server()
        let out = try SharedData.tempDir("vllm-k").path
        let s = try spec(out: out, url: url, model: model, topK: 64)
        XCTAssertThrowsError(try ComponentLoader.load(ResolvedPipeline(spec: s))) { e in
            XCTAssertTrue("\(e)".contains("greater than max allowed"), "\(e)")
        }
        let s2 = try spec(out: out, url: url, model: "no-such-model")
        XCTAssertThrowsError(try ComponentLoader.load(ResolvedPipeline(spec: s2))) { e in
            XCTAssertTrue("\(e)".contains("does not serve model 'no-such-model'"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/manifest.json"))
    }

    /// The server goes away mid-run (a loopback proxy in front of vLLM is killed) and comes back:
    /// eaft retries and the shards equal an uninterrupted run. Then eaft itself is killed while the
    /// server is away, and `--resume` after it is back gives the same bytes again.
    func testServerKillRetryAndResume() throws {
        let (url, model) = try server()
        guard let port = URL(string: url)?.port else { throw XCTSkip("EAFT_VLLM_URL needs a port") }
        let proxyPort = port + 17
        let proxyURL = "http://127.0.0.1:\(proxyPort)"
        var proxy = try startProxy(proxyPort, port)
        defer { proxy.terminate() }
        // The reference run goes through the proxy too (the manifest records the port).
        let ref = try SharedData.tempDir("vllm-ref").path
        _ = try run(try spec(out: ref, url: proxyURL, model: model, limit: 24))
        // 1. Retry: kill the proxy while the run is under way, restart it 2 s later.
        let out = try SharedData.tempDir("vllm-retry").path
        let s = try spec(out: out, url: proxyURL, model: model, concurrency: 1, limit: 24)
        let comps = try ComponentLoader.load(ResolvedPipeline(spec: s))
        let done = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var error: Error? }
        let box = Box()
        Thread.detachNewThread {
            do {
                var o = RunOptions()
                _ = try Executor.run(ResolvedPipeline(spec: s, threads: 1), components: comps, options: o)
            } catch { box.error = error }
            done.signal()
        }
        Thread.sleep(forTimeInterval: 0.5)
        proxy.terminate()
        proxy.waitUntilExit()
        Thread.sleep(forTimeInterval: 2)
        proxy = try startProxy(proxyPort, port)
        XCTAssertEqual(done.wait(timeout: .now() + 300), .success)
        XCTAssertNil(box.error)
        let want = try files(ref)
        XCTAssertEqual(try files(out), want, "shards after retries equal the uninterrupted run")

        // 2. Resume: the server goes away, eaft (the real binary) is killed while it retries,
        // the server comes back, `--resume` finishes with the same bytes.
        let out2 = try SharedData.tempDir("vllm-resume").path
        let specPath = out2 + "/../vllm-resume.yaml"
        try yaml(url: proxyURL, model: model, out: out2, limit: 24).write(toFile: specPath, atomically: true, encoding: .utf8)
        guard let bin = EAFTBinary.url else { throw XCTSkip("eaft binary not built next to the tests") }
        let p = Process()
        p.executableURL = bin
        p.arguments = ["run", specPath, "--threads", "1"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait for a first committed unit, then take the server away and kill eaft.
        let parts = out2 + "/.work/parts"
        var waited = 0.0
        while waited < 120, ((try? FileManager.default.contentsOfDirectory(atPath: parts))?.count ?? 0) < 2 {
            Thread.sleep(forTimeInterval: 0.05); waited += 0.05
        }
        proxy.terminate()
        proxy.waitUntilExit()
        Thread.sleep(forTimeInterval: 1)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: out2 + "/manifest.json"), "the run was killed before it finished")
        proxy = try startProxy(proxyPort, port)
        let r = try EAFTBinary.run(["run", specPath, "--resume", "--threads", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try files(out2), want, "shards after kill + --resume equal the uninterrupted run")
    }

    func yaml(url: String, model: String, out: String, limit: Int) throws -> String {
        let gsm = try SharedData.require("data/math/gsm8k/train.jsonl").path
        let tok = try SharedData.require("tokenizers/qwen3/tokenizer.json").path
        return """
            name: vllm
            seed: 3
            inputs:
              - {path: \(gsm), adapter: gsm8k, source: gsm8k-train, domain: math, limit: \(limit)}
            template: {kind: qwen3, tokenizer: \(tok)}
            stages:
              - filter: {max_tokens: 400}
              - score: {model: \(model), top_k: 20, scorer: {backend: vllm, url: \(url), concurrency: 1, retries: 5, timeout_s: 120}}
            output: {dir: \(out), unit_samples: 2, block_kb: 16}
            """
    }

    func startProxy(_ listen: Int, _ target: Int) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", SharedData.repo("scripts/tcp_proxy.py").path, String(listen), String(target)]
        let o = Pipe()
        p.standardOutput = o
        try p.run()
        _ = o.fileHandleForReading.availableData  // "ready"
        return p
    }
}
