import Foundation

/// The HTML audit's conflict sections: the top (label → expected) pairs per source, and the
/// token view of the most conflicting samples. Every token of a viewed sample is a `<span>`
/// carrying `data-p`, `data-h`, `data-gate` and `data-expected` (the decoded expected token,
/// or empty when the shards lack it); label tokens are coloured by gate, confident conflicts
/// outlined. Hovering shows the values in a fixed panel; a switch shows the whole text, the
/// assistant part or the prompt part. Inline CSS and JS only: the file stays self-contained.
extension AuditReport {
    static func escape(_ s: String) -> String {
        var o = ""
        o.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "\r": o += "&#13;"  // a raw CR would be normalised away by the HTML parser
            default: o.unicodeScalars.append(c)
            }
        }
        return o
    }

    /// A number as written in the data attributes: 6 significant digits.
    static func attr(_ x: Float) -> String { String(format: "%.6g", Double(x)) }

    func conflictPairsHTML() -> String {
        var s = "<h2>Top conflict patterns</h2>\n"
        guard hasExpected else {
            return s + "<p class=\"note\">These shards do not store the base model's expected token (shard format v1, or a scorer without it).</p>\n"
        }
        s += "<p class=\"note\">Per source, the most frequent pairs (label token → the base model's most probable token) among confident conflicts (percentile definition).</p>\n"
        s += "<table class=\"pairs\"><tr><th>source</th><th>label</th><th>expected</th><th>count</th><th>example</th></tr>\n"
        for k in topConflictPairs.keys.sorted() {
            for p in topConflictPairs[k]! {
                s += "<tr><td>\(Self.escape(k))</td><td><code class=\"tok\">\(Self.escape(Self.visible(p.label)))</code> \(p.labelID)</td>"
                    + "<td><code class=\"tok\">\(Self.escape(Self.visible(p.expected)))</code> \(p.expectedID)</td><td>\(p.count)</td>"
                    + "<td><code>\(Self.escape(p.exampleID))</code></td></tr>\n"
            }
        }
        return s + "</table>\n"
    }

    /// Whitespace made visible in tables (the token view keeps real whitespace).
    static func visible(_ t: String) -> String {
        t.replacingOccurrences(of: "\n", with: "↵").replacingOccurrences(of: "\t", with: "⇥").replacingOccurrences(of: " ", with: "·")
    }

    func tokenViewHTML() -> String {
        guard !tokenView.isEmpty else { return "" }
        var s = """
            <h2>Conflicts in context</h2>
            <style>
            .tv{white-space:pre-wrap;word-break:break-word;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;line-height:1.7;border:1px solid #ddd;padding:8px;margin:6px 0 18px;max-height:420px;overflow:auto}
            .tv span{border-radius:2px}
            .tv .pr{color:#888}
            .tv .lb{background:hsl(calc(var(--g)*120),75%,82%)}
            .tv .cc{outline:2px solid #b00;outline-offset:-1px}
            .only-assistant .tv .pr,.only-prompt .tv .lb{display:none}
            #tokinfo{position:sticky;bottom:0;background:#fffbe6;border:1px solid #e6d48a;padding:6px 10px;font-size:13px;min-height:1.4em;font-family:ui-monospace,Menlo,Consolas,monospace}
            code.tok{background:#f3f3f3;padding:0 3px}
            </style>
            <p class="note">The most conflicting samples of each source, token by token. Label (assistant) tokens are coloured by gate
            (red = low gate, green = high), confident conflicts (percentile definition) are outlined; prompt tokens are grey.
            Hover a token for p, H, gate and the token the base model expected.
            Show: <label><input type="radio" name="tvmode" value="all" checked> all</label>
            <label><input type="radio" name="tvmode" value="assistant"> assistant part</label>
            <label><input type="radio" name="tvmode" value="prompt"> prompt part</label></p>

            """
        for v in tokenView {
            s += "<h3 style=\"font-size:14px\">#\(v.index) <code>\(Self.escape(v.id))</code> — \(Self.escape(v.source)), \(v.conflictTokens) conflict tokens</h3>\n"
            s += "<div class=\"tv\" data-sample=\"\(Self.escape(v.id))\"><span class=\"pr\">\(Self.escape(v.firstText))</span>"
            for t in v.tokens {
                let cls = t.label ? (t.conflict ? "lb cc" : "lb") : "pr"
                let style = t.label ? " style=\"--g:\(String(format: "%.3f", Double(t.gate)))\"" : ""
                s += "<span class=\"\(cls)\"\(style) data-p=\"\(Self.attr(t.p))\" data-h=\"\(Self.attr(t.h))\" data-gate=\"\(Self.attr(t.gate))\""
                s += " data-expected=\"\(Self.escape(t.expected ?? ""))\">\(Self.escape(t.text))</span>"
            }
            if v.truncated > 0 { s += "<span class=\"pr\"> … (\(v.truncated) more tokens)</span>" }
            s += "</div>\n"
        }
        s += """
            <div id="tokinfo">hover a token</div>
            <script>
            (function () {
              var info = document.getElementById("tokinfo");
              document.addEventListener("mouseover", function (e) {
                var t = e.target;
                if (!t || !t.dataset || t.dataset.gate === undefined) return;
                info.textContent = "p = " + t.dataset.p + "   H = " + t.dataset.h + " nats   gate = " + t.dataset.gate +
                  "   token = " + JSON.stringify(t.textContent) +
                  (t.dataset.expected ? "   expected = " + JSON.stringify(t.dataset.expected) : "");
              });
              var radios = document.querySelectorAll("input[name=tvmode]");
              for (var i = 0; i < radios.length; i++) {
                radios[i].addEventListener("change", function (e) {
                  document.body.classList.toggle("only-assistant", e.target.value === "assistant");
                  document.body.classList.toggle("only-prompt", e.target.value === "prompt");
                });
              }
              document.body.setAttribute("data-ready", "1");
            })();
            </script>

            """
        return s
    }
}
