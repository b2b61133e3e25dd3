import FluentKit
import Foundation
import WanggeDomain

public struct DepartmentInput: Codable, Sendable {
    public var code: String
    public var name: String
    public var orgCode: String

    public init(code: String, name: String, orgCode: String) {
        self.code = code
        self.name = name
        self.orgCode = orgCode
    }
}

public struct DepartmentService: Sendable {
    public let db: any Database

    public init(db: any Database) { self.db = db }

    /// Departments whose unit the actor can see.
    public func list(for actor: Actor) async throws -> [DepartmentModel] {
        try await DepartmentModel.query(on: db).with(\.$orgUnit).sort(\.$code).all()
            .filter { actor.canSee($0.orgUnit.ancestry) }
    }

    public func find(code: String, for actor: Actor) async throws -> DepartmentModel {
        guard let department = try await DepartmentModel.query(on: db).filter(\.$code == code).with(\.$orgUnit).first(),
              actor.canSee(department.orgUnit.ancestry)
        else { throw AppError.notFound("department") }
        return department
    }

    public func create(_ input: DepartmentInput, by actor: Actor) async throws -> DepartmentModel {
        try actor.requireAdmin()
        let code = try Self.validCode(input.code)
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...60).contains(name.count) else {
            throw AppError.invalid("department.name", zh: "部门名称不能为空,且不超过 60 个字。", en: "A name is 1–60 characters.", field: "name")
        }
        let unit = try await OrgUnitService(db: db).find(code: input.orgCode, for: actor)
        guard unit.orgLevel == .county || unit.orgLevel == .township || unit.orgLevel == .city else {
            throw AppError.invalid("department.org_level", zh: "部门只能设在市、县区或乡镇街道。",
                                   en: "Departments belong to a city, county or township.", field: "orgCode")
        }
        if try await DepartmentModel.query(on: db).filter(\.$code == code).count() > 0 {
            throw AppError.duplicate("code", value: code)
        }
        let department = DepartmentModel(code: code, name: name, orgUnitID: try unit.requireID())
        try await department.create(on: db)
        CatalogChanges.note()
        department.$orgUnit.value = unit
        return department
    }

    static func validCode(_ raw: String) throws -> String {
        let code = raw.trimmingCharacters(in: .whitespaces)
        let ok = (2...40).contains(code.count) && code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        guard ok else {
            throw AppError.invalid("department.code", zh: "部门编码为 2–40 位字母、数字或横线,例如 330110-CG。",
                                   en: "A department code has 2–40 letters, digits or dashes, e.g. 330110-CG.", field: "code")
        }
        return code
    }
}
