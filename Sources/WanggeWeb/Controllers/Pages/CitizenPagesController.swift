import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// 随手报 and 进度查询: report a problem (citizens without an account, grid workers on patrol,
/// operators at a hotline or window) and follow it with the query code.
struct CitizenPagesController: RouteCollection {
    struct ReportContext: Encodable {
        var p: PageChrome
        /// The categories under their groups, and the channels, written in Swift (`SelectOptions`): Leaf's loops copy the
        /// page's context at each turn.
        var categoryOptions: String
        var channelOptions: String
        var map: String
        var form: [String: String]
        var errors: [String: String]
        var staff: Bool
        var gridWorker: Bool
        var operatorRole: Bool
    }

    struct DoneContext: Encodable {
        var p: PageChrome
        var code: String
        var queryCode: String
        var outsideGrids: Bool
        var staff: Bool
    }

    struct TrackContext: Encodable {
        var p: PageChrome
        var queryCode: String
        var track: TrackPage?
        var error: String?
    }

    /// What the tracking page shows of a case. The timeline and photos are written in Swift: Leaf copies the page's
    /// whole context at every turn of a loop, and encoding the API's answer whole, dates and all, was a tenth of the page.
    struct TrackPage: Encodable {
        var code: String
        var stateName: String
        var category: String?
        var reply: String?
        var rating: String?
        var canEvaluate: Bool
        /// The timeline's `<li>`s: what was done and by whom, with the note shown to the public.
        var timeline: String
        /// The photos' `<img>`s, empty when there are none.
        var photos: String

        init(_ track: TrackDTO, photoLabel: String) {
            (code, stateName, category, reply, rating, canEvaluate) = (track.code, track.stateName, track.category, track.reply, track.rating,
                                                                       track.canEvaluate)
            timeline = track.timeline.map { step in
                "<li><strong>" + Markup.escape(step.actionName) + "</strong> · " + Markup.escape(step.by)
                    + (step.note.map { "<br><span class=\"note\">" + Markup.escape($0) + "</span>" } ?? "") + "</li>"
            }.joined()
            let alt = Markup.escape(photoLabel)
            photos = track.photos.map { "<img src=\"" + Markup.escape($0) + "\" alt=\"" + alt + "\" loading=\"lazy\">" }.joined()
        }
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("report", use: reportForm)
        routes.on(.POST, "report", body: .collect(maxSize: "95mb"), use: report)
        routes.get("track", use: trackForm)
        routes.get("track", ":queryCode", use: track)
        routes.post("track", ":queryCode", "evaluation", use: evaluate)
    }

    @Sendable func reportForm(req: Request) async throws -> Response {
        try await req.page("report", context(req, form: [:], errors: [:]))
    }

    func context(_ req: Request, form: [String: String], errors: [String: String]) async throws -> ReportContext {
        let actor = req.currentUser?.actor
        let rows = try await req.application.catalogNames(on: req.database).categoryList.filter(\.active)
        let groups = rows.filter { $0.parentCode == nil }.map { top in
            (label: top.name, options: rows.filter { $0.parentCode == top.code }.map {
                PageOption(value: $0.code, label: $0.name, selected: form["categoryCode"] == $0.code)
            })
        }
        var channels: [PageOption] = []
        if let actor {
            let allowed = WanggeDomain.Channel.allCases.filter { $0 != .open311 && ($0.requiredRole == nil || $0.requiredRole == actor.role) }
            let preferred = form["channel"] ?? (actor.role == .gridWorker ? "patrol" : actor.role == .dispatcher ? "hotline" : "citizen")
            let english = req.isEnglish
            channels = allowed.map { PageOption(value: $0.rawValue, label: english ? $0.nameEN : $0.nameZH, selected: $0.rawValue == preferred) }
        }
        let map = try await MapPages.caseMap(req, actor: actor?.role == .gridWorker ? actor : nil, markers: [], pickable: true)
        return ReportContext(p: PageChrome(req), categoryOptions: SelectOptions.groups(groups), channelOptions: SelectOptions.html(channels), map: map, form: form, errors: errors,
                             staff: actor?.role.isStaff ?? false, gridWorker: actor?.role == .gridWorker,
                             operatorRole: actor?.role == .dispatcher)
    }

    struct ReportForm: Content {
        var channel: String?
        var description: String?
        var categoryCode: String?
        var lat: String?
        var lon: String?
        var address: String?
        var reporterName: String?
        var reporterPhone: String?
        var anonymous: String?
        var urgency: String?
        var hotlineNumber: String?
        var hotlineTicket: String?
        var petitionKind: String?
        var resolvedOnSpot: String?
        var result: String?
        var photos: [File]?
    }

    @Sendable func report(req: Request) async throws -> Response {
        let form = try req.content.decode(ReportForm.self)
        func blank(_ s: String?) -> String? { s.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        let lat = blank(form.lat).flatMap(Double.init), lon = blank(form.lon).flatMap(Double.init)
        let input = IntakeInput(
            channel: blank(form.channel) ?? "citizen", description: form.description ?? "", categoryCode: blank(form.categoryCode),
            location: lat.flatMap { la in lon.map { IntakeInput.Location(lat: la, lon: $0) } }, address: blank(form.address),
            reporterName: blank(form.reporterName), reporterPhone: blank(form.reporterPhone), anonymous: form.anonymous == "on" || form.anonymous == "true",
            urgency: blank(form.urgency), hotlineNumber: blank(form.hotlineNumber), hotlineTicket: blank(form.hotlineTicket),
            petitionKind: blank(form.petitionKind), resolvedOnSpot: form.resolvedOnSpot == "on" || form.resolvedOnSpot == "true",
            result: blank(form.result))
        do {
            if (blank(form.lat) != nil && lat == nil) || (blank(form.lon) != nil && lon == nil) {
                throw AppError.invalid("case.location", zh: "经纬度须为数字。", en: "Latitude and longitude are numbers.", field: "location")
            }
            let created = try await CaseIntake.run(input, files: (form.photos ?? []).filter { $0.data.readableBytes > 0 }, on: req)
            return try await req.page("report-done", DoneContext(p: PageChrome(req), code: created.code, queryCode: created.queryCode,
                                                                 outsideGrids: created.outsideGrids, staff: req.currentUser?.actor.role.isStaff ?? false),
                                      status: .created)
        } catch let error as AppError {
            var values: [String: String] = [:]
            for (key, value) in [("channel", form.channel), ("description", form.description), ("categoryCode", form.categoryCode),
                                 ("lat", form.lat), ("lon", form.lon), ("address", form.address), ("reporterName", form.reporterName),
                                 ("reporterPhone", form.reporterPhone), ("hotlineTicket", form.hotlineTicket), ("result", form.result)] {
                values[key] = value ?? ""
            }
            let field = error.field ?? "description"
            return try await req.page("report", context(req, form: values, errors: [field == "photos" ? "photos" : field: error.message(english: req.isEnglish)]),
                                      status: WanggeErrorMiddleware.status(error.kind, isInternal: false))
        }
    }

    @Sendable func trackForm(req: Request) async throws -> Response {
        if let code = req.query[String.self, at: "code"], !code.isEmpty {
            let cleaned = code.filter { $0.isLetter || $0.isNumber }
            return req.redirect(to: "/track/\(cleaned)")
        }
        return try await req.page("track", TrackContext(p: PageChrome(req), queryCode: "", track: nil, error: nil))
    }

    @Sendable func track(req: Request) async throws -> Response {
        let queryCode = req.parameters.get("queryCode")!
        do {
            let view = try await TrackAPIController.view(queryCode, on: req)
            let chrome = PageChrome(req, notice: req.notice)
            return try await req.page("track", TrackContext(p: chrome, queryCode: QueryCode.normalise(queryCode) ?? queryCode,
                                                            track: TrackPage(view, photoLabel: chrome.t.strings["photosOf"] ?? ""), error: nil))
        } catch let error as AppError where error.kind == .notFound {
            return try await req.page("track", TrackContext(p: PageChrome(req), queryCode: queryCode, track: nil,
                                                            error: error.message(english: req.isEnglish)), status: .notFound)
        }
    }

    @Sendable func evaluate(req: Request) async throws -> Response {
        struct Form: Content {
            var rating: String?
            var comment: String?
        }
        let queryCode = req.parameters.get("queryCode")!
        let form = try req.content.decode(Form.self)
        do {
            try await TrackAPIController.evaluate(queryCode, rating: form.rating ?? "", comment: form.comment, on: req)
            return req.redirect(to: "/track/\(queryCode)?notice=thanksRating")
        } catch let error as AppError where error.kind != .notFound {
            let view = try await TrackAPIController.view(queryCode, on: req)
            let chrome = PageChrome(req)
            return try await req.page("track", TrackContext(p: chrome, queryCode: queryCode, track: TrackPage(view, photoLabel: chrome.t.strings["photosOf"] ?? ""),
                                                            error: error.message(english: req.isEnglish)), status: .badRequest)
        }
    }
}
