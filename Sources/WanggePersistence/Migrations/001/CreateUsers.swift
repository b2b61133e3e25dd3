import FluentKit

struct CreateUsers: AsyncMigration {
    var name: String { "001_CreateUsers" }

    func prepare(on database: any Database) async throws {
        try await database.schema(UserModel.schema)
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("org_unit_id", .uuid, .required, .references(OrgUnitModel.schema, .id))
            .field("department_id", .uuid, .references(DepartmentModel.schema, .id))
            .field("phone", .string)
            .field("active", .bool, .required)
            .field("failed_logins", .int, .required)
            .field("locked_until", .datetime)
            .field("password_changed_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "username")
            .create()
        try await database.createIndexes(on: UserModel.schema, [["org_unit_id"], ["department_id"], ["role"]])

        try await database.schema(GridAssignmentModel.schema)
            .id()
            .field("grid_id", .uuid, .required, .references(OrgUnitModel.schema, .id))
            .field("user_id", .uuid, .required, .references(UserModel.schema, .id, onDelete: .cascade))
            .unique(on: "grid_id", "user_id")
            .create()
        try await database.createIndexes(on: GridAssignmentModel.schema, [["user_id"]])
    }

    func revert(on database: any Database) async throws {
        try await database.schema(GridAssignmentModel.schema).delete()
        try await database.schema(UserModel.schema).delete()
    }
}
