import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// Everything a weekly or monthly report of an area holds, from the rollups: the area's totals
/// against the period before, its child units, categories and channels. The printable page, the
/// CSV and the XLSX are three renderings of these tables.
struct AreaReport {
    var area: OrgUnitModel
    var period: AssessmentPeriod
    var weight: Double
    var counts: CaseCounts
    var previous: CaseCounts
    var children: [(code: String, name: String, counts: CaseCounts)]
    var categories: [(name: String, counts: CaseCounts)]
    var channels: [(name: String, counts: CaseCounts)]

    /// `names`: the categories' names, from the request's kept catalogue (`NameBook.load(on: req)`), not read again.
    static func build(area: OrgUnitModel, period: AssessmentPeriod, names: NameBook, on db: any Database) async throws -> AreaReport {
        let settings = try await AssessmentSettings.load(on: db)
        let queries = AssessmentQueries(db: db)
        let counts = try await queries.totals(.org, area.code, period)
        let previous = try await queries.totals(.org, area.code, period.previous)
        let units = try await OrgUnitService(db: db).childNames(of: area.requireID())
        let byUnit = try await queries.byUnit(.org, units: units.map(\.code), period)
        // Breakdowns are kept for villages and above; a grid's report borrows nothing and shows none.
        let byCategory = area.orgLevel == .grid ? [:] : try await queries.breakdown(.org, area.code, by: .category, period)
        let byChannel = area.orgLevel == .grid ? [:] : try await queries.breakdown(.org, area.code, by: .channel, period)
        return AreaReport(
            area: area, period: period, weight: settings.basicallySatisfiedWeight, counts: counts, previous: previous,
            children: units.map { ($0.code, $0.name, byUnit[$0.code] ?? CaseCounts()) },
            categories: byCategory.map { (code, c) in (code == RollupKeys.uncategorised ? "未分类" : names.categories[code] ?? code, c) }
                .sorted { ($0.counts.received, $1.name) > ($1.counts.received, $0.name) },
            channels: byChannel.map { (code, c) in (WanggeDomain.Channel(rawValue: code)?.nameZH ?? code, c) }
                .sorted { ($0.counts.received, $1.name) > ($1.counts.received, $0.name) })
    }

    var title: String { "\(area.name)\(period.labelZH)\(period.kind == .week ? "周报" : period.kind == .month ? "月报" : "统计报告")" }

    static let countColumns: [(String, KeyPath<CaseCounts, Int>)] = [
        ("受理", \.received), ("立案", \.registered), ("派遣", \.dispatched), ("结案", \.closed), ("超期", \.overdue),
        ("退回", \.returned), ("返工", \.reworked),
    ]
    static let rateColumns: [Rate] = [.response, .resolution, .onTime, .satisfaction]

    func row(_ name: String, _ c: CaseCounts) -> [ReportCell] {
        [.text(name)] + Self.countColumns.map { .integer(c[keyPath: $0.1]) } + Self.rateColumns.map { .percent($0.value(c, basicallySatisfiedWeight: weight)) }
    }

    var header: [String] { ["名称"] + Self.countColumns.map(\.0) + Self.rateColumns.map(\.nameZH) }

    var summaryTable: ReportTable {
        var rows: [[ReportCell]] = []
        for field in CountField.allCases {
            let now = field.value(in: counts), before = field.value(in: previous)
            rows.append([.text(field.nameZH), .integer(now), .integer(before), .integer(now - before)])
        }
        for rate in Rate.allCases {
            let now = rate.value(counts, basicallySatisfiedWeight: weight), before = rate.value(previous, basicallySatisfiedWeight: weight)
            rows.append([.text(rate.nameZH), .percent(now), .percent(before), .percent(now.flatMap { n in before.map { n - $0 } })])
        }
        return ReportTable(title: "概况", header: ["指标", period.labelZH, period.previous.labelZH, "变化"], rows: rows)
    }

    var unitsTable: ReportTable {
        ReportTable(title: "分区域", header: header, rows: children.map { row($0.name, $0.counts) } + [row("合计", counts)])
    }

    var categoriesTable: ReportTable {
        ReportTable(title: "分类别", header: header, rows: categories.map { row($0.name, $0.counts) })
    }

    var channelsTable: ReportTable {
        ReportTable(title: "分渠道", header: header, rows: channels.map { row($0.name, $0.counts) })
    }

    var tables: [ReportTable] { [summaryTable, unitsTable, categoriesTable, channelsTable] }
}
