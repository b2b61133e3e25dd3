import FluentKit
import Foundation
import SQLKit
import WanggeDomain

/// What a queue shows of a case, read as those columns only: a queue page decoded 20 whole
/// 51-column models (and freed their property wrappers) for a dozen fields each.
public struct CaseSummary: Sendable, PositionallyDecodable {
    public var id: Int
    public var code: String
    public var state: String
    public var channel: String
    public var description: String
    public var urgency: String
    public var categoryCode: String?
    public var address: String?
    public var gridCode: String?
    public var leadDepartmentCode: String?
    public var lat: Double?
    public var lon: Double?
    public var createdAt: Date
    public var dueAt: Date?
    /// When its running clock turns blue and yellow, stored: with `dueAt`, its colour (`SLAContext.warning`).
    public var blueAt: Date?
    public var yellowAt: Date?
    /// The clocks as stored; decoded to colour an open case only when red comes before the deadline.
    public var deadlinesJSON: String

    public static let columns = ["id", "code", "state", "channel", "description", "urgency", "category_code", "address", "grid_code",
                          "lead_department_code", "lat", "lon", "created_at", "due_at", "blue_at", "yellow_at", "deadlines"]

    public init(_ model: CaseModel) {
        id = model.id ?? 0
        code = model.code
        state = model.state
        channel = model.channel
        description = model.description
        urgency = model.urgency
        categoryCode = model.categoryCode
        address = model.address
        gridCode = model.gridCode
        leadDepartmentCode = model.leadDepartmentCode
        lat = model.lat
        lon = model.lon
        createdAt = model.createdAt
        dueAt = model.dueAt
        blueAt = model.blueAt
        yellowAt = model.yellowAt
        deadlinesJSON = model.deadlinesJSON
    }

    /// Read by position, in the order of `columns` (a list reading more columns names them after these).
    public init<Row: PositionalRow>(positions row: Row) throws {
        id = try row.int(0)
        code = try row.string(1)
        state = try row.string(2)
        channel = try row.string(3)
        description = try row.string(4)
        urgency = try row.string(5)
        categoryCode = try row.optionalString(6)
        address = try row.optionalString(7)
        gridCode = try row.optionalString(8)
        leadDepartmentCode = try row.optionalString(9)
        lat = try row.optionalDouble(10)
        lon = try row.optionalDouble(11)
        createdAt = try row.date(12)
        dueAt = try row.optionalDate(13)
        blueAt = try row.optionalDate(14)
        yellowAt = try row.optionalDate(15)
        deadlinesJSON = try row.string(16)
    }

    public var caseState: CaseState { CaseState(rawValue: state) ?? .reported }
    public var caseChannel: Channel { Channel(rawValue: channel) ?? .citizen }
}

/// A case as a map's marker: where it is, what it links to and what colours it. The overview maps up to
/// 5,000 open cases; read as `CaseSummary` rows each brought its description and address too (on
/// PostgreSQL every column is a decode of its own).
public struct CaseMapPoint: Sendable, PositionallyDecodable {
    public var code: String
    public var state: String
    public var gridCode: String?
    public var lat: Double?
    public var lon: Double?
    /// The moments its running clock turns blue, yellow and red, as the areas' counts beside the map compare them.
    public var blueAt: Date?
    public var yellowAt: Date?
    public var dueAt: Date?
    /// The code of its area one level below the map's (`unit`), whose row of counts beside the map it adds to.
    public var unitCode: String?
    /// The clocks as stored, read only when red comes before the deadline (`SLAContext.coloursNeedClocks`).
    public var deadlinesJSON: String?

    /// `unit`: the level of the areas counted beside the map, one below the map's own (a grid's map: the grid).
    public static func columns(clocks: Bool, unit: OrgLevel) -> [String] {
        ["code", "state", "grid_code", "lat", "lon", "blue_at", "yellow_at", "due_at", CaseModel.ancestorKey(unit).description]
            + (clocks ? ["deadlines"] : [])
    }

    /// Read by position, in the order of `columns(clocks:unit:)`.
    public init<Row: PositionalRow>(positions row: Row) throws {
        code = try row.string(0)
        state = try row.string(1)
        caseState = CaseState(stored: state) ?? .reported
        gridCode = try row.optionalString(2)
        lat = try row.optionalDouble(3)
        lon = try row.optionalDouble(4)
        blueAt = try row.optionalDate(5)
        yellowAt = try row.optionalDate(6)
        dueAt = try row.optionalDate(7)
        unitCode = try row.optionalString(8)
        deadlinesJSON = row.count > 9 ? try row.string(9) : nil
    }

    /// Read once: the counts beside the map and each marker's colour both ask.
    public let caseState: CaseState
}
