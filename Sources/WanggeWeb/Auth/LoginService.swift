import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// Checks a username and password with the lockout rule and opens a session or token.
struct LoginService {
    let request: Request

    /// A hash of a random password, verified against when the username is unknown so that the answer
    /// takes as long as for a real user and does not reveal which usernames exist.
    private static let dummyHash = try! Bcrypt.hash("wangge-no-such-user", cost: 10)

    func verify(username: String, password: String) async throws -> UserModel {
        try request.enforceRateLimit(.login)
        let now = request.now
        let wrong = AppError(.unauthorized, code: "auth.invalid", zh: "用户名或密码错误。", en: "Wrong username or password.")
        guard let user = try await UserModel.query(on: request.database).filter(\.$username == username).first(), user.active else {
            _ = try? await request.hasher.verify(password, Self.dummyHash)
            throw wrong
        }
        if user.lockout.isLocked(at: now), let until = user.lockedUntil {
            throw LoginLockout.lockedError(until: until, now: now)
        }
        let hash = user.passwordHash
        guard try await request.hasher.verify(password, hash) else {
            user.lockout = user.lockout.afterFailure(at: now)
            try await user.save(on: request.database)
            if let until = user.lockedUntil, user.lockout.isLocked(at: now) {
                throw LoginLockout.lockedError(until: until, now: now)
            }
            throw wrong
        }
        if user.failedLogins != 0 || user.lockedUntil != nil {
            user.lockout = .afterSuccess
            try await user.save(on: request.database)
        }
        return user
    }

    /// Opens a new session (a fresh id every time, so a session fixed before login is worthless).
    func open(for user: UserModel, kind: AuthSessionModel.Kind) async throws -> (secret: String, session: AuthSessionModel) {
        let config = request.application.wanggeConfig
        let secret = Tokens.random()
        let now = request.now
        let lifetime = kind == .web ? config.sessionLifetime : config.tokenLifetime
        let session = AuthSessionModel(tokenHash: Tokens.hash(secret), kind: kind, userID: try user.requireID(),
                                       csrfToken: Tokens.random(), createdAt: now, expiresAt: now.addingTimeInterval(lifetime))
        try await session.create(on: request.database)
        // Expired sessions of this user are cleared on the way.
        try await AuthSessionModel.query(on: request.database).filter(\.$user.$id == user.requireID())
            .filter(\.$expiresAt < now).delete()
        return (secret, session)
    }
}
