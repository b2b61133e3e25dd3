import Foundation

/// How chart values are labelled: plain numbers, or fractions shown as percentages.
public enum ChartValueStyle: Sendable, Equatable {
    case number
    case percent

    func label(_ v: Double) -> String {
        switch self {
        case .number: ExportText.decimal(v, maxFractionDigits: 2)
        case .percent: ExportText.decimal(v * 100, maxFractionDigits: 1) + "%"
        }
    }
}

/// Space around the plot for tick labels, x labels and the legend.
public struct ChartInsets: Sendable, Equatable {
    public var top: Double
    public var right: Double
    public var bottom: Double
    public var left: Double

    public init(top: Double, right: Double, bottom: Double, left: Double) {
        self.top = top
        self.right = right
        self.bottom = bottom
        self.left = left
    }
}

enum SVGChart {
    /// Chinese glyphs on the server's and on users' machines; no web fonts, no external resources.
    static let fontFamily = "'WenQuanYi Zen Hei', 'Noto Sans CJK SC', sans-serif"
    static let axisColor = "#8a8f98"
    static let gridColor = "#e3e6eb"
    static let textColor = "#333840"

    /// The smallest 1, 2 or 5 × 10ⁿ at or above `max`, so ticks land on round numbers.
    /// 1 when there is nothing positive to show, so an all-zero chart still has an axis.
    static func niceMax(_ max: Double) -> Double {
        guard max.isFinite, max > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(max)))
        let f = max / magnitude
        // The slack absorbs rounding in the division (0.2 / 0.1 = 2.0000000000000004).
        let nice: Double = f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10
        return nice * magnitude
    }

    /// 4 steps for 2 × 10ⁿ (0.5 each), 5 otherwise (0.2 or 1 each): always round tick values.
    static func ticks(upTo niceMax: Double) -> [Double] {
        let leading = (niceMax / pow(10, floor(log10(niceMax)))).rounded()
        let steps = leading == 2 ? 4 : 5
        return (0...steps).map { niceMax * Double($0) / Double(steps) }
    }

    /// Coordinates with at most one decimal: 0.1 px is invisible and keeps the markup short.
    static func n(_ x: Double) -> String { ExportText.decimal(x, maxFractionDigits: 1) }

    static func esc(_ s: String) -> String { ExportText.xmlEscape(s) }

    static func open(width: Double, height: Double, label: String) -> String {
        #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(n(width))" height="\#(n(height))" viewBox="0 0 \#(n(width)) \#(n(height))" role="img" aria-label="\#(esc(label))" font-family="\#(fontFamily)" font-size="12">"#
            + "<title>\(esc(label))</title>"
    }

    static func text(_ s: String, x: Double, y: Double, anchor: String = "start", fill: String = textColor,
                     extra: String = "") -> String {
        #"<text x="\#(n(x))" y="\#(n(y))" text-anchor="\#(anchor)" fill="\#(fill)"\#(extra)>\#(esc(s))</text>"#
    }

    /// Long labels are cut with an ellipsis; the full text stays in a `<title>` for hover.
    static func shortened(_ s: String, maxWidth: Double, fontSize: Double = 12) -> String {
        var out = "", width = 0.0
        let limit = maxWidth - fontSize
        for ch in s {
            let w = ch.unicodeScalars.first.map { $0.value >= 0x1100 ? fontSize : fontSize * 0.6 } ?? 0
            if width + w > maxWidth {
                while width > limit, let last = out.popLast() {
                    width -= last.unicodeScalars.first.map { $0.value >= 0x1100 ? fontSize : fontSize * 0.6 } ?? 0
                }
                return out + "…"
            }
            out.append(ch)
            width += w
        }
        return out
    }
}
