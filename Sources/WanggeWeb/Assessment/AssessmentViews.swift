import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// Pieces shared by the assessment, index, report and dashboard pages. Their lists are written in Swift, each value
/// through `Markup.escape`: Leaf copies the page's whole context at every turn of a loop.
enum AssessmentViews {
    struct Link {
        var href: String
        var label: String
        var current: Bool = false

        /// The way up as the crumbs show it: each area a link and an arrow, the current one in bold.
        static func crumbs(_ links: [Link]) -> String {
            links.map { link in
                link.current ? "<strong>" + Markup.escape(link.label) + "</strong>"
                    : "<a href=\"" + Markup.escape(link.href) + "\">" + Markup.escape(link.label) + "</a> › "
            }.joined()
        }

        /// The way down: a link to each area, a space after each.
        static func list(_ links: [Link]) -> String {
            links.map { "<a href=\"" + Markup.escape($0.href) + "\">" + Markup.escape($0.label) + "</a> " }.joined()
        }
    }

    /// A report's table for its page. The body's rows are written here, escaped as Leaf escapes: rendered by Leaf cell
    /// by cell, with every cell encoded into its context first, the four tables cost over a third of the page's CPU
    /// (a month's report at a million cases, 5.81 → 3.65 ms in pairs).
    struct Table: Encodable {
        var title: String
        /// The header's `<th>`s.
        var header: String
        var body: String
        var empty: Bool

        init(_ table: ReportTable) {
            title = table.title
            header = table.header.map { "<th>" + Markup.escape($0) + "</th>" }.joined()
            empty = table.rows.isEmpty
            var body = ""
            body.reserveCapacity(table.rows.count * table.header.count * 24)
            for row in table.rows {
                body += "<tr>"
                for cell in row {
                    body += "<td>"
                    body += Markup.escape(cell.displayText)
                    body += "</td>"
                }
                body += "</tr>"
            }
            self.body = body
        }
    }

    /// The periods offered in the selector: recent weeks, months, quarters and years, as `<option>`s.
    static func periodOptions(today: String, selected: AssessmentPeriod, kinds: [AssessmentPeriod.Kind] = [.month, .quarter, .year]) -> String {
        var periods: [AssessmentPeriod] = []
        for kind in kinds {
            var p = AssessmentPeriod.of(kind, containing: today)!
            let count = kind == .week ? 8 : kind == .month ? 12 : kind == .quarter ? 4 : 3
            for _ in 0..<count {
                periods.append(p)
                p = p.previous
            }
        }
        if !periods.contains(selected) { periods.insert(selected, at: 0) }
        return SelectOptions.html(periods.map { ($0.token, $0.labelZH, $0 == selected) })
    }

    /// The way up from the area to the top of the actor's scope, named from the application's kept catalogue
    /// (`NameBook`), as every page names its units.
    static func wayUp(_ area: OrgUnitModel, actor: Actor, path: String, query: String, on req: Request) async throws -> [Link] {
        let ancestry = area.ancestry
        var codes: [String] = []
        for level in OrgLevel.allCases where level < area.orgLevel {
            if let code = ancestry[level], actor.canSee(OrgCode.ancestry(of: code)) { codes.append(code) }
        }
        let names = try await NameBook.load(on: req, unitCodes: Set(codes)).units
        return codes.map { Link(href: "\(path)?area=\($0)\(query)", label: names[$0] ?? $0) }
            + [Link(href: "\(path)?area=\(area.code)\(query)", label: area.name, current: true)]
    }

    /// The way down: a link to each unit below the area (`OrgUnitService.childNames`, which the page has read already).
    static func wayDown(_ children: [(code: String, name: String)], path: String, query: String) -> [Link] {
        children.map { Link(href: "\(path)?area=\($0.code)\(query)", label: $0.name) }
    }

    static func figure(_ n: Int) -> String {
        n >= 10_000 ? FixedDecimal.string(Double(n) / 10_000, digits: 1) + "万" : String(n)
    }
}
