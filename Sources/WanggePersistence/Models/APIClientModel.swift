import Crypto
import FluentKit
import Foundation
import WanggeDomain

/// A client system (a city app, a hotline platform) allowed to post Open311 requests. Only a hash
/// of its key is stored; revoking sets `active` to false.
public final class APIClientModel: Model, @unchecked Sendable {
    public static let schema = "api_clients"

    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @Field(key: "key_hash") public var keyHash: String
    /// The first characters, so an administrator can tell keys apart.
    @Field(key: "key_prefix") public var keyPrefix: String
    @Field(key: "active") public var active: Bool
    @Field(key: "requests_per_minute") public var requestsPerMinute: Int
    @Field(key: "created_at") public var createdAt: Date

    public init() {}

    public static func hash(_ key: String) -> String {
        SHA256Hex.of(key)
    }
}

public struct APIClientService: Sendable {
    public let db: any Database

    public init(db: any Database) { self.db = db }

    /// Issues a key; the plain key is returned once and never stored.
    public func issue(name: String, key: String? = nil, requestsPerMinute: Int = 60, by actor: Actor?, now: Date) async throws -> (APIClientModel, String) {
        if let actor { try actor.requireAdmin() }
        let clean = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...60).contains(clean.count) else {
            throw AppError.invalid("api_client.name", zh: "请填写接入系统名称(1–60 字)。", en: "Name the client system (1–60 characters).", field: "name")
        }
        guard (1...10_000).contains(requestsPerMinute) else {
            throw AppError.invalid("api_client.rate", zh: "每分钟请求数须为 1–10000。", en: "requestsPerMinute is 1–10000.", field: "requestsPerMinute")
        }
        let secret = key ?? "w311-" + QueryCode.generate() + QueryCode.generate() + QueryCode.generate()
        let client = APIClientModel()
        client.name = clean
        client.keyHash = APIClientModel.hash(secret)
        client.keyPrefix = String(secret.prefix(9))
        client.active = true
        client.requestsPerMinute = requestsPerMinute
        client.createdAt = now
        try await client.create(on: db)
        return (client, secret)
    }

    public func verify(_ key: String?) async throws -> APIClientModel? {
        guard let key, !key.isEmpty else { return nil }
        return try await APIClientModel.query(on: db).filter(\.$keyHash == APIClientModel.hash(key)).filter(\.$active == true).first()
    }

    public func revoke(id: UUID, by actor: Actor) async throws {
        try actor.requireAdmin()
        guard let client = try await APIClientModel.find(id, on: db) else { throw AppError.notFound("api_client") }
        client.active = false
        try await client.save(on: db)
    }

    public func list(by actor: Actor) async throws -> [APIClientModel] {
        try actor.requireAdmin()
        return try await APIClientModel.query(on: db).sort(\.$createdAt).all()
    }
}
