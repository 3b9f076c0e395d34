import Core
import ArgumentParser
import Foundation
import Jinja
import Records

/// `eaft template bench`: time the rendering of conversations with a chat template (for
/// bench/template_compare.sh, which times transformers on the same input in the same run).
struct TemplateBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Time rendering conversations (JSON lines) with a chat template.",
        discussion: """
            Reads the conversations once ({"messages", "tools"?, "documents"?} per line, e.g. \
            shared/chat-templates/conversations.jsonl), then renders each one --repeat times as \
            apply_chat_template(messages, tools=tools, tokenize=False) would, and prints one JSON line: \
            {"conversations", "renders", "seconds", "us_per_render", "chars"}.
            """)

    @Option(help: "A .jinja file, a tokenizer_config.json, or a model folder.")
    var template: String

    @Option(help: "JSON-lines conversations.")
    var input: String

    @Option(name: .customLong("repeat"), help: "Renders per conversation.")
    var repeats: Int = 20

    @Option(help: "Special tokens as JSON, e.g. {\"eos_token\": \"<|im_end|>\"} (default: from the config, if any).")
    var specialTokens: String?

    func run() throws {
        let src = try TemplateSource.load(path: template)
        var special = src.specialTokens
        if let s = specialTokens { special = try JSONParser.parse(s).objectValue ?? special }
        let reader = try LineReader(path: input)
        var reqs: [ChatRequest] = []
        while let line = try reader.next() {
            if line.isEmpty { continue }
            var r = try ChatRequest(json: try JSONParser.parse(line))
            r.specialTokens = special
            reqs.append(r)
        }
        let renderer = try ChatRenderer(source: try src.select())
        var chars = 0, errors = 0
        // One untimed pass (warm-up), then the timed passes.
        var charsPerPass = 0
        for r in reqs { charsPerPass += (try? renderer.render(r))?.unicodeScalars.count ?? 0 }
        let t0 = DispatchTime.now().uptimeNanoseconds, c0 = ProcessStats.cpuSeconds()
        for _ in 0..<repeats {
            for r in reqs {
                do { _ = try renderer.render(r) } catch { errors += 1 }
            }
        }
        let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, cpu = ProcessStats.cpuSeconds() - c0
        chars = charsPerPass * repeats
        let n = reqs.count * repeats
        let out: JSONValue = ["conversations": .int(Int64(reqs.count)), "renders": .int(Int64(n)), "errors": .int(Int64(errors)),
                              "seconds": .double((secs * 1e6).rounded() / 1e6), "us_per_render": .double((secs / Double(n) * 1e7).rounded() / 10),
                              "cpu_seconds": .double((cpu * 1e6).rounded() / 1e6), "cpu_us_per_render": .double((cpu / Double(n) * 1e7).rounded() / 10),
                              "chars": .int(Int64(chars))]
        print(out.description)
    }
}
