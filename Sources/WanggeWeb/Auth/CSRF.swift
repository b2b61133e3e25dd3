import Vapor
import WanggeDomain

/// Every form POST carries `_csrf`. A signed-in user's token lives in their session row; before
/// sign-in (the login form) it is a double-submit cookie. Pages only: the API takes bearer tokens,
/// which a foreign site cannot make a browser send.
struct CSRFMiddleware: AsyncMiddleware {
    static let cookieName = "wangge_csrf"
    static let fieldName = "_csrf"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // API and Open311 clients send no forms and keep no cookies: nothing to check or hand out.
        if request.isUnder("api") || request.isUnder("open311") {
            return try await next.respond(to: request)
        }
        let anonymousToken = request.cookie(named: Self.cookieName)
        let freshToken = anonymousToken == nil ? Tokens.random() : nil
        request.storage[CSRFTokenKey.self] = request.currentUser?.csrfToken ?? anonymousToken ?? freshToken

        if request.method == .POST {
            let expected = request.currentUser?.csrfToken ?? anonymousToken
            // A larger body (a form with photos) may still be streaming in: gather it before reading the token.
            if request.body.data == nil {
                let limit = request.headers.contentType == .formData ? 96 * 1024 * 1024 : 1024 * 1024
                _ = try await request.body.collect(max: limit).get()
            }
            let sent = (try? request.content.get(String.self, at: Self.fieldName)) ?? request.headers.first(name: "X-CSRF-Token")
            // Pages hand out the token masked (`Request.csrfToken`); the bare token is its own proof too.
            guard let expected, let sent, Tokens.equal(expected, Tokens.unmasked(sent) ?? "") || Tokens.equal(expected, sent) else {
                throw AppError(.forbidden, code: "csrf",
                               zh: "表单已过期或来源不明(CSRF 校验失败),请刷新页面后重试。",
                               en: "The form expired or came from elsewhere (CSRF check failed); reload and try again.")
            }
        }
        let response = try await next.respond(to: request)
        if let freshToken {
            response.cookies[Self.cookieName] = request.application.cookie(freshToken, maxAge: nil)
        }
        return response
    }
}

struct CSRFTokenKey: StorageKey {
    typealias Value = String
}

extension Request {
    /// What a page's forms carry: the token under a mask drawn for this answer (`Tokens.masked`).
    var csrfToken: String { storage[CSRFTokenKey.self].map(Tokens.masked) ?? "" }
}

extension Application {
    /// Session-style cookies: HttpOnly always, SameSite=Lax, Secure when configured (behind HTTPS).
    func cookie(_ value: String, maxAge: Int?) -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, expires: nil, maxAge: maxAge, domain: nil, path: "/",
                          isSecure: wanggeConfig.secureCookies, isHTTPOnly: true, sameSite: .lax)
    }
}
