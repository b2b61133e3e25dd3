import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// Sign-in, sign-out, the home page, password change and the language switch.
struct SessionPagesController: RouteCollection {
    struct LoginContext: Encodable {
        var p: PageChrome
        var username: String
        var error: String?
        var next: String
    }

    struct HomeContext: Encodable {
        var p: PageChrome
        var scopeName: String?
        var mapURL: String?
    }

    struct PasswordContext: Encodable {
        var p: PageChrome
        var errors: [String: String]
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
        routes.get("login", use: loginForm)
        routes.post("login", use: login)
        routes.post("logout", use: logout)
        routes.get("account", "password", use: passwordForm)
        routes.post("account", "password", use: changePassword)
        routes.get("lang", ":lang", use: switchLanguage)
    }

    @Sendable func home(req: Request) async throws -> Response {
        var context = HomeContext(p: PageChrome(req, notice: req.notice))
        if let actor = req.currentUser?.actor, actor.role.isStaff {
            let unit = try? await OrgUnitService(db: req.database).find(code: actor.orgCode, for: actor)
            context.scopeName = unit?.name
            context.mapURL = "/maps/grids.svg"
        }
        return try await req.page("home", context)
    }

    @Sendable func loginForm(req: Request) async throws -> Response {
        try await req.page("login", LoginContext(p: PageChrome(req), username: "", error: nil, next: safeNext(req)))
    }

    @Sendable func login(req: Request) async throws -> Response {
        struct Form: Content {
            var username: String?
            var password: String?
            var next: String?
        }
        let form = try req.content.decode(Form.self)
        let username = (form.username ?? "").trimmingCharacters(in: .whitespaces)
        let service = LoginService(request: req)
        do {
            let user = try await service.verify(username: username, password: form.password ?? "")
            // Any session the browser had before is ended: the new one gets a new id.
            if let old = req.currentUser { try await old.endSession(on: req.database) }
            let (secret, _) = try await service.open(for: user, kind: .web)
            let response = req.redirect(to: Self.safePath(form.next) ?? "/")
            response.cookies[SessionAuthenticator.cookieName] = req.application.cookie(
                secret, maxAge: Int(req.application.wanggeConfig.sessionLifetime))
            return response
        } catch let error as AppError {
            let context = LoginContext(p: PageChrome(req), username: username, error: error.message(english: req.isEnglish),
                                       next: Self.safePath(form.next) ?? "/")
            return try await req.page("login", context, status: WanggeErrorMiddleware.status(error.kind, isInternal: false))
        }
    }

    @Sendable func logout(req: Request) async throws -> Response {
        if let current = req.currentUser { try await current.endSession(on: req.database) }
        let response = req.redirect(to: "/login")
        response.cookies[SessionAuthenticator.cookieName] = req.application.cookie("", maxAge: 0)
        return response
    }

    @Sendable func passwordForm(req: Request) async throws -> Response {
        _ = try req.requirePageUser()
        return try await req.page("password", PasswordContext(p: PageChrome(req), errors: [:]))
    }

    @Sendable func changePassword(req: Request) async throws -> Response {
        let current = try req.requirePageUser()
        struct Form: Content {
            var currentPassword: String?
            var newPassword: String?
        }
        let form = try req.content.decode(Form.self)
        do {
            try await UserService(db: req.database).changePassword(user: current.loadUser(on: req.database), current: form.currentPassword ?? "",
                                                             new: form.newPassword ?? "", hasher: req.hasher, now: req.now)
            return req.redirect(to: "/?notice=passwordChanged")
        } catch let error as AppError {
            return try await req.page("password", PasswordContext(p: PageChrome(req), errors: [error.field ?? "newPassword": error.message(english: req.isEnglish)]),
                                      status: .badRequest)
        }
    }

    @Sendable func switchLanguage(req: Request) async throws -> Response {
        let lang = req.parameters.get("lang") == "en" ? "en" : "zh"
        let response = req.redirect(to: Self.safePath(req.query[String.self, at: "back"]) ?? "/")
        response.cookies["wangge_lang"] = HTTPCookies.Value(string: lang, maxAge: 365 * 24 * 3600, path: "/",
                                                            isSecure: req.application.wanggeConfig.secureCookies,
                                                            isHTTPOnly: true, sameSite: .lax)
        return response
    }

    func safeNext(_ req: Request) -> String { Self.safePath(req.query[String.self, at: "next"]) ?? "/" }

    /// Only local paths, so a crafted link cannot send a user elsewhere after sign-in.
    static func safePath(_ raw: String?) -> String? {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.contains("\\"), !raw.contains("\n"), !raw.contains("\r")
        else { return nil }
        return raw
    }
}

extension Request {
    /// Pages that need a signed-in staff member send a visitor to the login page instead of a 401.
    func requirePageUser() throws -> CurrentUser {
        guard let current = currentUser else { throw LoginRedirect(next: url.string) }
        return current
    }
}

struct LoginRedirect: Error {
    var next: String
}

/// Turns `LoginRedirect` into a redirect to the login page, remembering where the user wanted to go.
struct LoginRedirectMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let redirect as LoginRedirect {
            let encoded = redirect.next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
            return request.redirect(to: "/login?next=\(encoded)")
        }
    }
}
