import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// The grid worker's phone page, the leader's overview and everyone's inbox.
struct RolePagesController: RouteCollection {
    /// Figures, links, area rows and inbox items are written in Swift, as the work list's rows are: Leaf copies the
    /// page's whole context at every turn of a `#for`.
    struct Figure {
        var label: String
        var value: Int
        var warning: String = ""

        /// The figures as `<li>`s, each with its warning as its class when `classed` (the overview's).
        static func html(_ figures: [Figure], classed: Bool) -> String {
            var out = ""
            for figure in figures {
                out += classed ? "<li class=\"" + Markup.escape(figure.warning) + "\">" : "<li>"
                out += "<span class=\"n\">" + String(figure.value) + "</span> " + Markup.escape(figure.label) + "</li>"
            }
            return out
        }
    }

    struct Link {
        var href: String
        var label: String
        var detail: String
        var warning: String

        /// The grid worker's tasks as `<li>`s: the case's link, its lamp and the start of its description.
        static func html(_ links: [Link]) -> String {
            var out = ""
            for link in links {
                out += "<li><a href=\"" + Markup.escape(link.href) + "\">" + Markup.escape(link.label) + "</a> <span class=\"lamp "
                    + Markup.escape(link.warning) + "\"></span> " + Markup.escape(link.detail) + "</li>"
            }
            return out
        }
    }

    struct GridContext: Encodable {
        var p: PageChrome
        var map: String
        /// The lists' items (`Link.html`), empty when a list is.
        var tasks: String
        var verifications: String
        var figures: String
    }

    struct AreaRow {
        var name: String
        var red: Int
        var yellow: Int
        var blue: Int

        /// The areas' table rows.
        static func html(_ rows: [AreaRow]) -> String {
            var out = ""
            for row in rows {
                out += "<tr><td>" + Markup.escape(row.name) + "</td><td>" + String(row.red) + "</td><td>" + String(row.yellow) + "</td><td>"
                    + String(row.blue) + "</td></tr>"
            }
            return out
        }
    }

    struct OverviewContext: Encodable {
        var p: PageChrome
        var scopeName: String
        var figures: String
        var areas: String
        var map: String
    }

    struct InboxContext: Encodable {
        var p: PageChrome
        /// The page's notifications as `<li>`s (`inboxItems`), empty when there are none.
        var items: String
        var next: String?
    }

    /// The inbox's notifications as `<li>`s: the unread marked, a case's notification linked to its page.
    static func inboxItems(_ items: [NotificationsAPIController.NotificationDTO]) -> String {
        var out = ""
        for item in items {
            out += item.read ? "<li>" : "<li class=\"unread\">"
            let title = Markup.escape(item.title)
            if let code = item.caseCode {
                out += "<a href=\"/cases/" + Markup.escape(code) + "\">" + title + "</a>"
            } else {
                out += title
            }
            out += "<br><small>" + Markup.escape(item.body) + "</small></li>"
        }
        return out
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
                                                      tasks: Link.html(links(tasks, sla: sla, now: now)),
                                                      verifications: Link.html(links(verifications, sla: sla, now: now)),
                                                      figures: Figure.html(figures, classed: false)))
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
        let sla = try await req.sla()
        // The request's moment in a local: read for each of thousands of markers, its storage lookup was 3% of the page.
        let now = req.now
        // As the list's columns: read as 5,000 whole models they were a third of the page's time at a million cases. The
        // overdue figure is the red count of the areas' table, counted in the same pass.
        let (open, inStates, counts, overdue) = try await CaseQueryService(db: req.database)
            .openAtAGlance(within: scope, limit: 5000, clocks: sla.coloursNeedClocks, now: now)
        let english = req.isEnglish
        let t = Strings.table(english: english)
        let figures = [Figure(label: t["overdue"]!, value: overdue, warning: "red")] + CaseState.allCases.map { state in
            Figure(label: english ? state.nameEN : state.nameZH, value: inStates[state] ?? 0)
        }
        let names = try await NameBook.load(on: req, unitCodes: Set(counts.map(\.code) + [scope.code]))
        let markers = open.compactMap { c -> CaseMapSVG.Marker? in
            guard let lat = c.lat, let lon = c.lon else { return nil }
            return .init(point: GeoPoint(lon: lon, lat: lat), warning: sla.warning(c, at: now), gridCode: c.gridCode, code: c.code, linked: true)
        }
        return try await req.page("overview", OverviewContext(
            p: PageChrome(req), scopeName: names.units[scope.code] ?? scope.code, figures: Figure.html(figures, classed: true),
            areas: AreaRow.html(counts.map { AreaRow(name: names.units[$0.code] ?? $0.code, red: $0.red, yellow: $0.yellow, blue: $0.blue) }),
            map: MapPages.caseMap(req, actor: actor, markers: markers)))
    }

    @Sendable func inbox(req: Request) async throws -> Response {
        let actor = try req.requirePageUser().actor
        let page = try await NotificationsAPIController.page(of: actor.userID, unreadOnly: false, before: req.query[Int.self, at: "after"], on: req.database)
        return try await req.page("inbox", InboxContext(p: PageChrome(req, notice: req.notice), items: Self.inboxItems(page.items),
                                                        next: page.next.map { "/inbox?after=\($0)" }))
    }

    @Sendable func readAll(req: Request) async throws -> Response {
        let actor = try req.requirePageUser().actor
        try await Inbox(db: req.database).markAllRead(of: actor.userID, at: req.now)
        return req.redirect(to: "/inbox?notice=saved")
    }
}
