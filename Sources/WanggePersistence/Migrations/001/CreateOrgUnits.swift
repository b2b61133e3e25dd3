import FluentKit
import SQLKit

struct CreateOrgUnits: AsyncMigration {
    var name: String { "001_CreateOrgUnits" }

    func prepare(on database: any Database) async throws {
        try await database.schema(OrgUnitModel.schema)
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("level", .string, .required)
            .field("parent_id", .uuid, .references(OrgUnitModel.schema, .id))
            .field("path", .string, .required)
            .field("city_code", .string)
            .field("county_code", .string)
            .field("township_code", .string)
            .field("village_code", .string)
            .field("grid_code", .string)
            .field("geometry", .string)
            .field("min_lon", .double)
            .field("min_lat", .double)
            .field("max_lon", .double)
            .field("max_lat", .double)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        try await database.createIndexes(on: OrgUnitModel.schema, [
            ["parent_id"], ["city_code", "level"], ["county_code", "level"], ["township_code", "level"],
            ["village_code", "level"], ["path"],
        ])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OrgUnitModel.schema).delete()
    }
}

extension Database {
    /// Fluent's schema builder has no index support; SQLKit does, on both SQLite and PostgreSQL.
    func createIndexes(on table: String, _ columnSets: [[String]]) async throws {
        guard let sql = self as? any SQLDatabase else { return }
        for columns in columnSets {
            var builder = sql.create(index: "idx_\(table)_\(columns.joined(separator: "_"))").on(table)
            for column in columns { builder = builder.column(column) }
            try await builder.run()
        }
    }
}
