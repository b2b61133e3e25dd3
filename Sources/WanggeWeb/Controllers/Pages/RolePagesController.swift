import Fluent
import LeafKit
import Vapor
import WanggeDomain
import WanggePersistence

/// The grid worker's phone page, the leader's overview and everyone's inbox.
struct RolePagesController: RouteCollection {
    /// Figures, links and area rows go to Leaf as its data directly (as `PageOption` does), their numbers as text:
    /// Leaf turns a number into text for `#()` through a table of converters it builds again at each one, and the
    /// overview prints some forty numbers (8% of its CPU).
    struct Figure: Encodable, LeafDataRepresentable {
        var label: String
        var value: Int
        var warning: String = ""

        var leafData: LeafData { .dictionary(["label": .string(label), "value": .string(String(value)), "warning": .string(warning)]) }
    }

    struct Link: Encodable, LeafDataRepresentable {
        var href: String
        var label: String
        var detail: String
        var warning: String

        var leafData: LeafData {
            .dictionary(["href": .string(href), "label": .string(label), "detail": .string(detail), "warning": .string(warning)])
        }
    }

    struct GridContext: Encodable {
        var p: PageChrome
        var map: String
        var tasks: [Link]
        var verifications: [Link]
        var figures: [Figure]
    }

    struct AreaRow: Encodable, LeafDataRepresentable {
        var code: String
        var name: String
        var red: Int
        var yellow: Int
        var blue: Int

        var leafData: LeafData {
            .dictionary(["code": .string(code), "name": .string(name), "red": .string(String(red)), "yellow": .string(String(yellow)),
                         "blue": .string(String(blue))])
        }
    }

    struct OverviewContext: Encodable {
        var p: PageChrome
        var scopeName: String
        var figures: [Figure]
        var areas: [AreaRow]
        var map: String
    }

    struct InboxContext: Encodable {
        var p: PageChrome
        var items: [NotificationsAPIController.NotificationDTO]
        var next: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("grid", use: grid)
        routes.getHeavy("overview", use: overview)
        routes.get("inbox", use: inbox)
        routes.post("inbox", "read-all", use: readAll)
    }

    func links(_ cases: [CaseSummary], sla: SLAContext, now: Date) -> [Link] {
        cases.map { Link(href: "/cases/\($0.code)", label: $0.code, detail: String($0.description.prefix(40)), warning: sla.warning($0, at: now).rawValue) }
    }

    @Sendable func grid(req: Request) async throws -> Response {
        let actor = try req.requirePageUser().actor
        guard actor.role == .gridWorker else { throw AppError.forbidden() }
        let queries = CaseQueryService(db: req.database)
        let sla = try await req.sla()
        var filter = CaseFilter()
        filter.queue = .gridTasks
        let tasks = try await queries.list(filter, for: actor)
        filter.queue = .verification
        let verifications = try await queries.list(filter, for: actor)
        filter.queue = nil
        filter.states = CaseState.openStates
        filter.limit = 100
        let open = try await queries.list(filter, for: actor)
        // The request's moment in a local, as on the overview.
        let now = req.now
        let markers = open.compactMap { c -> CaseMapSVG.Marker? in
            guard let lat = c.lat, let lon = c.lon else { return nil }
            return .init(point: GeoPoint(lon: lon, lat: lat), warning: sla.warning(c, at: now), gridCode: c.gridCode, code: c.code, linked: true)
        }
        // This month's figures, by the grid worker's own reports and events.
        let month = try await queries.gridWorkerFigures(actor.username, since: Self.monthStart(now, timeZone: req.application.wanggeConfig.timeZone))
        let t = Strings.table(english: req.isEnglish)
        let figures = [Figure(label: t["reportedThisMonth"]!, value: month.reported), Figure(label: t["onSpotThisMonth"]!, value: month.resolvedOnSpot),
                       Figure(label: t["verifiedThisMonth"]!, value: month.verified)]
        return try await req.page("grid", GridContext(p: PageChrome(req, notice: req.notice),
                                                      map: MapPages.caseMap(req, actor: actor, markers: markers),
                                                      tasks: links(tasks, sla: sla, now: now), verifications: links(verifications, sla: sla, now: now),
                                                      figures: figures))
    }

    static func monthStart(_ now: Date, timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: calendar.dateComponents([.year, .month], from: now)) ?? now
    }

    @Sendable func overview(req: Request) async throws -> Response {
        let actor = try req.requirePageUser().actor
        guard [.leader, .dispatcher, .admin].contains(actor.role) else { throw AppError.forbidden() }
        let scope = actor.scopes[0]
        let queries = CaseQueryService(db: req.database)
        let inStates = try await queries.stateCounts(within: scope)
        // The overdue figure is the red count of the areas' table, read in the same pass.
        let (counts, overdue) = try await queries.warningCounts(below: scope.code, now: req.now)
        let english = req.isEnglish
        let t = Strings.table(english: english)
        let figures = [Figure(label: t["overdue"]!, value: overdue, warning: "red")] + CaseState.allCases.map { state in
            Figure(label: english ? state.nameEN : state.nameZH, value: inStates[state] ?? 0)
        }
        let names = try await NameBook.load(on: req, unitCodes: Set(counts.map(\.code) + [scope.code]))
        let sla = try await req.sla()
        // As the list's columns: read as 5,000 whole models they were a third of the page's time at a million cases.
        let open = try await queries.newestOpen(within: scope, limit: 5000, clocks: sla.coloursNeedClocks)
        // The request's moment in a local: read for each of thousands of markers, its storage lookup was 3% of the page.
        let now = req.now
        let markers = open.compactMap { c -> CaseMapSVG.Marker? in
            guard let lat = c.lat, let lon = c.lon else { return nil }
            return .init(point: GeoPoint(lon: lon, lat: lat), warning: sla.warning(c, at: now), gridCode: c.gridCode, code: c.code, linked: true)
        }
        return try await req.page("overview", OverviewContext(
            p: PageChrome(req), scopeName: names.units[scope.code] ?? scope.code, figures: figures,
            areas: counts.map { AreaRow(code: $0.code, name: names.units[$0.code] ?? $0.code, red: $0.red, yellow: $0.yellow, blue: $0.blue) },
            map: MapPages.caseMap(req, actor: actor, markers: markers)))
    }

    @Sendable func inbox(req: Request) async throws -> Response {
        let actor = try req.requirePageUser().actor
        let page = try await NotificationsAPIController.page(of: actor.userID, unreadOnly: false, before: req.query[Int.self, at: "after"], on: req.database)
        return try await req.page("inbox", InboxContext(p: PageChrome(req, notice: req.notice), items: page.items,
                                                        next: page.next.map { "/inbox?after=\($0)" }))
    }

    @Sendable func readAll(req: Request) async throws -> Response {
        let actor = try req.requirePageUser().actor
        try await Inbox(db: req.database).markAllRead(of: actor.userID, at: req.now)
        return req.redirect(to: "/inbox?notice=saved")
    }
}
