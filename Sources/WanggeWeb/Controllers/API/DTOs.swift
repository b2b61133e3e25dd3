import Foundation
import Vapor
import WanggeDomain
import WanggePersistence

/// What the API returns; models are never encoded raw.
struct OrgUnitDTO: Content {
    var code: String
    var name: String
    var level: String
    var levelName: String
    var parentCode: String?
    var path: String
    var geometry: AnyGeometry?
    var boundingBox: [Double]?

    /// The parent's code without a second query: it is the ancestor one level up.
    init(_ unit: OrgUnitListing, geometry: String? = nil) {
        code = unit.code
        name = unit.name
        level = unit.level
        levelName = unit.orgLevel.nameZH
        parentCode = unit.orgLevel.parentLevel.flatMap { unit.ancestry[$0] }
        path = unit.path
        boundingBox = unit.boundingBox
        self.geometry = geometry.map { AnyGeometry(json: $0) }
    }

    init(_ unit: OrgUnitModel, includeGeometry: Bool = false) {
        self.init(OrgUnitListing(unit), geometry: includeGeometry ? unit.geometry : nil)
    }
}

/// Embeds stored GeoJSON as a JSON object rather than as a string.
struct AnyGeometry: Content {
    var json: String

    init(json: String) { self.json = json }

    init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "read-only"))
    }

    func encode(to encoder: any Encoder) throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        try value.encode(to: encoder)
    }
}

/// A minimal JSON tree, for passing stored GeoJSON through unchanged.
enum JSONValue: Codable {
    case number(Double), string(String), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let b = try? container.decode(Bool.self) { self = .bool(b) }
        else if let n = try? container.decode(Double.self) { self = .number(n) }
        else if let s = try? container.decode(String.self) { self = .string(s) }
        else if let a = try? container.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .number(n): try container.encode(n)
        case let .string(s): try container.encode(s)
        case let .bool(b): try container.encode(b)
        case let .array(a): try container.encode(a)
        case let .object(o): try container.encode(o)
        case .null: try container.encodeNil()
        }
    }
}

struct DepartmentDTO: Content {
    var code: String
    var name: String
    var orgCode: String
    var active: Bool

    init(_ department: DepartmentModel) {
        code = department.code
        name = department.name
        orgCode = department.$orgUnit.value?.code ?? ""
        active = department.active
    }
}

struct UserDTO: Content {
    var username: String
    var displayName: String
    var role: String
    var roleName: String
    var orgCode: String
    var departmentCode: String?
    var phone: String?
    var gridCodes: [String]?

    init(_ user: UserModel, gridCodes: [String]? = nil, revealPhone: Bool) {
        username = user.username
        displayName = user.displayName
        role = user.role
        roleName = user.userRole.nameZH
        orgCode = user.$orgUnit.value?.code ?? ""
        departmentCode = user.$department.value??.code
        phone = user.phone.map { revealPhone ? $0 : PersonalData.maskPhone($0) }
        self.gridCodes = gridCodes
    }

    /// A person of a list, without their grids.
    init(_ user: UserService.ListedUser, revealPhone: Bool) {
        username = user.username
        displayName = user.displayName
        role = user.role
        roleName = user.userRole.nameZH
        orgCode = user.unitCode
        departmentCode = user.departmentCode
        phone = user.phone.map { revealPhone ? $0 : PersonalData.maskPhone($0) }
    }
}

struct MeDTO: Content {
    var username: String
    var displayName: String
    var role: String
    var orgCode: String
    var orgLevel: String
    var departmentCode: String?
    var gridCodes: [String]

    init(_ actor: Actor) {
        username = actor.username
        displayName = actor.displayName
        role = actor.role.rawValue
        orgCode = actor.orgCode
        orgLevel = actor.orgLevel.rawValue
        departmentCode = actor.departmentCode
        gridCodes = actor.gridCodes
    }
}

struct Page<Item: Content>: Content {
    var items: [Item]
    /// Pass as `after` to get the next page; absent on the last page.
    var next: String?
}

extension Page: JSONWritable where Item: JSONWritable {
    func writeJSON(to output: JSONOutput, parent: CodingPathNode?, key: (any CodingKey)?) throws {
        try output.object(parent: parent, key: key) { w in
            try w.field("items", items)
            w.field("next", next)
        }
    }
}
