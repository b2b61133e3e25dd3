import FluentKit

/// Assessment rollups (issue 8): counts per unit × period × category × channel kept in the same
/// transaction as every case action, gauges of open cases, the two facts each new event records
/// for them (where the case was, and whether the clock it met was met in time), and admin settings
/// (the index definition, the weight of 基本满意).
struct CreateRollups: AsyncMigration {
    var name: String { "007_CreateRollups" }

    func prepare(on database: any Database) async throws {
        var rollups = database.schema(RollupModel.schema)
            .field("id", .int, .identifier(auto: true))
            .field("dimension", .string, .required)
            .field("unit_code", .string, .required)
            .field("unit_level", .string, .required)
            .field("period_kind", .string, .required)
            .field("period", .string, .required)
            .field("category_code", .string, .required)
            .field("channel", .string, .required)
        for level in ["city", "county", "township", "village", "grid"] {
            rollups = rollups.field(.string("\(level)_code"), .string)
        }
        for column in RollupModel.counterColumns {
            rollups = rollups.field(.string(column), .int, .required, .sql(.default(0)))
        }
        try await rollups
            .unique(on: "dimension", "unit_code", "period_kind", "category_code", "channel", "period")
            .create()
        try await database.createIndexes(on: RollupModel.schema, [
            ["dimension", "unit_level", "period_kind", "period", "category_code", "channel"],
        ])

        var gauges = database.schema(OpenGaugeModel.schema)
            .field("id", .int, .identifier(auto: true))
            .field("dimension", .string, .required)
            .field("unit_code", .string, .required)
            .field("unit_level", .string, .required)
        for level in ["city", "county", "township", "village", "grid"] {
            gauges = gauges.field(.string("\(level)_code"), .string)
        }
        try await gauges
            .field("open_count", .int, .required, .sql(.default(0)))
            .field("overdue_count", .int, .required, .sql(.default(0)))
            .unique(on: "dimension", "unit_code")
            .create()
        try await database.createIndexes(on: OpenGaugeModel.schema, [["dimension", "unit_level", "county_code"]])

        try await database.schema(SettingModel.schema)
            .field("id", .int, .identifier(auto: true))
            .field("key", .string, .required)
            .field("value", .string, .required)
            .field("updated_by", .string)
            .field("updated_at", .datetime, .required)
            .unique(on: "key")
            .create()

        // SQLite adds one column per ALTER TABLE.
        try await database.schema(CaseEventModel.schema).field("place_code", .string).update()
        try await database.schema(CaseEventModel.schema).field("on_time", .bool).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SettingModel.schema).delete()
        try await database.schema(OpenGaugeModel.schema).delete()
        try await database.schema(RollupModel.schema).delete()
    }
}
