import Foundation

/// Self-contained HTML rendering of an `AuditReport` with inline SVG figures
/// (probability × entropy density map as in the EAFT paper's Figure 1, gate histogram, per-source bars).
extension AuditReport {
    public func html() -> String {
        func esc(_ s: String) -> String { Self.escape(s) }
        func pct(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }
        func f(_ x: Double) -> String { String(format: "%.4g", x) }
        var rows = ""
        func row(_ name: String, _ g: AuditGroup) {
            rows += "<tr><td>\(name)</td><td>\(g.samples)</td><td>\(g.labelTokens)</td><td>\(f(g.meanGate))</td><td>\(f(g.probabilityQuantiles[2]))</td><td>\(f(g.entropyQuantiles[2]))</td><td>\(pct(g.conflictRatePercentile))</td><td>\(pct(g.conflictRateAbsolute))</td><td>\(pct(g.gradShareConflictPercentile))</td><td>\(pct(g.gradShareConflictAbsolute))</td></tr>\n"
        }
        row("<b>all</b>", dataset)
        for k in bySource.keys.sorted() { row("source <code>\(esc(k))</code>", bySource[k]!) }
        for k in byDomain.keys.sorted() { row("domain <code>\(esc(k))</code>", byDomain[k]!) }
        var top = ""
        for t in topConflictingSamples {
            top += "<tr><td>\(t.index)</td><td><code>\(esc(t.id))</code></td><td>\(esc(t.source))</td><td>\(t.conflictTokens)</td><td>\(t.labelTokens)</td><td>\(pct(t.conflictRate))</td></tr>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>eaft audit</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
            h1{font-size:22px} h2{font-size:17px;margin-top:28px}
            table{border-collapse:collapse;font-size:13px;margin:8px 0} td,th{border:1px solid #ccc;padding:4px 8px;text-align:right;white-space:nowrap}
            td:first-child,th:first-child{text-align:left} td code{white-space:nowrap} th{background:#f3f3f3}
            .figs{display:flex;flex-wrap:wrap;gap:24px} figure{margin:0} figcaption{font-size:12px;color:#555;max-width:480px}
            .note{font-size:12px;color:#555;max-width:900px}
            </style></head><body>
            <h1>Confident-conflict audit</h1>
            <p class="note"><code>\(esc(directory))</code> — entropy: \(entropy == "full" ? "full vocabulary" : "top-\(topK)") (nats), gate = H<sup>K</sup>/ln K with K = \(topK).
            Percentile definition: p ≤ \(f(pThreshold)) and H ≤ \(f(entropyThreshold)) (bottom \(Int(percentile))% of the dataset's label tokens).
            Absolute definition: H ≤ \(absEntropy) nats and p ≤ \(absProbability).</p>
            <table><tr><th>group</th><th>samples</th><th>label tokens</th><th>mean gate</th><th>median p</th><th>median H</th><th>conflicts (pct)</th><th>conflicts (abs)</th><th>grad share (pct)</th><th>grad share (abs)</th></tr>
            \(rows)</table>
            <div class="figs">
            <figure>\(densitySVG())<figcaption>Label tokens by entropy H (x) and probability p (y, log scale; p &lt; 1e-6 in the bottom row), colour = log count. Confident conflicts sit bottom-left: dashed = percentile definition, dotted = absolute.</figcaption></figure>
            <figure>\(gateSVG())<figcaption>Gate g = H<sup>K</sup>/ln K over label tokens.</figcaption></figure>
            <figure>\(sourceSVG())<figcaption>Confident-conflict rate per source (dark: percentile definition, light: absolute).</figcaption></figure>
            </div>
            <h2>Most conflicting samples</h2>
            <table><tr><th>#</th><th>id</th><th>source</th><th>conflict tokens</th><th>label tokens</th><th>rate</th></tr>
            \(top)</table>
            \(conflictPairsHTML())
            \(tokenViewHTML())
            <p class="note">Gradient share: \(esc(gradientNormApproximation))</p>
            </body></html>

            """
    }

    private func axis(_ x0: Double, _ y0: Double, _ w: Double, _ h: Double, xLabel: String, yLabel: String, xTicks: [(Double, String)], yTicks: [(Double, String)]) -> String {
        var s = "<rect x=\"\(x0)\" y=\"\(y0)\" width=\"\(w)\" height=\"\(h)\" fill=\"none\" stroke=\"#333\"/>"
        for (fx, t) in xTicks {
            let x = x0 + fx * w
            s += "<line x1=\"\(x)\" y1=\"\(y0 + h)\" x2=\"\(x)\" y2=\"\(y0 + h + 4)\" stroke=\"#333\"/><text x=\"\(x)\" y=\"\(y0 + h + 16)\" font-size=\"11\" text-anchor=\"middle\">\(t)</text>"
        }
        for (fy, t) in yTicks {
            let y = y0 + h - fy * h
            s += "<line x1=\"\(x0 - 4)\" y1=\"\(y)\" x2=\"\(x0)\" y2=\"\(y)\" stroke=\"#333\"/><text x=\"\(x0 - 7)\" y=\"\(y + 4)\" font-size=\"11\" text-anchor=\"end\">\(t)</text>"
        }
        s += "<text x=\"\(x0 + w / 2)\" y=\"\(y0 + h + 32)\" font-size=\"12\" text-anchor=\"middle\">\(xLabel)</text>"
        s += "<text transform=\"translate(\(x0 - 46),\(y0 + h / 2)) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">\(yLabel)</text>"
        return s
    }

    func densitySVG() -> String {
        let x0 = 62.0, y0 = 10.0, w = 400.0, h = 300.0
        let nh = density.count, np = density.first?.count ?? 1
        let maxC = Double(density.flatMap { $0 }.max() ?? 1)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"490\" height=\"360\" viewBox=\"0 0 490 360\">"
        s += "<rect x=\"\(x0)\" y=\"\(y0)\" width=\"\(w)\" height=\"\(h)\" fill=\"#fff\"/>"
        let cw = w / Double(nh), ch = h / Double(np)
        for hi in 0..<nh {
            for pi in 0..<np where density[hi][pi] > 0 {
                let v = log(1 + Double(density[hi][pi])) / log(1 + maxC)
                // viridis-like ramp from dark purple to yellow
                let r = Int(68 + v * (253 - 68)), g = Int(1 + v * (231 - 1)), b = Int(84 + v * (37 - 84))
                s += "<rect x=\(String(format: "\"%.2f\"", x0 + Double(hi) * cw)) y=\(String(format: "\"%.2f\"", y0 + h - Double(pi + 1) * ch)) width=\(String(format: "\"%.2f\"", cw + 0.3)) height=\(String(format: "\"%.2f\"", ch + 0.3)) fill=\"rgb(\(r),\(g),\(b))\"/>"
            }
        }
        func box(_ hx: Double, _ py: Double, _ dash: String, _ color: String) -> String {
            let bw = min(1, hx / densityHMax) * w, bh = min(1, max(0, (log10(max(py, 1e-6)) + 6) / 6)) * h
            return "<rect x=\"\(x0)\" y=\"\(y0 + h - bh)\" width=\"\(bw)\" height=\"\(bh)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-dasharray=\"\(dash)\"/>"
        }
        s += box(entropyThreshold, pThreshold, "6,3", "#e4003a")
        s += box(absEntropy, absProbability, "2,2", "#00a0e4")
        let xt = (0...4).map { (Double($0) / 4, String(format: "%.1f", densityHMax * Double($0) / 4)) }
        let yt = (0...6).map { (Double($0) / 6, $0 == 6 ? "1" : "1e-\(6 - $0)") }
        s += axis(x0, y0, w, h, xLabel: "entropy H (nats)", yLabel: "probability p of the label (log scale)", xTicks: xt, yTicks: yt)
        return s + "</svg>"
    }

    func gateSVG() -> String {
        let x0 = 62.0, y0 = 10.0, w = 360.0, h = 240.0
        let maxC = Double(gateHistogram.max() ?? 1)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"440\" height=\"300\" viewBox=\"0 0 440 300\">"
        let bw = w / Double(gateHistogram.count)
        for (i, c) in gateHistogram.enumerated() where c > 0 {
            let bh = Double(c) / max(1, maxC) * h
            s += "<rect x=\(String(format: "\"%.2f\"", x0 + Double(i) * bw)) y=\(String(format: "\"%.2f\"", y0 + h - bh)) width=\(String(format: "\"%.2f\"", bw - 1)) height=\(String(format: "\"%.2f\"", bh)) fill=\"#4c72b0\"/>"
        }
        let xt = (0...4).map { (Double($0) / 4, String(format: "%.2f", Double($0) / 4)) }
        let yt = (0...2).map { k -> (Double, String) in
            let v = Int(maxC * Double(k) / 2)
            return (Double(k) / 2, v >= 10_000 ? "\(v / 1000)k" : String(v))
        }
        s += axis(x0, y0, w, h, xLabel: "gate g", yLabel: "label tokens", xTicks: xt, yTicks: yt)
        return s + "</svg>"
    }

    func sourceSVG() -> String {
        let names = bySource.keys.sorted()
        let x0 = 62.0, y0 = 10.0, h = 240.0
        let w = max(200.0, Double(names.count) * 60)
        let maxR = max(0.01, names.map { max(bySource[$0]!.conflictRatePercentile, bySource[$0]!.conflictRateAbsolute) }.max() ?? 0.01) * 1.1
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w + 150))\" height=\"330\" viewBox=\"0 0 \(Int(w + 150)) 330\">"
        let gw = w / Double(max(1, names.count))
        for (i, n) in names.enumerated() {
            let g = bySource[n]!
            let a = g.conflictRatePercentile / maxR * h, b = g.conflictRateAbsolute / maxR * h
            let gx = x0 + Double(i) * gw
            s += "<rect x=\"\(gx + gw * 0.15)\" y=\"\(y0 + h - a)\" width=\"\(gw * 0.33)\" height=\"\(a)\" fill=\"#8b1a1a\"/>"
            s += "<rect x=\"\(gx + gw * 0.5)\" y=\"\(y0 + h - b)\" width=\"\(gw * 0.33)\" height=\"\(b)\" fill=\"#e89a9a\"/>"
            let label = n.count > 14 ? String(n.prefix(13)) + "…" : n
            s += "<text transform=\"translate(\(gx + gw / 2),\(y0 + h + 12)) rotate(25)\" font-size=\"11\">\(label.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;"))</text>"
        }
        let yt = (0...4).map { (Double($0) / 4, String(format: "%.1f%%", maxR * Double($0) / 4 * 100)) }
        s += axis(x0, y0, w, h, xLabel: "", yLabel: "conflict rate", xTicks: [], yTicks: yt)
        return s + "</svg>"
    }
}
