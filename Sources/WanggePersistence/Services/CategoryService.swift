import FluentKit
import Foundation
import WanggeDomain

public struct CategoryInput: Codable, Sendable {
    public var code: String
    public var name: String
    public var parentCode: String?
    public var defaultLevel: String?
    public var defaultDepartmentCode: String?
    public var active: Bool?

    public init(code: String, name: String, parentCode: String? = nil, defaultLevel: String? = nil,
                defaultDepartmentCode: String? = nil, active: Bool? = nil) {
        self.code = code
        self.name = name
        self.parentCode = parentCode
        self.defaultLevel = defaultLevel
        self.defaultDepartmentCode = defaultDepartmentCode
        self.active = active
    }
}

/// The two-level taxonomy (大类 `01`, 小类 `0101`), edited by administrators.
public struct CategoryService: Sendable {
    public let db: any Database

    public init(db: any Database) { self.db = db }

    public func create(_ input: CategoryInput, by actor: Actor) async throws -> CategoryModel {
        try actor.requireAdmin()
        let code = input.code.trimmingCharacters(in: .whitespaces)
        let parent = input.parentCode.flatMap { $0.isEmpty ? nil : $0 }
        let digits = code.allSatisfy { $0.isASCII && $0.isNumber }
        guard digits, (parent == nil && code.count == 2) || (parent != nil && code.count == 4 && code.hasPrefix(parent!)) else {
            throw AppError.invalid("category.code", zh: "大类编码为 2 位数字,小类编码为大类编码加 2 位数字(如 0101)。",
                                   en: "A category code has 2 digits; a subcategory extends its parent's with 2 more (e.g. 0101).", field: "code")
        }
        if let parent, try await CategoryModel.query(on: db).filter(\.$code == parent).filter(\.$parentCode == nil).count() == 0 {
            throw AppError.invalid("category.parent", zh: "大类 \(parent) 不存在。", en: "No top-level category \(parent).", field: "parentCode")
        }
        let model = CategoryModel(code: code, name: "", parentCode: parent, defaultLevel: nil, defaultDepartmentCode: nil, sort: 0)
        try await apply(input, to: model)
        if try await CategoryModel.query(on: db).filter(\.$code == code).count() > 0 { throw AppError.duplicate("code", value: code) }
        model.sort = (try await CategoryModel.query(on: db).max(\.$sort) ?? 0) + 1
        try await model.create(on: db)
        CatalogChanges.note()
        return model
    }

    public func update(code: String, _ input: CategoryInput, by actor: Actor) async throws -> CategoryModel {
        try actor.requireAdmin()
        guard let model = try await CategoryModel.query(on: db).filter(\.$code == code).first() else { throw AppError.notFound("category") }
        try await apply(input, to: model)
        if let active = input.active { model.active = active }
        try await model.save(on: db)
        CatalogChanges.note()
        return model
    }

    func apply(_ input: CategoryInput, to model: CategoryModel) async throws {
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...40).contains(name.count) else {
            throw AppError.invalid("category.name", zh: "类别名称为 1–40 个字。", en: "A name is 1–40 characters.", field: "name")
        }
        model.name = name
        if let raw = input.defaultLevel, !raw.isEmpty { model.defaultLevel = try OrgLevel.parse(raw).rawValue }
        if let department = input.defaultDepartmentCode, !department.isEmpty {
            guard try await DepartmentModel.query(on: db).filter(\.$code == department).count() > 0 else {
                throw AppError.invalid("category.department", zh: "部门 \(department) 不存在。", en: "No department \(department).", field: "defaultDepartmentCode")
            }
            model.defaultDepartmentCode = department
        }
    }
}
