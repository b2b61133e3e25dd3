import Foundation

/// A line chart drawn on the server as a self-contained SVG string (no script, no external
/// resources), for trends such as monthly 办结率 or daily case counts.
public struct SVGLineChart: Sendable, Equatable {
    public struct Series: Sendable, Equatable {
        public var label: String
        /// One per x label; `.nan` for a period with no value leaves a gap in the line.
        public var values: [Double]
        /// Any CSS colour, e.g. "#2f6fde".
        public var color: String

        public init(label: String, values: [Double], color: String) {
            self.label = label
            self.values = values
            self.color = color
        }
    }

    /// The accessible name (aria-label and `<title>`).
    public var title: String
    public var xLabels: [String]
    public var series: [Series]
    public var width: Double
    public var height: Double
    public var valueStyle: ChartValueStyle
    public var insets: ChartInsets

    public init(title: String, xLabels: [String], series: [Series], width: Double = 640, height: Double = 320,
                valueStyle: ChartValueStyle = .number,
                insets: ChartInsets = ChartInsets(top: 16, right: 24, bottom: 56, left: 56)) {
        self.title = title
        self.xLabels = xLabels
        self.series = series
        self.width = width
        self.height = height
        self.valueStyle = valueStyle
        self.insets = insets
    }

    /// The y axis runs from 0 to this.
    public var yMax: Double {
        SVGChart.niceMax(series.flatMap(\.values).filter(\.isFinite).max() ?? 0)
    }

    var pointCount: Int { max(xLabels.count, series.map(\.values.count).max() ?? 0) }

    var plot: (x0: Double, y0: Double, x1: Double, y1: Double) {
        let x0 = insets.left, y0 = insets.top
        return (x0, y0, max(x0 + 1, width - insets.right), max(y0 + 1, height - insets.bottom))
    }

    /// Evenly spread from the left to the right edge of the plot; a single point sits in the middle. `count` is
    /// `pointCount`, worked out once per drawing (each point asked for it again, and `yMax` scanned every value).
    func x(_ i: Int, count: Int) -> Double {
        let p = plot
        return count <= 1 ? (p.x0 + p.x1) / 2 : p.x0 + Double(i) * (p.x1 - p.x0) / Double(count - 1)
    }

    /// Negative values are drawn on the baseline: the axis starts at 0, and runs to `top` (`yMax`).
    func y(_ v: Double, top: Double) -> Double {
        let p = plot
        return p.y1 - min(max(v, 0), top) / top * (p.y1 - p.y0)
    }

    public func svg() -> String {
        let p = plot, top = yMax, count = pointCount
        let x = { (i: Int) in self.x(i, count: count) }, y = { (v: Double) in self.y(v, top: top) }
        var s = SVGChart.open(width: width, height: height, label: title)

        for tick in SVGChart.ticks(upTo: top) {
            let ty = y(tick)
            s += #"<line x1="\#(SVGChart.n(p.x0))" y1="\#(SVGChart.n(ty))" x2="\#(SVGChart.n(p.x1))" y2="\#(SVGChart.n(ty))" stroke="\#(tick == 0 ? SVGChart.axisColor : SVGChart.gridColor)"/>"#
            s += SVGChart.text(valueStyle.label(tick), x: p.x0 - 6, y: ty + 4, anchor: "end")
        }

        // Thin the x labels so they never overlap (about one per 56 px).
        let every = max(1, Int((Double(count) * 56 / max(p.x1 - p.x0, 1)).rounded(.up)))
        for (i, label) in xLabels.enumerated() where i % every == 0 {
            s += SVGChart.text(label, x: x(i), y: p.y1 + 18, anchor: "middle")
        }

        if series.allSatisfy({ $0.values.allSatisfy { !$0.isFinite } }) {
            s += SVGChart.text("暂无数据", x: (p.x0 + p.x1) / 2, y: (p.y0 + p.y1) / 2, anchor: "middle",
                               fill: SVGChart.axisColor)
        }

        for line in series {
            let color = SVGChart.esc(line.color)
            // One polyline per unbroken run, so a missing period is a gap rather than a dip to 0.
            var runs: [[Int]] = [[]]
            for (i, v) in line.values.enumerated() {
                if v.isFinite { runs[runs.count - 1].append(i) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
            }
            for run in runs where run.count > 1 {
                let points = run.map { "\(SVGChart.n(x($0))),\(SVGChart.n(y(line.values[$0])))" }.joined(separator: " ")
                s += #"<polyline points="\#(points)" fill="none" stroke="\#(color)" stroke-width="2" stroke-linejoin="round"/>"#
            }
            for (i, v) in line.values.enumerated() where v.isFinite {
                let xLabel = i < xLabels.count ? xLabels[i] + " " : ""
                s += #"<circle cx="\#(SVGChart.n(x(i)))" cy="\#(SVGChart.n(y(v)))" r="3" fill="\#(color)">"#
                    + "<title>\(SVGChart.esc("\(line.label) · \(xLabel)\(valueStyle.label(v))"))</title></circle>"
            }
        }

        // Legend along the bottom, left to right.
        var lx = p.x0
        let ly = height - 14
        for line in series {
            s += #"<rect x="\#(SVGChart.n(lx))" y="\#(SVGChart.n(ly - 9))" width="12" height="4" fill="\#(SVGChart.esc(line.color))"/>"#
            s += SVGChart.text(line.label, x: lx + 16, y: ly - 3)
            lx += 16 + Double(line.label.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 12 : 7) }) + 20
        }
        return s + "</svg>"
    }
}
