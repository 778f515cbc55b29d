import Foundation

/// A rate–distortion plot as hand-written SVG: PSNR (dB) against bits per pixel, one polyline with markers
/// per curve, axes with ticks and labels, and a legend.
public enum RDPlot {
    public struct Curve: Sendable {
        public var name: String
        /// (bits per pixel, PSNR), in any order; drawn sorted by bits per pixel.
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    static let colours = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]

    /// The SVG document. `xMax` clips the x axis (points beyond are cut off at the frame); by default it
    /// covers every point.
    public static func svg(_ curves: [Curve], title: String, xMax: Double? = nil) -> String {
        let width = 720.0, height = 480.0
        let left = 64.0, right = 16.0, top = 36.0, bottom = 52.0
        let plotW = width - left - right, plotH = height - top - bottom
        let all = curves.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xLimit = xMax ?? (all.map(\.x).max() ?? 1)
        let shown = all.filter { $0.x <= xLimit }
        let xTicks = ticks(0, max(xLimit, 1e-9))
        let yTicks = ticks(shown.map(\.y).min() ?? 0, shown.map(\.y).max() ?? 1)
        let x0 = xTicks.first!, x1 = xTicks.last!, y0 = yTicks.first!, y1 = yTicks.last!
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (y - y0) / (y1 - y0) * plotH }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <defs><clipPath id="plot"><rect x="\(f(left))" y="\(f(top))" width="\(f(plotW))" height="\(f(plotH))"/></clipPath></defs>
        <text x="\(f(width / 2))" y="22" text-anchor="middle" font-size="14">\(escape(title))</text>

        """
        // Grid, ticks and tick labels.
        for t in xTicks {
            s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH))\" stroke=\"#e0e0e0\"/>\n"
            s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top + plotH))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH + 5))\" stroke=\"black\"/>\n"
            s += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\">\(label(t, xTicks))</text>\n"
        }
        for t in yTicks {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(t)))\" stroke=\"#e0e0e0\"/>\n"
            s += "<line x1=\"\(f(left - 5))\" y1=\"\(f(py(t)))\" x2=\"\(f(left))\" y2=\"\(f(py(t)))\" stroke=\"black\"/>\n"
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(label(t, yTicks))</text>\n"
        }
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"black\"/>\n"
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">bits per pixel</text>\n"
        s += "<text x=\"16\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(top + plotH / 2)))\">mean PSNR (dB)</text>\n"

        // Curves.
        s += "<g clip-path=\"url(#plot)\">\n"
        for (i, curve) in curves.enumerated() {
            let colour = colours[i % colours.count]
            let points = curve.points.filter { $0.x.isFinite && $0.y.isFinite }.sorted { $0.x < $1.x }
            let path = points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\"/>\n"
            for p in points {
                s += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"2.8\" fill=\"\(colour)\"/>\n"
            }
        }
        s += "</g>\n"

        // Legend, bottom right (where rate–distortion curves leave room).
        let rowH = 18.0
        let legendW = 16 + 28 + 7.0 * Double(curves.map(\.name.count).max() ?? 4)
        let legendH = rowH * Double(curves.count) + 8
        let lx = left + plotW - legendW - 8, ly = top + plotH - legendH - 8
        s += "<rect x=\"\(f(lx))\" y=\"\(f(ly))\" width=\"\(f(legendW))\" height=\"\(f(legendH))\" fill=\"white\" stroke=\"#999999\"/>\n"
        for (i, curve) in curves.enumerated() {
            let colour = colours[i % colours.count]
            let y = ly + 4 + rowH * (Double(i) + 0.5)
            s += "<line x1=\"\(f(lx + 8))\" y1=\"\(f(y))\" x2=\"\(f(lx + 32))\" y2=\"\(f(y))\" stroke=\"\(colour)\" stroke-width=\"1.8\"/>\n"
            s += "<circle cx=\"\(f(lx + 20))\" cy=\"\(f(y))\" r=\"2.8\" fill=\"\(colour)\"/>\n"
            s += "<text x=\"\(f(lx + 40))\" y=\"\(f(y + 4))\">\(escape(curve.name))</text>\n"
        }
        s += "</svg>\n"
        return s
    }

    /// Round tick values covering lo...hi: a step of 1, 2 or 5 × 10^k giving 4 to 10 intervals.
    public static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        var lo = lo, hi = hi
        if !(hi > lo) { lo -= 1; hi += 1 }
        let raw = (hi - lo) / 6
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = floor(lo / step) * step, last = ceil(hi / step) * step
        let count = Int(((last - first) / step).rounded())
        return (0...count).map { first + Double($0) * step }
    }

    static func label(_ value: Double, _ ticks: [Double]) -> String {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        let decimals = max(0, Int(ceil(-log10(step) - 1e-9)))
        return String(format: "%.\(decimals)f", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
