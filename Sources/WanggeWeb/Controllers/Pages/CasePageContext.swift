import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// Everything the case page shows: the case, its clocks, photos, timeline, map, and one form per
/// action the reader may take now, with the fields that action needs.
struct CasePageContext: Encodable {
    struct ActionForm {
        var action: String
        var label: String
        var note: Bool = false
        var noteRequired = false
        var category = false
        var grid = false
        var department = false
        var rating = false
        var result = false
        var photos = false
        var hours = false
        var master = false
        var target = false
        var primary = false
        var error: String?

        /// The choices the forms offer, as `<option>`s and checkboxes (`SelectOptions`, `GridChoices`).
        struct Choices {
            var categories: String
            var departments: String
            var departmentChecks: String
            /// The dispatch form's grids, and the register form's with the case's own grid selected.
            var grids: String
            var gridsSelecting: String
            var targets: String
        }

        /// The action forms as the page shows them, written in Swift: Leaf copies the page's whole context at every turn
        /// of a loop, and each form asks a dozen `#if`s of it. Each form posts its action with the case's version.
        static func html(_ forms: [ActionForm], code: String, version: Int, csrf: String, t: [String: String], choices: Choices) -> String {
            func text(_ key: String) -> String { Markup.escape(t[key] ?? "") }
            let (code, csrf, version) = (Markup.escape(code), Markup.escape(csrf), String(version))
            var out = ""
            for form in forms {
                let (action, title) = (Markup.escape(form.action), Markup.escape(form.label))
                /// A field's label and the id that ties its control to it: the form's action and the field's name.
                func label(_ field: String, _ key: String) -> String { "<label for=\"" + action + "-" + field + "\">" + text(key) + "</label>" }
                func id(_ field: String) -> String { "id=\"" + action + "-" + field + "\"" }
                out += "\n  <form class=\"action card" + (form.primary ? " primary" : "") + "\" method=\"post\" action=\"/cases/" + code
                    + "/act\" enctype=\"multipart/form-data\" id=\"form-" + action + "\">\n"
                out += "    <input type=\"hidden\" name=\"_csrf\" value=\"" + csrf + "\">\n"
                out += "    <input type=\"hidden\" name=\"action\" value=\"" + action + "\">\n"
                out += "    <input type=\"hidden\" name=\"version\" value=\"" + version + "\">\n"
                out += "    <h3>" + title + "</h3>\n    "
                if form.category {
                    out += label("category", "category") + "\n    <select " + id("category") + " name=\"categoryCode\"><option value=\"\">"
                        + text("chooseCategory") + "</option>" + choices.categories + "</select>"
                }
                out += "\n    "
                if form.department {
                    out += label("department", "leadDepartment") + "\n    <select " + id("department") + " name=\"departmentCode\"><option value=\"\">—</option>"
                        + choices.departments + "</select>\n"
                    out += "    <fieldset><legend>" + text("coDepartments") + "</legend><div class=\"checks\">" + choices.departmentChecks + "</div></fieldset>"
                }
                out += "\n    "
                if form.grid {
                    out += label("grid", form.department ? "orGrid" : "grid") + "\n    <select " + id("grid") + " name=\"gridCode\"><option value=\"\">—</option>"
                        + (form.department ? choices.grids : choices.gridsSelecting) + "</select>"
                }
                out += "\n    "
                if form.master { out += label("master", "masterCode") + "<input " + id("master") + " name=\"masterCode\" required>" }
                out += "\n    "
                if form.target { out += label("target", "targetOrg") + "\n    <select " + id("target") + " name=\"targetOrgCode\">" + choices.targets + "</select>" }
                out += "\n    "
                if form.hours {
                    out += label("hours", "extensionHours") + "<input " + id("hours") + " name=\"extensionHours\" type=\"number\" min=\"1\" max=\"2160\" value=\"24\">"
                }
                out += "\n    "
                if form.rating {
                    out += "<fieldset><legend>" + text("rating") + "</legend>\n"
                    out += "      <label class=\"check\"><input type=\"radio\" name=\"rating\" value=\"satisfied\" required> " + text("satisfied") + "</label>\n"
                    out += "      <label class=\"check\"><input type=\"radio\" name=\"rating\" value=\"basically_satisfied\"> " + text("basically_satisfied")
                        + "</label>\n"
                    out += "      <label class=\"check\"><input type=\"radio\" name=\"rating\" value=\"unsatisfied\"> " + text("unsatisfied") + "</label></fieldset>"
                }
                out += "\n    "
                if form.result { out += label("result", "result") + "<textarea " + id("result") + " name=\"result\" rows=\"3\" required maxlength=\"2000\"></textarea>" }
                out += "\n    "
                if form.note {
                    out += label("note", "note") + "<textarea " + id("note") + " name=\"note\" rows=\"2\" maxlength=\"2000\"" + (form.noteRequired ? " required" : "")
                        + "></textarea>"
                }
                out += "\n    "
                if form.photos {
                    out += label("photos", "photos") + "<input " + id("photos") + " name=\"photos[]\" type=\"file\" accept=\"image/jpeg,image/png,image/webp\" multiple>"
                }
                out += "\n    "
                if let error = form.error { out += "<p class=\"field-error\" " + id("error") + ">" + Markup.escape(error) + "</p>" }
                out += "\n    <button type=\"submit\">" + title + "</button>\n  </form>\n  "
            }
            return out
        }
    }

    struct Step {
        var actionName: String
        var stateName: String
        var actor: String
        var note: String?
        var at: String

        /// The timeline's items: when, what, the state it led to, who, and the note.
        static func timeline(_ steps: [Step]) -> String {
            steps.map { step in
                "<li><time>" + Markup.escape(step.at) + "</time> <strong>" + Markup.escape(step.actionName) + "</strong> → "
                    + Markup.escape(step.stateName) + " · " + Markup.escape(step.actor)
                    + (step.note.map { "<br><span class=\"note\">" + Markup.escape($0) + "</span>" } ?? "") + "</li>"
            }.joined()
        }
    }

    struct Clock: Encodable {
        var label: String
        var due: String
        var status: String
    }

    struct Field: Encodable {
        var label: String
        var value: String

        /// The facts as a `<dl>`'s terms and definitions.
        static func facts(_ fields: [Field]) -> String {
            fields.map { "<dt>" + Markup.escape($0.label) + "</dt><dd>" + Markup.escape($0.value) + "</dd>" }.joined()
        }
    }

    var p: PageChrome
    var code: String
    var version: Int
    var description: String
    var stateName: String
    var warning: String
    var warningName: String
    /// The facts and the timeline written in Swift (`Field.facts`, `Step.timeline`): Leaf copies the page's whole
    /// context at every turn of a loop.
    var facts: String
    var clocks: [Clock]
    var photos: [String]
    var timeline: String
    /// The action forms with their choices (`ActionForm.html`), empty when the reader may take none.
    var forms: String
    var map: String
    var duplicates: [Field]
    var errors: [String: String]
    var canRevealContact: Bool

    static func build(_ req: Request, code: String, actor: Actor, errors: [String: String], failedAction: String?,
                      revealedPhone: String? = nil) async throws -> CasePageContext {
        let english = req.isEnglish
        let t = Strings.table(english: english)
        let (model, snapshot, relation) = try await CaseTransitionService(db: req.database).load(code: code, for: actor)
        let caseID = try model.requireID()
        let queries = CaseQueryService(db: req.database)
        let names = try await NameBook.load(on: req, unitCodes: Set([model.gridCode, snapshot.centreOrgCode].compactMap { $0 }))
        let sla = try await req.sla()
        let warning = sla.warning(model, at: req.now)
        let dto = CaseDTO(model, snapshot: snapshot, relation: relation, names: names, attachments: [], sla: sla, now: req.now)
        func time(_ d: Date?) -> String { d.map { CasePagesController.time($0, req) } ?? "—" }

        var fields = [
            Field(label: t["caseCode"]!, value: model.code),
            Field(label: t["status"]!, value: english ? model.caseState.nameEN : model.caseState.nameZH),
            Field(label: t["channel"]!, value: (english ? model.caseChannel.nameEN : model.caseChannel.nameZH)
                + (model.hotlineTicket.map { " · \(model.hotlineNumber ?? "") \($0)" } ?? "")),
            Field(label: t["category"]!, value: dto.category?.name ?? "—"),
            Field(label: t["urgency"]!, value: t[model.urgency] ?? model.urgency),
            Field(label: t["address"]!, value: model.address ?? "—"),
            Field(label: t["grid"]!, value: dto.grid?.name ?? (model.outsideGrids ? t["outsideGrids"]! : "—")),
            Field(label: t["centre"]!, value: dto.centre.name),
            Field(label: t["createdAt"]!, value: time(model.createdAt)),
        ]
        if let lead = dto.leadDepartment { fields.append(Field(label: t["leadDepartment"]!, value: lead.name)) }
        if !dto.coDepartments.isEmpty { fields.append(Field(label: t["coDepartments"]!, value: dto.coDepartments.map(\.name).joined(separator: "、"))) }
        if let assigned = snapshot.assignedGridCode { fields.append(Field(label: t["grid"]!, value: assigned)) }
        if !model.anonymous, model.reporterName != nil || model.reporterPhone != nil {
            fields.append(Field(label: t["reporter"]!, value: [dto.reporterName, revealedPhone ?? dto.reporterPhone].compactMap { $0 }.joined(separator: " ")))
        }
        if let result = model.result { fields.append(Field(label: t["result"]!, value: result)) }
        if let rating = model.rating { fields.append(Field(label: t["rating"]!, value: t[rating] ?? rating)) }

        let deadlines = model.deadlines
        let clocks: [Clock] = [(t["acceptDeadline"]!, deadlines.accept), (t["resolveDeadline"]!, deadlines.resolve), (t["replyDeadline"]!, deadlines.reply)]
            .compactMap { label, deadline in
                deadline.map { d in
                    Clock(label: "\(label)(\(d.duration.labelZH))", due: time(d.dueAt),
                          status: d.met.map { $0 ? t["met"]! : t["missed"]! } ?? t["running"]!)
                }
            }

        let attachments = try await queries.attachments(caseID: caseID, counted: model.photoCount)
        let events = try await queries.events(caseID: caseID)
        let steps = events.map { event in
            Step(actionName: event.caseAction?.nameZH ?? event.action,
                 stateName: CaseState(rawValue: event.toState).map { english ? $0.nameEN : $0.nameZH } ?? event.toState,
                 actor: event.actorName + (event.actorDepartmentCode.map { "(\(names.departments[$0] ?? $0))" } ?? ""),
                 note: event.note, at: time(event.createdAt))
        }

        let allowed = CaseMachine.allowedActions(snapshot, relation: relation)
        var forms: [ActionForm] = allowed.map { action in
            var form = ActionForm(action: action.rawValue, label: action.nameZH)
            switch action {
            case .register: form.category = true; form.grid = actor.role == .dispatcher; form.primary = true
            case .reject, .returnCase, .requestEscalation, .coHandle, .verifyFail, .note: form.note = true; form.noteRequired = true
            case .merge: form.master = true
            case .dispatch: form.department = true; form.grid = true; form.primary = true
            case .requestExtension: form.hours = true; form.note = true; form.noteRequired = true
            case .pushDown: form.target = true
            case .submitResult: form.result = true; form.photos = true; form.primary = true
            case .verifyPass: form.note = true; form.photos = true; form.primary = true
            case .returnVisit: form.rating = true; form.note = true; form.primary = true
            case .close: form.note = true; form.noteRequired = snapshot.state == .verified; form.primary = snapshot.state == .evaluated
            case .accept, .archive: form.primary = true
            default: form.note = true
            }
            if action == .verifyFail { form.photos = true }
            if failedAction == action.rawValue { form.error = errors["any"] }
            return form
        }
        forms.sort { $0.primary && !$1.primary }

        // The choices only for the forms shown: a dispatcher's grid runs carried into a page that never writes their
        // marks were searched for in it, and the transfer targets are a read of their own.
        func needed(_ field: (ActionForm) -> Bool) -> Bool { forms.contains(where: field) }
        let catalog = try await req.application.catalogNames(on: req.database)
        let categoryRows = catalog.categoryList.filter(\.active)
        var categories: [PageOption] = []
        if needed(\.category) {
            let topNames = Dictionary(uniqueKeysWithValues: categoryRows.filter { $0.parentCode == nil }.map { ($0.code, $0.name) })
            categories = categoryRows.filter { $0.parentCode != nil }.map {
                PageOption(value: $0.code, label: "\(topNames[$0.parentCode ?? ""] ?? "") / \($0.name)", selected: $0.code == model.categoryCode)
            }
        }
        var departments: [PageOption] = []
        if needed(\.department) {
            let suggested = categoryRows.first { $0.code == model.categoryCode }?.defaultDepartmentCode
            departments = catalog.activeDepartments.map {
                PageOption(value: $0.code, label: $0.name + ($0.code == suggested ? "(\(t["suggested"]!))" : ""), selected: $0.code == suggested)
            }
        }
        var grids = "", gridsSelecting = ""
        var targets: [PageOption] = []
        if actor.role == .dispatcher {
            if needed(\.grid) {
                let choices = try await catalog.gridChoices.choices(within: actor.scopes[0], on: req.database)
                // The dispatch form offers a department first, so no grid is chosen there; the register form has the case's own.
                if needed({ $0.grid && $0.department }) { grids = choices.html(selecting: nil, for: req) }
                if needed({ $0.grid && !$0.department }) { gridsSelecting = choices.html(selecting: model.gridCode, for: req) }
            }
            if needed(\.target), let level = OrgCode.level(of: snapshot.centreOrgCode) {
                targets = try await OrgUnitService(db: req.database).choices(within: OrgScope(level: level, code: snapshot.centreOrgCode), levels: [.township, .village])
                    .filter { $0.code != snapshot.centreOrgCode }.map { PageOption(value: $0.code, label: "\($0.name)(\($0.code))") }
            }
        }
        var duplicates: [Field] = []
        var markers: [CaseMapSVG.Marker] = []
        if allowed.contains(.merge), let lat = model.lat, let lon = model.lon {
            let hints = try await queries.duplicateHints(lat: lat, lon: lon, categoryCode: model.categoryCode, excluding: caseID, now: req.now,
                                                         visibleTo: actor, floor: req.application.recentCasesFloor)
            duplicates = hints.map { Field(label: $0.code, value: String($0.description.prefix(40))) }
            // Nearby open cases on the map beside this one, so the dispatcher sees what may be a duplicate.
            markers += hints.compactMap { hint in
                guard let la = hint.lat, let lo = hint.lon else { return nil }
                return .init(point: GeoPoint(lon: lo, lat: la), warning: sla.warning(hint, at: req.now), gridCode: hint.gridCode,
                             code: hint.code, linked: true)
            }
        }
        if let lat = model.lat, let lon = model.lon {
            markers.append(.init(point: GeoPoint(lon: lon, lat: lat), warning: warning, gridCode: model.gridCode, code: model.code, linked: false))
        }
        let map = markers.isEmpty ? "" : try await MapPages.caseMap(req, actor: actor, markers: markers, focusGrid: model.gridCode)

        // The forms carry the page's one CSRF mask: each `csrfToken` draws a fresh one.
        let chrome = PageChrome(req, notice: req.notice)
        return CasePageContext(
            p: chrome, code: model.code, version: model.version, description: model.description,
            stateName: english ? model.caseState.nameEN : model.caseState.nameZH, warning: warning.rawValue, warningName: warning.nameZH,
            facts: Field.facts(fields), clocks: clocks, photos: attachments.compactMap { $0.id.map { "/cases/\(model.code)/photos/\($0)" } },
            timeline: Step.timeline(steps), forms: forms.isEmpty ? "" : ActionForm.html(forms, code: model.code, version: model.version, csrf: chrome.csrf, t: t, choices: .init(
                categories: SelectOptions.html(categories), departments: SelectOptions.html(departments),
                departmentChecks: SelectOptions.checks(departments, name: "coDepartmentCodes[]"), grids: grids, gridsSelecting: gridsSelecting,
                targets: SelectOptions.html(targets))),
            map: map, duplicates: duplicates, errors: errors, canRevealContact: dto.canRevealContact && revealedPhone == nil)
    }
}
