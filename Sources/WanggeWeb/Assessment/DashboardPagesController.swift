import Fluent
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence

/// `/dashboard`: the command centre's big screen (指挥中心大屏), 1920×1080, refreshing itself every
/// minute without JavaScript. Every figure comes from the rollups and gauges; hot spots from the
/// latest few hundred reports; the map's polygons from a cache.
struct DashboardPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.getHeavy("dashboard", use: dashboard)
    }

    struct Figure: Encodable {
        var label: String
        var value: String
        var tone: String
    }

    struct Board: Encodable {
        var name: String
        var value: String
    }

    struct HotSpot: Encodable {
        var place: String
        var category: String
        var count: Int
        var href: String
    }

    struct Context: Encodable {
        var p: PageChrome
        var areaName: String
        var updated: String
        var today: [Figure]
        var month: [Figure]
        var map: String
        var trend: String
        var categories: String
        var hotspots: [HotSpot]
        var red: [Board]
        var black: [Board]
        var boardTitle: String
        var refresh: Int
    }

    @Sendable func dashboard(req: Request) async throws -> Response {
        let actor = try req.assessmentActor(page: true)
        let area = try await req.assessmentArea(for: actor)
        let settings = try await AssessmentSettings.load(on: req.database)
        let weight = settings.basicallySatisfiedWeight
        let queries = AssessmentQueries(db: req.database)
        let today = req.today
        let month = AssessmentPeriod.of(.month, containing: today)!
        let todayPeriod = AssessmentPeriod.of(.day, containing: today)!
        let todayCounts = try await queries.totals(.org, area.code, todayPeriod)
        let monthCounts = try await queries.totals(.org, area.code, month)
        let gauge = try await queries.gauge(.org, area.code)

        // 30-day trend, ending today.
        let days = AssessmentPeriod.days(from: AssessmentPeriod.day(today, minus: 29), through: today)
        let daily = try await queries.daily(.org, area.code, days: days)
        let trend = SVGLineChart(title: "近 30 日受理与结案", xLabels: days.map { String($0.suffix(5)) },
                                 series: [.init(label: "受理", values: daily.map { Double($0.counts.received) }, color: "#4fc3f7"),
                                          .init(label: "结案", values: daily.map { Double($0.counts.closed) }, color: "#81c784")],
                                 width: 860, height: 300).svg()

        let names = try await NameBook.load(on: req)
        let categoryUnit = area.orgLevel == .grid ? OrgCode.parent(of: area.code) ?? area.code : area.code
        let byCategory = try await queries.breakdown(.org, categoryUnit, by: .category, month)
        let top = byCategory.sorted { ($0.value.received, $1.key) > ($1.value.received, $0.key) }.prefix(8)
        let categories = SVGBarChart(title: "本月问题类别前八", bars: top.map {
            .init(label: $0.key == RollupKeys.uncategorised ? "未分类" : names.categories[$0.key] ?? $0.key, value: Double($0.value.received))
        }, width: 860).svg()

        let map = try await Self.map(req, area: area)
        let hotspots = try await Self.hotspots(req, actor: actor, area: area, names: names)

        var boardTitle = ""
        var red: [Board] = []
        var black: [Board] = []
        if let level = RankingLevel.below(area.orgLevel).first {
            let entries = try await RankingService(db: req.database).entries(level, in: area, period: month)
            let boards = Ranking.redBlack(Ranking.rank(entries, by: .resolution, basicallySatisfiedWeight: weight), n: 5)
            red = boards.red.map { Board(name: $0.name, value: RateDTO.percent($0.value)) }
            black = boards.black.map { Board(name: $0.name, value: RateDTO.percent($0.value)) }
            boardTitle = "\(level.nameZH) · 本月办结率"
        }
        func pct(_ rate: Rate, _ c: CaseCounts) -> String { RateDTO.percent(rate.value(c, basicallySatisfiedWeight: weight)) }
        return try await req.page("dashboard", Context(
            p: PageChrome(req), areaName: area.name, updated: CasePagesController.time(req.now, req),
            today: [Figure(label: "今日受理", value: AssessmentViews.figure(todayCounts.received), tone: ""),
                    Figure(label: "今日结案", value: AssessmentViews.figure(todayCounts.closed), tone: "good"),
                    Figure(label: "当前在办", value: AssessmentViews.figure(gauge.open), tone: ""),
                    Figure(label: "当前超期", value: AssessmentViews.figure(gauge.overdue), tone: gauge.overdue > 0 ? "bad" : "good")],
            month: [Figure(label: "本月受理", value: AssessmentViews.figure(monthCounts.received), tone: ""),
                    Figure(label: "本月结案", value: AssessmentViews.figure(monthCounts.closed), tone: ""),
                    Figure(label: "办结率", value: pct(.resolution, monthCounts), tone: ""),
                    Figure(label: "按期办结率", value: pct(.onTime, monthCounts), tone: ""),
                    Figure(label: "满意率", value: pct(.satisfaction, monthCounts), tone: ""),
                    Figure(label: "超期率", value: pct(.overdueRate, monthCounts), tone: "")],
            map: map, trend: trend, categories: categories, hotspots: hotspots, red: red, black: black, boardTitle: boardTitle,
            refresh: 60))
    }

    /// Grids of the area shaded by their open cases, outlined red where some are overdue.
    static func map(_ req: Request, area: OrgUnitModel) async throws -> String {
        let projected = try await req.application.gridShapeCache.map(of: [area.scope], width: 860, height: 560, on: req.database)
        let gauges = try await AssessmentQueries(db: req.database).gauges(level: OrgLevel.grid.rawValue, within: area.scope)
        return GaugeMapSVG.render(projected, gauges: gauges, title: "\(area.name) · 网格在办与超期")
    }

    /// The grids and categories of the latest 2,000 reports since `since`, each with a count, read from the time index's
    /// entries alone, which hold both (migration 028): read from the rows along the primary key, 2,000 rows of about a
    /// kilobyte each, some 500 pages at every view, they were most of SQLite's part of the page. `grouped`: counted by the
    /// database, three or more alike (PostgreSQL, which sends a row at more cost to the server than it groups them);
    /// else one row a report, each counting one (SQLite, where the sort of a GROUP BY cost three times the read).
    static func latestReports(since: Date, grouped: Bool) -> SQLQueryString {
        let latest: SQLQueryString = """
            SELECT grid_code, category_code\(unsafeRaw: grouped ? "" : ", 1 AS n") FROM \(unsafeRaw: CaseModel.schema) \
            WHERE created_at >= \(bind: since) ORDER BY created_at DESC, id DESC LIMIT 2000
            """
        guard grouped else { return latest }
        return """
            SELECT grid_code, category_code, COUNT(*) AS n FROM (\(latest)) AS latest \
            GROUP BY grid_code, category_code HAVING COUNT(*) >= 3
            """
    }

    /// A grid and a category with a count of reports, as the hot spots count them.
    private struct GridAndCategory: PositionallyDecodable {
        let grid: String?
        let category: String?
        let count: Int

        init<Row: PositionalRow>(positions row: Row) throws {
            grid = try row.optionalString(0)
            category = try row.optionalString(1)
            count = try row.int(2)
        }
    }

    private struct Spot: Hashable {
        let grid: String
        let category: String

        /// The order of equal counts: as the text `grid|category` sorts.
        var order: String { grid + "|" + category }
    }

    /// Clusters of similar reports: the installation's latest 2,000 reports within 72 hours (so the cost does not grow
    /// with history), those in the area, grouped by grid and category where three or more arrived.
    static func hotspots(_ req: Request, actor: Actor, area: OrgUnitModel, names: NameBook) async throws -> [HotSpot] {
        let grouped = (req.database as? any SQLDatabase)?.dialect.name != "sqlite"
        let latest = try await PlainReads.decoded(latestReports(since: req.now.addingTimeInterval(-72 * 3600), grouped: grouped),
                                                  columns: ["grid_code", "category_code", "n"], as: GridAndCategory.self, on: req.database)
        var counts: [Spot: Int] = [:]
        for report in latest {
            guard let grid = report.grid, let category = report.category else { continue }
            counts[Spot(grid: grid, category: category), default: 0] += report.count
        }
        let inArea = counts.filter { $0.value >= 3 && area.scope.contains(OrgCode.ancestry(of: $0.key.grid)) }
        let hot = inArea.sorted { ($0.value, $1.key.order) > ($1.value, $0.key.order) }.prefix(8)
        let gridNames = try await NameBook.load(on: req, unitCodes: Set(hot.map(\.key.grid))).units
        return hot.map { spot, count in
            HotSpot(place: gridNames[spot.grid] ?? spot.grid, category: names.categories[spot.category] ?? spot.category, count: count,
                    href: "/work?all=1&within=\(spot.grid)&category=\(spot.category)")
        }
    }
}
