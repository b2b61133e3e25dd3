import FluentKit
import Foundation

/// One installation-wide setting, stored as JSON under a key (e.g. the index definition).
public final class SettingModel: Model, @unchecked Sendable {
    public static let schema = "settings"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "key") public var key: String
    @Field(key: "value") public var value: String
    @OptionalField(key: "updated_by") public var updatedBy: String?
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}
}

/// Reads and writes settings as Codable values; a missing or unreadable one falls back to the default.
public struct SettingsService: Sendable {
    public let db: any Database

    public init(db: any Database) { self.db = db }

    public func get<T: Decodable>(_ key: String, as type: T.Type) async throws -> T? {
        guard let row = try await SettingModel.query(on: db).filter(\.$key == key).first() else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(row.value.utf8))
    }

    public func set<T: Encodable>(_ key: String, _ value: T, by username: String, at now: Date) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(value), as: UTF8.self)
        if let row = try await SettingModel.query(on: db).filter(\.$key == key).first() {
            row.value = json
            row.updatedBy = username
            row.updatedAt = now
            try await row.save(on: db)
        } else {
            let row = SettingModel()
            row.key = key
            row.value = json
            row.updatedBy = username
            row.updatedAt = now
            try await row.create(on: db)
        }
    }

    public func remove(_ key: String) async throws {
        try await SettingModel.query(on: db).filter(\.$key == key).delete()
    }
}
