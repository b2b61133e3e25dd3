import FluentKit
import Foundation
import WanggeDomain

/// A two-level taxonomy (大类/小类). A subcategory carries the default handling level and department
/// that the dispatch dialog suggests.
public final class CategoryModel: Model, @unchecked Sendable {
    public static let schema = "categories"

    @ID(key: .id) public var id: UUID?
    @Column(key: "code") public var code: String
    @Column(key: "name") public var name: String
    @Column(key: "parent_code") public var parentCode: String?
    @Column(key: "default_level") public var defaultLevel: String?
    @Column(key: "default_department_code") public var defaultDepartmentCode: String?
    @Column(key: "active") public var active: Bool
    @Column(key: "sort") public var sort: Int
    /// Extra fields (JSON of `[ServiceAttribute]`), shown as Open311 attributes.
    @Column(key: "attributes") public var attributesJSON: String?

    public var attributes: [ServiceAttribute] { Self.attributes(json: attributesJSON) }

    /// The extra fields as the `attributes` column holds them; none when unreadable.
    static func attributes(json: String?) -> [ServiceAttribute] {
        json.flatMap { try? TapeJSONDecoder().decode([ServiceAttribute].self, from: $0) } ?? []
    }

    public init() {}

    public init(code: String, name: String, parentCode: String?, defaultLevel: OrgLevel?, defaultDepartmentCode: String?, sort: Int) {
        self.code = code
        self.name = name
        self.parentCode = parentCode
        self.defaultLevel = defaultLevel?.rawValue
        self.defaultDepartmentCode = defaultDepartmentCode
        self.active = true
        self.sort = sort
    }

    /// Read on every report (intake checks the category); listed so Fluent needs no `Mirror`, in
    /// declaration order (ModelPropertiesTests compares the two).
    public var properties: [any AnyProperty] {
        [_id, _code, _name, _parentCode, _defaultLevel, _defaultDepartmentCode, _active, _sort, _attributesJSON]
    }
}
