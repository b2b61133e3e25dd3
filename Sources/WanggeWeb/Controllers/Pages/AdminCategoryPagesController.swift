import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// Admin page for the category taxonomy and the deadline rules.
struct AdminCategoryPagesController: RouteCollection {
    struct Row {
        var code: String
        var name: String
        var isTop: Bool
        var department: String
        var level: String

        /// The taxonomy's table rows, the top categories marked.
        static func html(_ rows: [Row]) -> String {
            rows.map { row in
                (row.isTop ? "<tr class=\"top\">" : "<tr>") + "<td>" + Markup.escape(row.code) + "</td><td>" + Markup.escape(row.name) + "</td><td>"
                    + Markup.escape(row.level) + "</td><td>" + Markup.escape(row.department) + "</td></tr>"
            }.joined()
        }
    }

    struct RuleRow {
        var scope: String
        var accept: String
        var resolve: String
        var reply: String

        static func html(_ rules: [RuleRow]) -> String {
            rules.map { "<tr><td>" + Markup.escape($0.scope) + "</td><td>" + Markup.escape($0.accept) + "</td><td>" + Markup.escape($0.resolve)
                + "</td><td>" + Markup.escape($0.reply) + "</td></tr>" }.joined()
        }
    }

    /// The thresholds in force, in whole percent of the allowed time.
    struct ThresholdsView: Encodable {
        var blue: Int
        var yellow: Int
        var red: Int
        var stored: Bool
    }

    /// The page's tables and choices written in Swift (`Row`, `RuleRow`, `SelectOptions`): Leaf copies the page's whole
    /// context at every turn of a loop, and the categories are listed twice.
    struct Context: Encodable {
        var p: PageChrome
        var rows: String
        var ruleCategories: String
        var rules: String
        var tops: String
        var departments: String
        var thresholds: ThresholdsView
        var errors: [String: String]
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.getHeavy("admin", "categories", use: show)
        routes.post("admin", "categories", use: create)
        routes.post("admin", "sla-rules", use: rule)
        routes.post("admin", "sla-thresholds", use: thresholds)
    }

    func context(_ req: Request, errors: [String: String]) async throws -> Context {
        let names = try await NameBook.load(on: req)
        let rows = try await req.application.catalogNames(on: req.database).categoryList.filter(\.active)
        let sla = try await req.sla()
        var rules = [RuleRow(scope: "默认", accept: sla.policies.fallback.accept.labelZH, resolve: sla.policies.fallback.resolve.labelZH,
                             reply: sla.policies.fallback.reply.labelZH)]
        rules += sla.policies.rules.map { rule in
            RuleRow(scope: [rule.categoryCode.map { names.categories[$0] ?? $0 }, rule.urgency?.nameZH].compactMap { $0 }.joined(separator: " · "),
                    accept: rule.policy.accept.labelZH, resolve: rule.policy.resolve.labelZH, reply: rule.policy.reply.labelZH)
        }
        let percent = { (fraction: Double) in Int((fraction * 100).rounded()) }
        let tableRows = rows.map { Row(code: $0.code, name: $0.name, isTop: $0.parentCode == nil,
                                       department: $0.defaultDepartmentCode.map { names.departments[$0] ?? $0 } ?? "",
                                       level: $0.defaultLevel.flatMap(OrgLevel.init(rawValue:))?.nameZH ?? "") }
        return Context(p: PageChrome(req, notice: req.notice), rows: Row.html(tableRows),
                       ruleCategories: SelectOptions.html(tableRows.map { ($0.code, $0.code + " " + $0.name, false) }),
                       rules: RuleRow.html(rules),
                       tops: SelectOptions.html(rows.filter { $0.parentCode == nil }.map { ($0.code, $0.name, false) }),
                       departments: SelectOptions.html(names.departments.sorted { $0.key < $1.key }.map { ($0.key, $0.value, false) }),
                       thresholds: ThresholdsView(blue: percent(sla.thresholds.blue), yellow: percent(sla.thresholds.yellow),
                                                  red: percent(sla.thresholds.red), stored: sla.thresholdsStored),
                       errors: errors)
    }

    @Sendable func show(req: Request) async throws -> Response {
        _ = try req.requireAdminPage()
        return try await req.page("admin-categories", context(req, errors: [:]))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let actor = try req.requireAdminPage()
        let input = try req.content.decode(CategoryInput.self)
        do {
            _ = try await CategoryService(db: req.database).create(input, by: actor)
            return req.redirect(to: "/admin/categories?notice=created")
        } catch let error as AppError where error.kind == .badRequest || error.kind == .conflict {
            return try await req.page("admin-categories", context(req, errors: [error.field ?? "code": error.message(english: req.isEnglish)]), status: .badRequest)
        }
    }

    @Sendable func rule(req: Request) async throws -> Response {
        let actor = try req.requireAdminPage()
        struct Form: Content {
            var categoryCode: String?
            var urgency: String?
            var acceptMinutes: Int?
            var resolveWorkingDays: Int?
            var replyWorkingDays: Int?
        }
        let form = try req.content.decode(Form.self)
        return try await saveSLA(req, errorsUnder: "rule") {
            guard let accept = form.acceptMinutes, let resolve = form.resolveWorkingDays, let reply = form.replyWorkingDays else {
                throw AppError.invalid("sla.missing", zh: "请填写三项时限。", en: "Fill in all three limits.", field: "rule")
            }
            let policy = SLAPolicy(accept: .minutes(accept), resolve: .workingDays(resolve), reply: .workingDays(reply))
            try await SLAAdminService(db: req.database).setRule(categoryCode: form.categoryCode.flatMap { $0.isEmpty ? nil : $0 },
                                                          urgency: form.urgency.flatMap { Urgency(rawValue: $0) }, policy: policy, by: actor)
        }
    }

    @Sendable func thresholds(req: Request) async throws -> Response {
        let actor = try req.requireAdminPage()
        struct Form: Content {
            var bluePercent: Double?
            var yellowPercent: Double?
            var redPercent: Double?
        }
        let form = try req.content.decode(Form.self)
        return try await saveSLA(req, errorsUnder: "thresholds") {
            guard let blue = form.bluePercent, let yellow = form.yellowPercent, let red = form.redPercent else {
                throw AppError.invalid("sla.thresholds", zh: "请填写三项预警阈值。", en: "Fill in all three thresholds.", field: "thresholds")
            }
            let thresholds = WarningThresholds(blue: blue / 100, yellow: yellow / 100, red: red / 100)
            try await SLAAdminService(db: req.database).setThresholds(thresholds, by: actor, at: req.now)
        }
    }

    /// Saves a deadline setting from a form: this instance drops its copy of the rules at once, and the
    /// page comes back with the notice, or with the reason next to the form (`errorsUnder`).
    private func saveSLA(_ req: Request, errorsUnder key: String, _ save: () async throws -> Void) async throws -> Response {
        do {
            try await save()
            await req.application.invalidateSLAContext()
            return req.redirect(to: "/admin/categories?notice=saved")
        } catch let error as AppError where error.kind == .badRequest {
            return try await req.page("admin-categories", context(req, errors: [key: error.message(english: req.isEnglish)]), status: .badRequest)
        }
    }
}
