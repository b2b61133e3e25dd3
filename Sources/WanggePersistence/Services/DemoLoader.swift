import FluentKit
import Foundation
import WanggeDomain

/// Loads `DemoCounty` into an empty database, in one transaction: either the whole county is there
/// or nothing is.
public struct DemoLoader: Sendable {
    public let db: any Database

    public init(db: any Database) { self.db = db }

    public func isDatabaseEmpty() async throws -> Bool {
        let units = try await OrgUnitModel.query(on: db).count()
        let users = try await UserModel.query(on: db).count()
        return units == 0 && users == 0
    }

    public func load(hasher: PasswordHashing) async throws {
        guard try await isDatabaseEmpty() else {
            throw AppError(.conflict, code: "demo.not_empty",
                           zh: "数据库中已有数据,示范县只能载入空数据库。",
                           en: "The database already holds data; the demo county loads only into an empty database.")
        }
        // One bcrypt hash for every demo user: they share the password and hashing is slow on purpose.
        let passwordHash = try await hasher.hash(DemoCounty.password)
        try await db.writeTransaction { tx in
            var units: [String: OrgUnitModel] = [:]
            for unit in DemoCounty.units {
                let model = OrgUnitModel()
                model.code = unit.code
                model.name = unit.name
                model.level = unit.level.rawValue
                let parent = unit.parentCode.flatMap { units[$0] }
                model.$parent.id = try parent?.requireID()
                model.ancestry = (parent?.ancestry ?? OrgAncestry()).child(level: unit.level, code: unit.code)
                OrgUnitService.apply(unit.polygon, to: model)
                try await model.create(on: tx)
                units[unit.code] = model
            }
            var departments: [String: DepartmentModel] = [:]
            for department in DemoCounty.departments {
                let model = DepartmentModel(code: department.code, name: department.name,
                                            orgUnitID: try units[department.orgCode]!.requireID())
                try await model.create(on: tx)
                departments[department.code] = model
            }
            for (i, category) in DemoCounty.categories.enumerated() {
                let model = CategoryModel(code: category.code, name: category.name, parentCode: category.parentCode,
                                          defaultLevel: category.defaultLevel, defaultDepartmentCode: category.defaultDepartmentCode, sort: i)
                if !category.attributes.isEmpty {
                    model.attributesJSON = String(decoding: try JSONEncoder().encode(category.attributes), as: UTF8.self)
                }
                try await model.create(on: tx)
            }
            _ = try await APIClientService(db: tx).issue(name: "示范接入系统", key: DemoCounty.open311Key, by: nil, now: Date())
            for user in DemoCounty.users {
                let model = UserModel()
                model.username = user.username
                model.displayName = user.displayName
                model.passwordHash = passwordHash
                model.role = user.role.rawValue
                model.$orgUnit.id = try units[user.orgCode]!.requireID()
                model.$department.id = try user.departmentCode.map { try departments[$0]!.requireID() }
                model.phone = user.phone
                model.active = true
                model.failedLogins = 0
                try await model.create(on: tx)
                for grid in user.gridCodes {
                    try await GridAssignmentModel(gridID: units[grid]!.requireID(), userID: model.requireID()).create(on: tx)
                }
            }
        }
    }
}
