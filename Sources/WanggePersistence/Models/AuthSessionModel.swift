import FluentKit
import Foundation

/// A signed-in browser session or an API bearer token. Only a SHA-256 hash of the secret is stored,
/// so a copy of the database does not let anyone sign in; the row lives in the database so several
/// app instances share it.
public final class AuthSessionModel: Model, @unchecked Sendable {
    public static let schema = "auth_sessions"

    public enum Kind: String, Sendable { case web, api }

    @ID(key: .id) public var id: UUID?
    @Column(key: "token_hash") public var tokenHash: String
    @Column(key: "kind") public var kind: String
    @Parent(key: "user_id") public var user: UserModel
    @Column(key: "csrf_token") public var csrfToken: String
    @Column(key: "created_at") public var createdAt: Date
    @Column(key: "expires_at") public var expiresAt: Date

    public init() {}

    public init(tokenHash: String, kind: Kind, userID: UUID, csrfToken: String, createdAt: Date, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.kind = kind.rawValue
        self.$user.id = userID
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// Fluent would find these by reflection on every row it reads (`Mirror`, most of a read
    /// request's time); listed here in declaration order (a test compares the two).
    public var properties: [any AnyProperty] { [_id, _tokenHash, _kind, _user, _csrfToken, _createdAt, _expiresAt] }
}
