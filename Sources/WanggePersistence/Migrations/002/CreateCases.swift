import FluentKit
import SQLKit

struct CreateCategories: AsyncMigration {
    var name: String { "002_CreateCategories" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CategoryModel.schema)
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("parent_code", .string)
            .field("default_level", .string)
            .field("default_department_code", .string)
            .field("active", .bool, .required)
            .field("sort", .int, .required)
            .unique(on: "code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CategoryModel.schema).delete()
    }
}

struct CreateCases: AsyncMigration {
    var name: String { "002_CreateCases" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CaseModel.schema)
            .field("id", .int, .identifier(auto: true))
            .field("code", .string, .required)
            .field("query_code_hash", .string, .required)
            .field("channel", .string, .required)
            .field("description", .string, .required)
            .field("category_code", .string)
            .field("urgency", .string, .required)
            .field("lat", .double)
            .field("lon", .double)
            .field("address", .string)
            .field("outside_grids", .bool, .required)
            .field("city_code", .string)
            .field("county_code", .string)
            .field("township_code", .string)
            .field("village_code", .string)
            .field("grid_code", .string)
            .field("reporter_name", .string)
            .field("reporter_phone", .string)
            .field("anonymous", .bool, .required)
            .field("reporter_username", .string)
            .field("hotline_number", .string)
            .field("hotline_ticket", .string)
            .field("petition_kind", .string)
            .field("state", .string, .required)
            .field("version", .int, .required)
            .field("snapshot", .string, .required)
            .field("centre_org_code", .string, .required)
            .field("lead_department_code", .string)
            .field("assigned_grid_code", .string)
            .field("result", .string)
            .field("public_reply", .string)
            .field("rating", .string)
            .field("master_case_id", .int)
            .field("last_action", .string, .required)
            .field("result_by", .string)
            .field("extension_requested", .bool, .required)
            .field("returns_count", .int, .required)
            .field("reworks_count", .int, .required)
            .field("reminders_count", .int, .required)
            .field("supervisions_count", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("closed_at", .datetime)
            .unique(on: "code")
            .unique(on: "query_code_hash")
            .create()
        try await database.createIndexes(on: CaseModel.schema, [
            ["state", "id"], ["county_code", "state", "id"], ["township_code", "state", "id"], ["village_code", "state", "id"],
            ["grid_code", "state", "id"], ["centre_org_code", "state", "id"], ["lead_department_code", "state", "id"],
            ["assigned_grid_code", "state", "id"], ["reporter_username", "id"], ["category_code", "created_at"],
            ["lat", "lon"], ["master_case_id"],
        ])

        try await database.schema(CaseDepartmentModel.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseModel.schema, "id"))
            .field("department_code", .string, .required)
            .field("lead", .bool, .required)
            .unique(on: "case_id", "department_code")
            .create()
        try await database.createIndexes(on: CaseDepartmentModel.schema, [["department_code", "case_id"]])

        try await database.schema(CaseEventModel.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseModel.schema, "id"))
            .field("seq", .int, .required)
            .field("action", .string, .required)
            .field("from_state", .string)
            .field("to_state", .string, .required)
            .field("actor_username", .string)
            .field("actor_name", .string, .required)
            .field("actor_role", .string, .required)
            .field("actor_org_code", .string)
            .field("actor_department_code", .string)
            .field("note", .string)
            .field("public", .bool, .required)
            .field("payload", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "case_id", "seq")
            .create()

        try await database.schema(AttachmentModel.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseModel.schema, "id"))
            .field("event_id", .int, .references(CaseEventModel.schema, "id"))
            .field("sha256", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.createIndexes(on: AttachmentModel.schema, [["case_id"], ["sha256"]])

        try await database.schema(CaseSearchTermModel.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseModel.schema, "id"))
            .field("term", .string, .required)
            .create()
        try await database.createIndexes(on: CaseSearchTermModel.schema, [["term", "case_id"], ["case_id"]])

        try await database.schema("case_code_counters")
            .field("key", .string, .identifier(auto: false))
            .field("last", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["case_code_counters", CaseSearchTermModel.schema, AttachmentModel.schema, CaseEventModel.schema,
                      CaseDepartmentModel.schema, CaseModel.schema] {
            try await database.schema(table).delete()
        }
    }
}
