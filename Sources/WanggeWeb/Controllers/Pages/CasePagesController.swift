import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// The work list (工作台) of every staff role, and one case page whose forms are the actions the
/// reader may take now.
struct CasePagesController: RouteCollection {
    struct Tab {
        var href: String
        var label: String
        var current: Bool

        /// The queues' tabs, the one shown marked, written in Swift as the rows are.
        static func html(_ tabs: [Tab]) -> String {
            tabs.map { tab in
                "<a href=\"" + Markup.escape(tab.href) + "\"" + (tab.current ? " aria-current=\"page\" class=\"current\"" : "") + ">"
                    + Markup.escape(tab.label) + "</a>"
            }.joined()
        }
    }

    struct Row {
        var code: String
        var description: String
        var stateName: String
        var category: String
        var warning: String
        var warningName: String
        var createdAt: String

        /// The list's rows as the table shows them, written in Swift: Leaf copies the page's whole context at every
        /// turn of a loop.
        static func html(_ rows: [Row]) -> String {
            var out = ""
            for row in rows {
                let code = Markup.escape(row.code)
                out += "<tr><td><a href=\"/cases/" + code + "\">" + code + "</a></td><td>" + Markup.escape(row.description)
                out += "</td><td>" + Markup.escape(row.stateName) + "</td><td>" + Markup.escape(row.category)
                out += "</td><td><span class=\"lamp " + Markup.escape(row.warning) + "\">" + Markup.escape(row.warningName)
                out += "</span></td><td>" + Markup.escape(row.createdAt) + "</td></tr>\n"
            }
            return out
        }
    }

    struct WorkContext: Encodable {
        var p: PageChrome
        var tabs: String
        /// The filters' options written in Swift (`SelectOptions`), not in Leaf loops, which copy the page's context at each turn.
        var statusOptions: String
        var categoryOptions: String
        var channelOptions: String
        var urgencyOptions: String
        var from: String
        var to: String
        var rows: String
        var next: String?
        var q: String
        var queue: String
        var warning: String
        var map: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("work", use: work)
        routes.get("cases", ":code", use: show)
        routes.on(.POST, "cases", ":code", "act", body: .collect(maxSize: "95mb"), use: act)
        routes.get("cases", ":code", "photos", ":id", use: photo)
        routes.post("cases", ":code", "contact", use: revealContact)
    }

    static let tabNamesEN = ["待受理": "To register", "待派遣": "To dispatch", "被退回": "Returned", "延期申请": "Extensions",
                             "待核查": "To verify", "待评价回访": "To evaluate", "待结案": "To close", "红灯": "Red", "黄灯": "Yellow",
                             "全部": "All", "待签收": "New", "办理中": "In hand", "协办": "Co-handling", "派给我网格": "My grids",
                             "我上报的": "My reports", "我反映的": "My reports"]

    static func tabs(for role: Role) -> [(queue: String?, warning: String?, label: String)] {
        switch role {
        case .dispatcher:
            [("to_register", nil, "待受理"), ("to_dispatch", nil, "待派遣"), ("returned", nil, "被退回"), ("extension_requests", nil, "延期申请"),
             ("verification", nil, "待核查"), ("awaiting_evaluation", nil, "待评价回访"), ("to_close", nil, "待结案"),
             (nil, "red", "红灯"), (nil, "yellow", "黄灯"), (nil, nil, "全部")]
        case .handler:
            [("department_new", nil, "待签收"), ("in_hand", nil, "办理中"), ("co_handling", nil, "协办"), (nil, "red", "红灯"), (nil, nil, "全部")]
        case .gridWorker:
            [("grid_tasks", nil, "派给我网格"), ("verification", nil, "待核查"), ("mine", nil, "我上报的"), (nil, nil, "全部")]
        case .leader, .admin:
            [(nil, "red", "红灯"), (nil, "yellow", "黄灯"), (nil, nil, "全部")]
        case .citizen:
            [("mine", nil, "我反映的")]
        }
    }

    @Sendable func work(req: Request) async throws -> Response {
        let actor = try req.requirePageUser().actor
        let english = req.isEnglish
        let tabs = Self.tabs(for: actor.role)
        let query = QueryParameters(req)
        var filter = try CaseFilter.from(req, query: query)
        let defaultTab = tabs.first!
        // The request's moment (one for the whole page), kept in a local: each read of `req.now` takes the
        // request storage's lock.
        let now = req.now
        if query["queue"] == nil, query["warning"] == nil, query["all"] == nil {
            filter.queue = defaultTab.queue.flatMap(CaseQueue.init(rawValue:))
            if let w = defaultTab.warning { filter.warning = WarningLevel(rawValue: w) }
        }
        let cases = try await CaseQueryService(db: req.database).list(filter, for: actor)
        let names = try await NameBook.load(on: req)
        let sla = try await req.sla()
        // Each case's colour worked out once, for its row and its marker.
        let warnings = cases.map { sla.warning($0, at: now) }
        let rows = zip(cases, warnings).map { model, warning in
            Row(code: model.code, description: String(model.description.prefix(60)),
                stateName: english ? model.caseState.nameEN : model.caseState.nameZH,
                category: model.categoryCode.map { names.categories[$0] ?? $0 } ?? "—",
                warning: warning.rawValue, warningName: warning.nameZH, createdAt: Self.time(model.createdAt, req))
        }
        let currentQueue = filter.queue?.rawValue ?? ""
        let currentWarning = filter.warning?.rawValue ?? ""
        let tabViews = tabs.map { tab in
            var href = "/work?"
            if let q = tab.queue { href += "queue=\(q)" } else if let w = tab.warning { href += "warning=\(w)" } else { href += "all=1" }
            return Tab(href: href, label: english ? Self.tabNamesEN[tab.label] ?? tab.label : tab.label, current: (tab.queue ?? "") == currentQueue && (tab.warning ?? "") == currentWarning)
        }
        let nextURL = cases.count == filter.limit ? cases.last.map { req.urlOfNextPage(after: String($0.id)) } : nil
        let markers = zip(cases, warnings).compactMap { model, warning -> CaseMapSVG.Marker? in
            guard let lat = model.lat, let lon = model.lon else { return nil }
            return CaseMapSVG.Marker(point: GeoPoint(lon: lon, lat: lat), warning: warning, gridCode: model.gridCode, code: model.code, linked: true)
        }
        let map = try await MapPages.caseMap(req, actor: actor, markers: markers)
        let status = query["status"] ?? ""
        let category = query["category"] ?? ""
        let channel = query["channel"] ?? ""
        let urgency = query["urgency"] ?? ""
        let t = Strings.table(english: english)
        let statuses = CaseState.allCases.map { PageOption(value: $0.rawValue, label: english ? $0.nameEN : $0.nameZH, selected: $0.rawValue == status) }
        let categories = try await req.application.catalogNames(on: req.database).categoryList.filter { $0.parentCode == nil }
            .map { PageOption(value: $0.code, label: $0.name, selected: $0.code == category) }
        let channels = WanggeDomain.Channel.allCases.map { PageOption(value: $0.rawValue, label: english ? $0.nameEN : $0.nameZH, selected: $0.rawValue == channel) }
        let urgencies = Urgency.allCases.map { PageOption(value: $0.rawValue, label: t[$0.rawValue] ?? $0.rawValue, selected: $0.rawValue == urgency) }
        return try await req.page("work", WorkContext(p: PageChrome(req, notice: req.notice), tabs: Tab.html(tabViews), statusOptions: SelectOptions.html(statuses),
                                                      categoryOptions: SelectOptions.html(categories), channelOptions: SelectOptions.html(channels),
                                                      urgencyOptions: SelectOptions.html(urgencies),
                                                      from: query["from"] ?? "", to: query["to"] ?? "",
                                                      rows: Row.html(rows), next: nextURL,
                                                      q: filter.search ?? "", queue: currentQueue, warning: currentWarning, map: map))
    }

    static func time(_ date: Date, _ req: Request) -> String {
        LocalTime.minute(date, timeZone: req.application.wanggeConfig.timeZone)
    }

    @Sendable func show(req: Request) async throws -> Response {
        let actor = try req.requirePageUser().actor
        let context = try await CasePageContext.build(req, code: req.parameters.get("code")!, actor: actor, errors: [:], failedAction: nil)
        return try await req.page("case", context)
    }

    @Sendable func act(req: Request) async throws -> Response {
        let actor = try req.requirePageUser().actor
        let code = req.parameters.get("code")!
        var action: String?
        do {
            let (model, snapshot) = try await CaseActions.perform(req, code: code, actor: actor) {
                let form = try req.content.decode(TransitionForm.self)
                action = form.action
                return (form.input, form.photos ?? [])
            }
            let stillVisible = CaseAccess.relation(of: actor, to: model, snapshot: snapshot).canRead
            return req.redirect(to: stillVisible ? "/cases/\(code)?notice=actionDone" : "/work?notice=actionDone")
        } catch let error as AppError where error.kind != .notFound {
            var errors = [error.field ?? "action": error.message(english: req.isEnglish)]
            errors["any"] = error.message(english: req.isEnglish)
            let context = try await CasePageContext.build(req, code: code, actor: actor, errors: errors, failedAction: action)
            return try await req.page("case", context, status: WanggeErrorMiddleware.status(error.kind, isInternal: false))
        }
    }

    /// Shows the reporter's full phone to someone who must call back, and logs that they saw it.
    @Sendable func revealContact(req: Request) async throws -> Response {
        let actor = try req.requirePageUser().actor
        let code = req.parameters.get("code")!
        let (_, phone) = try await ContactReveal(db: req.database).reveal(code: code, actor: actor, clientAddress: req.clientAddress, now: req.now)
        let context = try await CasePageContext.build(req, code: code, actor: actor, errors: [:], failedAction: nil, revealedPhone: phone)
        return try await req.page("case", context)
    }

    @Sendable func photo(req: Request) async throws -> Response {
        let actor = try req.requirePageUser().actor
        let (model, _, _) = try await CaseTransitionService(db: req.database).load(code: req.parameters.get("code")!, for: actor)
        return try await CasesAPIController.serve(attachmentID: req.parameters.get("id", as: Int.self), caseID: model.requireID(), on: req)
    }
}
