import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// `/reports`: the weekly or monthly report of an area as a printable page, and the same tables as
/// CSV (UTF-8 with BOM, so Excel opens the Chinese right) and XLSX.
struct ReportPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.getHeavy("reports", use: page)
        routes.getHeavy("reports", "export.csv", use: csv)
        routes.getHeavy("reports", "export.xlsx", use: xlsx)
    }

    struct Context: Encodable {
        var p: PageChrome
        var title: String
        var areaCode: String
        var period: PeriodDTO
        /// The period's `<option>`s, the crumbs up and the links down (`AssessmentViews`).
        var periods: String
        var up: String
        var down: String
        var tables: [AssessmentViews.Table]
        var trend: String
        var generated: String
    }

    func report(_ req: Request) async throws -> (Actor, AreaReport) {
        let actor = try req.assessmentActor(page: true)
        let area = try await req.assessmentArea(for: actor)
        let period = try req.assessmentPeriod()
        return (actor, try await AreaReport.build(area: area, period: period, names: NameBook.load(on: req), on: req.database))
    }

    @Sendable func page(req: Request) async throws -> Response {
        let (actor, report) = try await report(req)
        let days = report.period.kind == .year ? [] : report.period.days
        let daily = days.isEmpty ? [] : try await AssessmentQueries(db: req.database).daily(.org, report.area.code, days: days)
        let trend = days.isEmpty ? "" : SVGLineChart(title: "每日受理与结案", xLabels: days.map { String($0.suffix(5)) },
                                                     series: [.init(label: "受理", values: daily.map { Double($0.counts.received) }, color: "#1565c0"),
                                                              .init(label: "结案", values: daily.map { Double($0.counts.closed) }, color: "#2e7d32")],
                                                     width: 900, height: 260).svg()
        let query = "&period=\(report.period.token)"
        let up = try await AssessmentViews.wayUp(report.area, actor: actor, path: "/reports", query: query, on: req)
        let down = AssessmentViews.wayDown(report.children.map { ($0.code, $0.name) }, path: "/reports", query: query)
        return try await req.page("reports", Context(
            p: PageChrome(req), title: report.title, areaCode: report.area.code, period: PeriodDTO(report.period),
            periods: AssessmentViews.periodOptions(today: req.today, selected: report.period, kinds: [.week, .month, .quarter, .year]),
            up: AssessmentViews.Link.crumbs(up), down: AssessmentViews.Link.list(down), tables: report.tables.map(AssessmentViews.Table.init), trend: trend, generated: CasePagesController.time(req.now, req)))
    }

    /// One table per CSV: `table=summary|units|categories|channels` (default units).
    @Sendable func csv(req: Request) async throws -> Response {
        let (_, report) = try await report(req)
        let which = req.query[String.self, at: "table"] ?? "units"
        let table: ReportTable
        switch which {
        case "summary": table = report.summaryTable
        case "units": table = report.unitsTable
        case "categories": table = report.categoriesTable
        case "channels": table = report.channelsTable
        default:
            throw AppError.invalid("report.table", zh: "表格须为 summary、units、categories 或 channels。",
                                   en: "The table is summary, units, categories or channels.", field: "table")
        }
        return download(CSVExport.data(table), type: "text/csv; charset=utf-8", name: "\(report.title)-\(table.title).csv",
                        ascii: "report-\(report.area.code)-\(report.period.token)-\(which).csv")
    }

    @Sendable func xlsx(req: Request) async throws -> Response {
        let (_, report) = try await report(req)
        return download(XLSXExport.data(report.tables), type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        name: "\(report.title).xlsx", ascii: "report-\(report.area.code)-\(report.period.token).xlsx")
    }

    /// A file download with its Chinese name (RFC 5987) and an ASCII fallback.
    func download(_ data: Data, type: String, name: String, ascii: String) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: type)
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}
