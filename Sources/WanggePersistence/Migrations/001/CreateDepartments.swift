import FluentKit

struct CreateDepartments: AsyncMigration {
    var name: String { "001_CreateDepartments" }

    func prepare(on database: any Database) async throws {
        try await database.schema(DepartmentModel.schema)
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("org_unit_id", .uuid, .required, .references(OrgUnitModel.schema, .id))
            .field("active", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        try await database.createIndexes(on: DepartmentModel.schema, [["org_unit_id"]])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DepartmentModel.schema).delete()
    }
}
