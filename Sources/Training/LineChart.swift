import Foundation

/// A self-contained SVG line chart (no scripts, no external assets): the training report's
/// loss curves and `eaft plot` (the forgetting experiment's Figure 4-style curves).
public struct LineChart: Sendable, Codable, Equatable {
    /// One line; `low`/`high` (same length as `points`) draw a shaded band, e.g. the seed range.
    public struct Series: Sendable, Codable, Equatable {
        public var name: String
        public var color: String
        /// `solid`, `dashed` or `dotted`.
        public var dash: String?
        /// (x, y) pairs.
        public var points: [[Double]]
        public var low: [Double]?
        public var high: [Double]?
        public init(name: String, color: String, dash: String? = nil, points: [[Double]], low: [Double]? = nil, high: [Double]? = nil) {
            self.name = name; self.color = color; self.dash = dash; self.points = points; self.low = low; self.high = high
        }
    }
    public var title: String?
    public var xLabel: String
    public var yLabel: String?
    public var series: [Series]
    public var width: Double?
    public var height: Double?
    enum CodingKeys: String, CodingKey { case title, xLabel = "x_label", yLabel = "y_label", series, width, height }

    public init(title: String? = nil, xLabel: String, yLabel: String? = nil, series: [Series]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// The SVG document. Non-finite values are skipped; the y range covers lines and bands.
    public func svg() -> String {
        var ys: [Double] = [], xs: [Double] = []
        for s in series {
            for p in s.points where p.count == 2 && p[0].isFinite && p[1].isFinite { xs.append(p[0]); ys.append(p[1]) }
            ys += (s.low ?? []).filter(\.isFinite) + (s.high ?? []).filter(\.isFinite)
        }
        let w = width ?? 720, h = height ?? 400, l = 64.0, r = 220.0, t = title == nil ? 20.0 : 34.0, b = 40.0
        let x0 = xs.min() ?? 0, x1 = max(xs.max() ?? 1, x0 + 1)
        var y0 = ys.min() ?? 0, y1 = ys.max() ?? 1
        if y1 - y0 < 1e-9 { y0 -= 0.5; y1 += 0.5 }
        let pad = (y1 - y0) * 0.04
        y0 -= pad; y1 += pad
        func px(_ x: Double) -> Double { l + (x - x0) / (x1 - x0) * (w - l - r) }
        func py(_ y: Double) -> Double { t + (1 - (y - y0) / (y1 - y0)) * (h - t - b) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        if let title { s += String(format: "<text x=\"%.1f\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">", (l + w - r) / 2) + Self.esc(title) + "</text>\n" }
        s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", l, h - b, w - r, h - b)
        s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", l, t, l, h - b)
        for i in 0...4 {
            let yv = y0 + (y1 - y0) * Double(i) / 4, xv = x0 + (x1 - x0) * Double(i) / 4
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n", l - 4, py(yv) + 4, yv)
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>\n", px(xv), h - b + 14, xv)
        }
        s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", (l + w - r) / 2, h - 6) + Self.esc(xLabel) + "</text>\n"
        if let yLabel {
            s += String(format: "<text transform=\"translate(14 %.1f) rotate(-90)\" text-anchor=\"middle\">", (t + h - b) / 2) + Self.esc(yLabel) + "</text>\n"
        }
        for (i, se) in series.enumerated() {
            let pts = se.points.filter { $0.count == 2 && $0[0].isFinite && $0[1].isFinite }
            let dash = se.dash == "dashed" ? " stroke-dasharray=\"6 3\"" : se.dash == "dotted" ? " stroke-dasharray=\"2 2\"" : ""
            if let lo = se.low, let hi = se.high, lo.count == se.points.count, hi.count == se.points.count, !pts.isEmpty {
                var poly: [String] = []
                for (p, v) in zip(se.points, hi) where p.count == 2 && p[0].isFinite && v.isFinite { poly.append(String(format: "%.1f,%.1f", px(p[0]), py(v))) }
                for (p, v) in zip(se.points, lo).reversed() where p.count == 2 && p[0].isFinite && v.isFinite { poly.append(String(format: "%.1f,%.1f", px(p[0]), py(v))) }
                s += "<polygon fill=\"\(Self.esc(se.color))\" fill-opacity=\"0.15\" stroke=\"none\" points=\"\(poly.joined(separator: " "))\"/>\n"
            }
            if !pts.isEmpty {
                let coords = pts.map { String(format: "%.1f,%.1f", px($0[0]), py($0[1])) }.joined(separator: " ")
                s += "<polyline fill=\"none\" stroke=\"\(Self.esc(se.color))\" stroke-width=\"1.5\"\(dash) points=\"\(coords)\"/>\n"
            }
            let ly = t + 14 * Double(i)
            s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"", w - r + 10, ly, w - r + 30, ly)
                + " stroke=\"\(Self.esc(se.color))\" stroke-width=\"2\"\(dash)/>\n"
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\">", w - r + 34, ly + 4) + Self.esc(se.name) + "</text>\n"
        }
        s += "</svg>\n"
        return s
    }
}
