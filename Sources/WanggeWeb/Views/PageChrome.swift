import Vapor
import WanggeDomain

/// What every page needs besides its own content: strings in the reader's language, the CSRF token
/// for forms, the signed-in user and the navigation for their role.
struct PageChrome: Encodable {
    struct NavItem: Encodable {
        var href: String
        var label: String
    }

    struct UserInfo: Encodable {
        var username: String
        var displayName: String
        var roleName: String
        var orgCode: String
    }

    var lang: String
    var t: [String: String]
    var csrf: String
    var user: UserInfo?
    var nav: [NavItem]
    var notice: String?
    var path: String

    init(_ request: Request, notice: String? = nil) {
        let english = request.isEnglish
        let t = Strings.table(english: english)
        self.lang = english ? "en" : "zh-CN"
        self.t = t
        self.csrf = request.csrfToken
        self.notice = notice
        self.path = request.url.path
        var nav = [NavItem(href: "/", label: t["home"]!)]
        if let current = request.currentUser {
            let actor = current.actor
            self.user = UserInfo(username: actor.username, displayName: actor.displayName,
                                 roleName: english ? actor.role.nameEN : actor.role.nameZH, orgCode: actor.orgCode)
            if actor.role == .admin {
                nav += [NavItem(href: "/admin/units", label: t["orgUnits"]!),
                        NavItem(href: "/admin/departments", label: t["departments"]!),
                        NavItem(href: "/admin/users", label: t["users"]!)]
            }
            nav.append(NavItem(href: "/account/password", label: t["account"]!))
        }
        self.nav = nav
    }
}

extension Request {
    /// Chinese unless the reader chose English (a cookie set by `/lang/en`).
    var isEnglish: Bool { cookies["wangge_lang"]?.string == "en" }

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
