import Foundation
#if canImport(FoundationXML)
import FoundationXML // XMLParser lives here on Linux; test-only
#endif
import XCTest
@testable import WanggeDomain

final class SVGChartsTests: XCTestCase {
    /// Collects every element's attributes and text, failing on malformed XML.
    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var text = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append((name, attributes))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    private func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> Collector {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "")", file: file, line: line)
        return collector
    }

    func testNiceMaxAndTicks() {
        let cases: [(Double, Double)] = [(0, 1), (-3, 1), (.nan, 1), (7, 10), (10, 10), (11, 20), (0.2, 0.2),
                                         (0.95, 1), (230, 500), (1.5, 2), (0.03, 0.05), (1, 1), (4999, 5000)]
        for (input, expected) in cases {
            XCTAssertEqual(SVGChart.niceMax(input), expected, accuracy: expected * 1e-12, "\(input)")
        }
        XCTAssertEqual(SVGChart.ticks(upTo: 20), [0, 5, 10, 15, 20])
        XCTAssertEqual(SVGChart.ticks(upTo: 50), [0, 10, 20, 30, 40, 50])
        XCTAssertEqual(SVGChart.ticks(upTo: 10), [0, 2, 4, 6, 8, 10])
    }

    func testPolylineCoordinatesForASmallSeries() throws {
        // Plot 40…230 × 10…110; y max 10 (nice max of 8).
        let chart = SVGLineChart(title: "事件数", xLabels: ["1月", "2月", "3月"],
                                 series: [.init(label: "受理", values: [0, 5, 8], color: "#2f6fde")],
                                 width: 240, height: 140, insets: ChartInsets(top: 10, right: 10, bottom: 30, left: 40))
        XCTAssertEqual(chart.yMax, 10)
        let c = parse(chart.svg())
        let polylines = c.elements.filter { $0.name == "polyline" }
        XCTAssertEqual(polylines.count, 1)
        XCTAssertEqual(polylines[0].attributes["points"], "40,110 135,60 230,30")
        XCTAssertEqual(polylines[0].attributes["stroke"], "#2f6fde")
        XCTAssertEqual(c.elements.filter { $0.name == "circle" }.count, 3)
        let svg = try XCTUnwrap(c.elements.first)
        XCTAssertEqual(svg.name, "svg")
        XCTAssertEqual(svg.attributes["role"], "img")
        XCTAssertEqual(svg.attributes["aria-label"], "事件数")
        XCTAssertTrue(svg.attributes["font-family"]?.contains("WenQuanYi Zen Hei") == true)
        XCTAssertTrue(c.text.contains("受理 · 2月 5"), "hover title on the point")
        XCTAssertTrue(c.text.contains("10"), "top tick label")
    }

    func testGapsSplitTheLineAndPercentLabels() {
        let chart = SVGLineChart(title: "办结率", xLabels: ["1", "2", "3", "4", "5"],
                                 series: [.init(label: "办结率", values: [0.9, 0.95, .nan, 0.97, 0.986], color: "red")],
                                 valueStyle: .percent)
        let c = parse(chart.svg())
        let polylines = c.elements.filter { $0.name == "polyline" }
        XCTAssertEqual(polylines.map { $0.attributes["points"]?.split(separator: " ").count }, [2, 2])
        XCTAssertEqual(c.elements.filter { $0.name == "circle" }.count, 4)
        XCTAssertTrue(c.text.contains("100%"))
        XCTAssertTrue(c.text.contains("98.6%"))
    }

    func testEscapingInLabelsTitlesAndColours() {
        let evil = #"<script>alert("x")</script> & '"#
        let line = SVGLineChart(title: evil, xLabels: [evil], series: [.init(label: evil, values: [1], color: #"red" onload="x"#)])
        let bar = SVGBarChart(title: evil, bars: [.init(label: evil, value: 3, color: "\"><script>")])
        for svg in [line.svg(), bar.svg()] {
            XCTAssertFalse(svg.contains("<script"), svg)
            XCTAssertTrue(svg.contains("&lt;script&gt;"))
            let c = parse(svg)
            XCTAssertFalse(c.elements.contains { $0.name == "script" })
            XCTAssertEqual(c.elements.first?.attributes["aria-label"], evil)
            XCTAssertFalse(c.elements.contains { $0.attributes["onload"] != nil })
        }
    }

    func testEmptyAndAllZeroInputsAreValid() {
        let charts = [
            SVGLineChart(title: "空", xLabels: [], series: []).svg(),
            SVGLineChart(title: "零", xLabels: ["a", "b"], series: [.init(label: "s", values: [0, 0], color: "#000")]).svg(),
            SVGLineChart(title: "一点", xLabels: ["a"], series: [.init(label: "s", values: [3], color: "#000")]).svg(),
            SVGLineChart(title: "无值", xLabels: ["a"], series: [.init(label: "s", values: [.nan], color: "#000")]).svg(),
            SVGBarChart(title: "空", bars: []).svg(),
            SVGBarChart(title: "零", bars: [.init(label: "a", value: 0), .init(label: "b", value: .nan)]).svg(),
        ]
        for svg in charts {
            let c = parse(svg)
            XCTAssertFalse(svg.contains("nan") || svg.contains("inf"), svg)
            XCTAssertEqual(c.elements.first?.name, "svg")
        }
        XCTAssertTrue(charts[0].contains("暂无数据"))
        XCTAssertTrue(charts[4].contains("暂无数据"))
        // All zeros sit on the baseline of a 0…1 axis.
        let zero = parse(charts[1]).elements.first { $0.name == "polyline" }
        XCTAssertEqual(zero?.attributes["points"], "56,264 616,264")
    }

    func testBarLengthsLabelsAndValues() {
        let chart = SVGBarChart(title: "类别前五", bars: [
            .init(label: "占道经营", value: 40),
            .init(label: "垃圾堆放", value: 25),
            .init(label: "一个特别特别特别特别长的类别名称", value: 10),
        ], width: 440, labelWidth: 140)
        XCTAssertEqual(chart.xMax, 50)
        let c = parse(chart.svg())
        let rects = c.elements.filter { $0.name == "rect" }
        // Plot runs from 140 to 440 − 64 = 376: 236 px for 50.
        XCTAssertEqual(rects.map { $0.attributes["width"] }, ["188.8", "118", "47.2"])
        XCTAssertEqual(rects.map { $0.attributes["x"] }, ["140", "140", "140"])
        XCTAssertTrue(c.text.contains("占道经营"))
        XCTAssertTrue(c.text.contains("…"), "long label shortened")
        XCTAssertTrue(c.text.contains("一个特别特别特别特别长的类别名称:10"), "full label kept in the hover title")
        XCTAssertEqual(chart.height, 12 + 3 * 30 + 28)
    }
}
