import LeafKit
import Vapor
import WanggeDomain
import WanggePersistence

/// What every page needs besides its own content: strings in the reader's language, the CSRF token
/// for forms, the signed-in user and the navigation for their role.
struct PageChrome: Encodable {
    /// Whether an item is the page being read or carries the unread badge is decided here, not compared in the
    /// template: Leaf's `==` built a set of types at every comparison, a dozen a page (an eighth of the inbox's samples).
    struct NavItem {
        var href: String
        var label: String
        var current: Bool
        var badged: Bool

        /// The links as the header shows them: the page being read marked, the inbox with its badge.
        static func html(_ items: [NavItem], unreadBadge: String, unreadLabel: String) -> String {
            var out = ""
            for item in items {
                out += "<a href=\"" + Markup.escape(item.href) + (item.current ? "\" aria-current=\"page\">" : "\">") + Markup.escape(item.label)
                if item.badged {
                    out += " <span class=\"badge\" aria-label=\"" + Markup.escape(unreadLabel) + "\">" + Markup.escape(unreadBadge) + "</span>"
                }
                out += "</a>"
            }
            return out
        }
    }

    struct UserInfo: Encodable {
        var username: String
        var displayName: String
        var roleName: String
        var orgCode: String
    }

    var lang: String
    /// The language the header's switch offers: its path segment and its tag.
    var otherLang: String
    var otherLangTag: String
    var t: StringTable
    var csrf: String
    var user: UserInfo?
    /// The navigation's links written in Swift (`NavItem.html`): Leaf's loop copies the page's context at every turn.
    var navHTML: String
    var notice: String?
    var path: String
    /// The header's badge: the count, "99+" from the cap on, empty when nothing is unread.
    var unreadBadge: String

    init(_ request: Request, notice: String? = nil) {
        let english = request.isEnglish
        let t = Strings.table(english: english)
        self.lang = english ? "en" : "zh-CN"
        (otherLang, otherLangTag) = english ? ("zh", "zh-CN") : ("en", "en")
        self.t = english ? .english : .chinese
        self.csrf = request.csrfToken
        self.notice = notice
        self.path = request.routePath
        let unread = request.storage[UnreadCountKey.self] ?? 0
        self.unreadBadge = unread == 0 ? "" : unread >= Inbox.badgeCap ? "\(Inbox.badgeCap - 1)+" : String(unread)
        let path = self.path, badged = !unreadBadge.isEmpty
        var nav = [NavItem(href: "/", label: t["home"]!, current: path == "/", badged: false)]
        func add(_ href: String, _ key: String) {
            nav.append(NavItem(href: href, label: t[key] ?? key, current: href == path, badged: badged && href == "/inbox"))
        }
        if let current = request.currentUser {
            let actor = current.actor
            self.user = UserInfo(username: actor.username, displayName: actor.displayName,
                                 roleName: english ? actor.role.nameEN : actor.role.nameZH, orgCode: actor.orgCode)
            switch actor.role {
            case .citizen: add("/report", "report"); add("/work", "work"); add("/track", "track")
            case .gridWorker: add("/grid", "gridHome"); add("/report", "patrolReport"); add("/work", "work")
            case .dispatcher:
                add("/work", "work"); add("/report", "report"); add("/overview", "overview"); add("/assessment", "assessment")
                add("/reports", "reports")
            case .handler: add("/work", "work")
            case .leader:
                add("/dashboard", "dashboard"); add("/overview", "overview"); add("/assessment", "assessment")
                add("/assessment/index", "safetyIndex"); add("/reports", "reports"); add("/work", "work")
            case .admin:
                add("/admin/units", "orgUnits"); add("/admin/departments", "departments"); add("/admin/users", "users")
                add("/admin/categories", "categories"); add("/admin/assessment", "assessmentSettings"); add("/overview", "overview")
                add("/assessment", "assessment"); add("/dashboard", "dashboard")
            }
            if actor.role.isStaff { add("/inbox", "inbox") }
            add("/account/password", "account")
        } else {
            add("/report", "report")
            add("/track", "track")
        }
        self.navHTML = NavItem.html(nav, unreadBadge: unreadBadge, unreadLabel: t["unread"] ?? "unread")
    }
}

/// A language's strings as the templates read them (`#(p.t.key)`), made Leaf's data once per language. As a plain
/// dictionary every page encoded all of them again, one by one through `Codable` (8% of the overview's samples).
struct StringTable: Encodable, LeafDataRepresentable {
    let strings: [String: String]
    let leafData: LeafData

    init(_ strings: [String: String]) {
        self.strings = strings
        leafData = .dictionary(strings.mapValues(LeafData.string))
    }

    static let chinese = StringTable(Strings.zh)
    static let english = StringTable(Strings.en)

    func encode(to encoder: any Encoder) throws {
        try strings.encode(to: encoder)
    }
}

struct UnreadCountKey: StorageKey {
    typealias Value = Int
}

extension Request {
    /// Chinese unless the reader chose English (a cookie set by `/lang/en`). The cookie is found in the Cookie headers'
    /// bytes (`cookie(named:)`), not parsed whole into `cookies`: a page asks several times, and the overview's parses
    /// were 6.6% of its samples.
    var isEnglish: Bool { cookie(named: "wangge_lang") == "en" }

    func page<Content: Encodable>(_ template: String, _ content: Content, status: HTTPResponseStatus = .ok) async throws -> Response {
        let view = try await self.view.render(template, content)
        let response = try await view.encodeResponse(for: self)
        response.status = status
        return response
    }

    /// A success message passed across a redirect as `?notice=key`, looked up in the string table.
    var notice: String? {
        guard let key = query[String.self, at: "notice"] else { return nil }
        return Strings.table(english: isEnglish)[key]
    }
}

struct ErrorPage {
    struct Context: Encodable {
        var p: PageChrome
        var message: String
        var status: Int
    }

    static func render(_ error: AppError, status: HTTPResponseStatus, for request: Request) async throws -> Response {
        let context = Context(p: PageChrome(request), message: error.message(english: request.isEnglish), status: Int(status.code))
        return try await request.page("error", context, status: status)
    }
}
