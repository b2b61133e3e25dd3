import Foundation

/// Horizontal bars with labels and values, for top categories and rankings. Height follows from
/// the number of bars, so a list of 20 townships stays readable.
public struct SVGBarChart: Sendable, Equatable {
    public struct Bar: Sendable, Equatable {
        public var label: String
        /// `.nan` for no value: no bar, shown as "—".
        public var value: Double
        /// A CSS colour; nil uses the chart's colour.
        public var color: String?

        public init(label: String, value: Double, color: String? = nil) {
            self.label = label
            self.value = value
            self.color = color
        }
    }

    public var title: String
    public var bars: [Bar]
    public var width: Double
    public var barHeight: Double
    public var gap: Double
    /// Room on the left for the labels.
    public var labelWidth: Double
    public var color: String
    public var valueStyle: ChartValueStyle

    public init(title: String, bars: [Bar], width: Double = 640, barHeight: Double = 22, gap: Double = 8,
                labelWidth: Double = 140, color: String = "#2f6fde", valueStyle: ChartValueStyle = .number) {
        self.title = title
        self.bars = bars
        self.width = width
        self.barHeight = barHeight
        self.gap = gap
        self.labelWidth = labelWidth
        self.color = color
        self.valueStyle = valueStyle
    }

    static let top = 12.0, axisBand = 28.0, valueBand = 64.0

    public var height: Double {
        Self.top + Double(max(bars.count, 1)) * (barHeight + gap) + Self.axisBand
    }

    public var xMax: Double { SVGChart.niceMax(bars.map(\.value).filter(\.isFinite).max() ?? 0) }

    var plot: (x0: Double, x1: Double) { (labelWidth, max(labelWidth + 1, width - Self.valueBand)) }

    /// `top` is `xMax`, worked out once per drawing: each bar scanned every bar's value again for it.
    func barLength(_ v: Double, top: Double) -> Double {
        guard v.isFinite else { return 0 }
        return min(max(v, 0), top) / top * (plot.x1 - plot.x0)
    }

    public func svg() -> String {
        let p = plot, top = xMax, h = height
        let axisY = h - Self.axisBand
        var s = SVGChart.open(width: width, height: h, label: title)

        for tick in SVGChart.ticks(upTo: top) {
            let tx = p.x0 + tick / top * (p.x1 - p.x0)
            s += #"<line x1="\#(SVGChart.n(tx))" y1="\#(SVGChart.n(Self.top))" x2="\#(SVGChart.n(tx))" y2="\#(SVGChart.n(axisY))" stroke="\#(tick == 0 ? SVGChart.axisColor : SVGChart.gridColor)"/>"#
            s += SVGChart.text(valueStyle.label(tick), x: tx, y: axisY + 16, anchor: "middle")
        }

        if bars.isEmpty {
            s += SVGChart.text("暂无数据", x: (p.x0 + p.x1) / 2, y: Self.top + barHeight / 2 + 4, anchor: "middle",
                               fill: SVGChart.axisColor)
        }

        for (i, bar) in bars.enumerated() {
            let by = Self.top + Double(i) * (barHeight + gap) + gap / 2
            let midY = by + barHeight / 2 + 4
            let valueText = bar.value.isFinite ? valueStyle.label(bar.value) : ExportText.missing
            let length = barLength(bar.value, top: top)
            s += "<g>"
            s += "<title>\(SVGChart.esc("\(bar.label):\(valueText)"))</title>"
            s += SVGChart.text(SVGChart.shortened(bar.label, maxWidth: labelWidth - 12), x: p.x0 - 8, y: midY, anchor: "end")
            s += #"<rect x="\#(SVGChart.n(p.x0))" y="\#(SVGChart.n(by))" width="\#(SVGChart.n(length))" height="\#(SVGChart.n(barHeight))" fill="\#(SVGChart.esc(bar.color ?? color))"/>"#
            s += SVGChart.text(valueText, x: p.x0 + length + 6, y: midY)
            s += "</g>"
        }
        return s + "</svg>"
    }
}
