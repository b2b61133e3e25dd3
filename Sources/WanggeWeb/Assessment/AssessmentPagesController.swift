import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// `/assessment`: an area's rates with their explanations, the ranking of the units inside it and
/// the 红黑榜; `/assessment/index`: the composite index with its history and drill-down;
/// `/admin/assessment`: the weight of 基本满意 and the index definition.
struct AssessmentPagesController: RouteCollection {
    typealias Link = AssessmentViews.Link

    func boot(routes: any RoutesBuilder) throws {
        routes.getHeavy("assessment", use: assessment)
        routes.getHeavy("assessment", "index", use: index)
        routes.get("admin", "assessment", use: settingsPage)
        routes.post("admin", "assessment", use: saveSettings)
    }

    struct RankRow {
        var position: Int
        var name: String
        var href: String?
        var value: String
        var volume: Int
        var received: Int
        var closed: Int
        var overdue: Int
    }

    /// The page's lists are written in Swift (`AssessmentViews`, `rows`, `cards`, `board`): Leaf copies the page's whole
    /// context at every turn of a loop.
    struct AssessmentContext: Encodable {
        var p: PageChrome
        var areaCode: String
        var areaName: String
        var up: String
        var periods: String
        var period: PeriodDTO
        /// The levels to rank, empty where the area has none below it.
        var levels: String
        var rates: String
        var rateName: String
        var rateExplanation: String
        /// The rates' table rows, the figures' `<li>`s and the 红黑榜's items.
        var cards: String
        var figures: String
        var red: String
        var black: String
        var rankingCount: Int
        /// The full ranking's rows, built here rather than in the template: a thousand grids render
        /// several times faster as one string.
        var rankingRows: String
    }

    @Sendable func assessment(req: Request) async throws -> Response {
        let s = try await req.areaSummary(page: true)
        let (actor, area, period, settings, counts, gauge) = (s.actor, s.area, s.period, s.settings, s.counts, s.gauge)
        let allowed = RankingLevel.below(area.orgLevel)
        var level: RankingLevel?
        var rate = Rate.resolution
        var ranked: [RankedRow] = []
        if !allowed.isEmpty {
            let (l, r) = try AssessmentAPIController.rankingParameters(req, area: area)
            (level, rate) = (l, r)
            let entries = try await RankingService(db: req.database).entries(l, in: area, period: period)
            ranked = Ranking.rank(entries, by: r, basicallySatisfiedWeight: settings.basicallySatisfiedWeight)
        }
        let drillable = level?.orgLevel != nil
        func row(_ r: RankedRow) -> RankRow {
            RankRow(position: r.position, name: r.name, href: drillable ? "/assessment?area=\(r.code)&period=\(period.token)&rate=\(rate.rawValue)" : nil,
                    value: RateDTO.percent(r.value), volume: r.volume, received: r.counts.received, closed: r.counts.closed, overdue: r.counts.overdue)
        }
        let boards = Ranking.redBlack(ranked, n: 5)
        let query = "&period=\(period.token)"
        let up = try await AssessmentViews.wayUp(area, actor: actor, path: "/assessment", query: query, on: req)
        let figures = ["受理 \(counts.received)", "立案 \(counts.registered)", "结案 \(counts.closed)", "超期 \(counts.overdue)",
                       "当前在办 \(gauge.open)", "当前超期 \(gauge.overdue)"]
        return try await req.page("assessment", AssessmentContext(
            p: PageChrome(req), areaCode: area.code, areaName: area.name, up: Link.crumbs(up),
            periods: AssessmentViews.periodOptions(today: req.today, selected: period), period: PeriodDTO(period),
            levels: SelectOptions.html(allowed.map { ($0.rawValue, $0.nameZH, $0 == level) }),
            rates: SelectOptions.html(Rate.allCases.map { ($0.rawValue, $0.nameZH, $0 == rate) }),
            rateName: rate.nameZH, rateExplanation: rate.explanationZH,
            cards: Self.cards(RateDTO.all(counts, weight: settings.basicallySatisfiedWeight),
                              weight: String(format: "%.2f", settings.basicallySatisfiedWeight)),
            figures: figures.map { "<li>" + Markup.escape($0) + "</li>" }.joined(),
            red: Self.board(boards.red.map(row)), black: Self.board(boards.black.map(row)), rankingCount: ranked.count,
            rankingRows: Self.rows(ranked.map(row))))
    }

    /// The rates' table: each rate's value, base and how it is computed, the satisfaction rate with the weight of 基本满意.
    static func cards(_ cards: [RateDTO], weight: String) -> String {
        cards.map { card in
            "<tr data-rate=\"" + Markup.escape(card.rate) + "\"><th scope=\"row\">" + Markup.escape(card.name) + "</th><td class=\"num\">"
                + Markup.escape(card.display) + "</td><td class=\"num\">" + String(card.denominator) + "</td><td class=\"explain\">"
                + Markup.escape(card.explanation) + (card.rate == Rate.satisfaction.rawValue ? "(基本满意权重 " + Markup.escape(weight) + ")" : "")
                + "</td></tr>"
        }.joined()
    }

    /// A 红黑榜's items: each unit's name, linked where the ranking drills down, and its value.
    static func board(_ rows: [RankRow]) -> String {
        rows.map { row in
            "<li>" + (row.href.map { "<a href=\"" + Markup.escape($0) + "\">" + Markup.escape(row.name) + "</a>" } ?? Markup.escape(row.name))
                + " <span class=\"num\">" + Markup.escape(row.value) + "</span></li>"
        }.joined()
    }

    /// The ranking's rows, appended piece by piece: built as two interpolated strings a row, and the link's cell as a
    /// third, each was made whole and then copied in.
    static func rows(_ rows: [RankRow]) -> String {
        var out = ""
        out.reserveCapacity(rows.count * 200)
        for r in rows {
            out += "<tr><td class=\"num\">"
            out += String(r.position)
            out += "</td><td>"
            if let href = r.href {
                out += "<a href=\""
                out += Markup.escape(href)
                out += "\">"
                out += Markup.escape(r.name)
                out += "</a>"
            } else {
                out += Markup.escape(r.name)
            }
            out += "</td><td class=\"num\">"
            out += r.value
            for number in [r.volume, r.received, r.closed, r.overdue] {
                out += "</td><td class=\"num\">"
                out += String(number)
            }
            out += "</td></tr>"
        }
        return out
    }

    struct IndexRow {
        var id: String
        var name: String
        var depth: Int
        var weight: String
        var score: String
        var raw: String
        var href: String
        var selected: Bool

        /// The tree's rows, indented by depth, the node shown marked.
        static func html(_ rows: [IndexRow]) -> String {
            rows.map { row in
                "<tr class=\"depth-" + String(row.depth) + (row.selected ? " selected" : "") + "\"><td><a href=\"" + Markup.escape(row.href) + "\">"
                    + Markup.escape(row.name) + "</a></td><td class=\"num\">" + Markup.escape(row.weight) + "</td><td class=\"num\">"
                    + Markup.escape(row.score) + "</td><td class=\"num\">" + Markup.escape(row.raw) + "</td></tr>"
            }.joined()
        }
    }

    struct UnitScore {
        var name: String
        var score: String
        var raw: String
        var href: String
        var casesHref: String

        /// Each unit's row: its score and raw value, a link down the index and one to its cases.
        static func html(_ units: [UnitScore]) -> String {
            units.map { unit in
                "<tr><td><a href=\"" + Markup.escape(unit.href) + "\">" + Markup.escape(unit.name) + "</a></td><td class=\"num\">" + Markup.escape(unit.score)
                    + "</td><td class=\"num\">" + Markup.escape(unit.raw) + "</td><td><a href=\"" + Markup.escape(unit.casesHref) + "\">事件</a></td></tr>"
            }.joined()
        }
    }

    struct IndexContext: Encodable {
        var p: PageChrome
        var areaName: String
        var indexName: String
        var up: String
        var periods: String
        var period: PeriodDTO
        /// The index tree's and the units' table rows (`IndexRow.html`, `UnitScore.html`).
        var tree: String
        var nodeName: String
        var nodeIsLeaf: Bool
        var units: String
        var history: String
        var casesHref: String
    }

    /// The index tree for the area, a node's scores for each child unit, and the node's 12-month history.
    @Sendable func index(req: Request) async throws -> Response {
        let actor = try req.assessmentActor(page: true)
        let area = try await req.assessmentArea(for: actor)
        let period = try req.assessmentPeriod()
        let settings = try await AssessmentSettings.load(on: req.database)
        let definition = settings.index
        let weight = settings.basicallySatisfiedWeight
        let queries = AssessmentQueries(db: req.database)
        let score = definition.evaluate(try await queries.totals(.org, area.code, period), basicallySatisfiedWeight: weight)
        let nodeID = req.query[String.self, at: "node"] ?? definition.root.id
        let base = "/assessment/index?area=\(area.code)&period=\(period.token)"
        var tree: [IndexRow] = []
        func walk(_ s: IndexScore, depth: Int) {
            tree.append(IndexRow(id: s.id, name: s.nameZH, depth: depth, weight: ExportText.decimal(s.weight, maxFractionDigits: 2),
                                 score: s.scoreText, raw: Self.rawText(s.raw), href: base + "&node=\(s.id)", selected: s.id == nodeID))
            for child in s.children { walk(child, depth: depth + 1) }
        }
        walk(score, depth: 0)
        guard let selected = tree.first(where: \.selected) else { throw AppError.notFound("index node") }
        let node = Self.find(nodeID, in: definition.root)
        func pick(_ s: IndexScore) -> IndexScore? { Self.find(nodeID, in: s) }

        let children = try await OrgUnitService(db: req.database).childNames(of: area.requireID())
        let byUnit = try await queries.byUnit(.org, units: children.map { $0.code }, period)
        let units = children.map { unit -> UnitScore in
            let s = pick(definition.evaluate(byUnit[unit.code] ?? CaseCounts(), basicallySatisfiedWeight: weight))
            return UnitScore(name: unit.name, score: s?.scoreText ?? "—", raw: Self.rawText(s?.raw),
                             href: "/assessment/index?area=\(unit.code)&period=\(period.token)&node=\(nodeID)",
                             casesHref: "/work?all=1&within=\(unit.code)&from=\(period.first)&to=\(period.last)")
        }
        // History: the node's score for the area in each of the twelve months up to the period's end.
        var months: [AssessmentPeriod] = []
        var m = AssessmentPeriod.of(.month, containing: period.last)!
        for _ in 0..<12 { months.insert(m, at: 0); m = m.previous }
        let monthly = try await queries.monthly(.org, area.code, months: months.map(\.token))
        let values = months.map { pick(definition.evaluate(monthly[$0.token] ?? CaseCounts(), basicallySatisfiedWeight: weight))?.score ?? 0 }
        let chart = SVGLineChart(title: "\(selected.name) · 近 12 个月", xLabels: months.map { String($0.token.suffix(5)) },
                                 series: [.init(label: selected.name, values: values, color: "#1565c0")], width: 720, height: 260)
        let up = try await AssessmentViews.wayUp(area, actor: actor, path: "/assessment/index", query: "&period=\(period.token)&node=\(nodeID)", on: req)
        return try await req.page("assessment-index", IndexContext(
            p: PageChrome(req), areaName: area.name, indexName: definition.nameZH, up: Link.crumbs(up),
            periods: AssessmentViews.periodOptions(today: req.today, selected: period), period: PeriodDTO(period), tree: IndexRow.html(tree),
            nodeName: selected.name, nodeIsLeaf: node?.leaf != nil, units: UnitScore.html(units), history: chart.svg(),
            casesHref: "/work?all=1&within=\(area.code)&from=\(period.first)&to=\(period.last)"))
    }

    static func rawText(_ raw: Double?) -> String {
        guard let raw else { return "—" }
        return raw == raw.rounded() && raw > 1 ? String(Int(raw)) : ExportText.percent(raw)
    }

    static func find(_ id: String, in score: IndexScore) -> IndexScore? {
        if score.id == id { return score }
        for child in score.children { if let found = find(id, in: child) { return found } }
        return nil
    }

    static func find(_ id: String, in node: IndexNode) -> IndexNode? {
        if node.id == id { return node }
        for child in node.children { if let found = find(id, in: child) { return found } }
        return nil
    }

    struct SettingsContext: Encodable {
        var p: PageChrome
        var weight: String
        var indexJSON: String
        var errors: [String]
    }

    @Sendable func settingsPage(req: Request) async throws -> Response {
        _ = try req.requireAdminPage()
        let settings = try await AssessmentSettings.load(on: req.database)
        return try await req.page("admin-assessment", SettingsContext(p: PageChrome(req, notice: req.notice), weight: String(settings.basicallySatisfiedWeight),
                                                                      indexJSON: try Self.pretty(settings.index), errors: []))
    }

    struct SettingsForm: Content {
        var weight: String?
        var index: String?
    }

    @Sendable func saveSettings(req: Request) async throws -> Response {
        let actor = try req.requireAdminPage()
        let form = try req.content.decode(SettingsForm.self)
        var errors: [String] = []
        let weight = Double(form.weight?.trimmingCharacters(in: .whitespaces) ?? "")
        if weight == nil || !(0...1).contains(weight!) { errors.append("基本满意的权重须为 0 到 1 之间的数,例如 0.8。") }
        var definition: IndexDefinition?
        do {
            definition = try JSONDecoder().decode(IndexDefinition.self, from: Data((form.index ?? "").utf8))
        } catch {
            errors.append("指数定义不是有效的 JSON 结构:请对照示例检查括号、引号和字段名。")
        }
        if let definition { errors += definition.validate() }
        guard errors.isEmpty, let weight, let definition else {
            return try await req.page("admin-assessment", SettingsContext(p: PageChrome(req), weight: form.weight ?? "", indexJSON: form.index ?? "",
                                                                          errors: errors), status: .badRequest)
        }
        try await SettingsService(db: req.database).set(AssessmentSettings.key, AssessmentSettings(basicallySatisfiedWeight: weight, index: definition),
                                                  by: actor.username, at: req.now)
        return req.redirect(to: "/admin/assessment?notice=saved")
    }

    static func pretty(_ definition: IndexDefinition) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(definition), as: UTF8.self)
    }
}
