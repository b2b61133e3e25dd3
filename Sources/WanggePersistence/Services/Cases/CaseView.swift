import Foundation
import SQLKit
import WanggeDomain

/// What a case page shows of a case. `CaseModel` has all of it; `CaseView` is the same read as a plain
/// row, for the page itself: a Fluent model builds and frees one property-wrapper object per column
/// (51 for a case) and looks up generic metadata for each, about a quarter of a case page's time.
public protocol CaseDisplayFields {
    var id: Int? { get }
    var code: String { get }
    var version: Int { get }
    var state: String { get }
    var channel: String { get }
    var description: String { get }
    var categoryCode: String? { get }
    var urgency: String { get }
    var lat: Double? { get }
    var lon: Double? { get }
    var address: String? { get }
    var outsideGrids: Bool { get }
    var gridCode: String? { get }
    var townshipCode: String? { get }
    var reporterName: String? { get }
    var reporterPhone: String? { get }
    var anonymous: Bool { get }
    var hotlineNumber: String? { get }
    var hotlineTicket: String? { get }
    var petitionKind: String? { get }
    var result: String? { get }
    var rating: String? { get }
    var masterCaseID: Int? { get }
    var createdAt: Date { get }
    var updatedAt: Date { get }
    var closedAt: Date? { get }
    var overdueAt: Date? { get }
    var deadlinesJSON: String { get }
    /// The clocks `deadlinesJSON` holds.
    var deadlines: CaseDeadlines { get }
    var snapshotJSON: String { get }
    var ancestry: OrgAncestry { get }
    var caseState: CaseState { get }
    var caseChannel: Channel { get }
    /// How many photos the case has, when read with the case (nil: not read, so read the photos).
    var photoCount: Int? { get }
}

extension CaseModel: CaseDisplayFields {}

public struct CaseView: CaseDisplayFields, Sendable {
    public var id: Int?
    public var code: String
    public var version: Int
    public var state: String
    public var channel: String
    public var description: String
    public var categoryCode: String?
    public var urgency: String
    public var lat: Double?
    public var lon: Double?
    public var address: String?
    public var outsideGrids: Bool
    public var gridCode: String?
    public var townshipCode: String?
    public var reporterName: String?
    public var reporterPhone: String?
    public var anonymous: Bool
    public var hotlineNumber: String?
    public var hotlineTicket: String?
    public var petitionKind: String?
    public var result: String?
    public var rating: String?
    public var masterCaseID: Int?
    public var createdAt: Date
    public var updatedAt: Date
    public var closedAt: Date?
    public var overdueAt: Date?
    public var deadlinesJSON: String
    public var deadlines: CaseDeadlines { CaseDeadlines(stored: deadlinesJSON) }
    public var snapshotJSON: String
    public var ancestry: OrgAncestry
    public var photoCount: Int?

    public var caseState: CaseState { CaseState(rawValue: state) ?? .reported }
    public var caseChannel: Channel { Channel(rawValue: channel) ?? .citizen }

    /// The case's photos, counted in the statement that reads the case.
    static let photos = PlainReads.RelatedCount(AttachmentModel.schema, by: "case_id", as: "photo_count")

    static let columns = CaseModel.ancestorColumns + ["id", "code", "version", "state", "channel", "description", "category_code", "urgency",
                          "lat", "lon", "address", "outside_grids", "reporter_name", "reporter_phone", "anonymous", "hotline_number", "hotline_ticket", "petition_kind", "result", "rating",
                          "master_case_id", "created_at", "updated_at", "closed_at", "overdue_at", "deadlines", "snapshot"]

    init(row: any SQLRow) throws {
        func text(_ column: String) throws -> String? { try row.decode(column: column, as: String?.self) }
        id = try row.decode(column: "id", as: Int.self)
        code = try row.decode(column: "code", as: String.self)
        version = try row.decode(column: "version", as: Int.self)
        state = try row.decode(column: "state", as: String.self)
        channel = try row.decode(column: "channel", as: String.self)
        description = try row.decode(column: "description", as: String.self)
        categoryCode = try text("category_code")
        urgency = try row.decode(column: "urgency", as: String.self)
        lat = try row.decode(column: "lat", as: Double?.self)
        lon = try row.decode(column: "lon", as: Double?.self)
        address = try text("address")
        outsideGrids = try row.decode(column: "outside_grids", as: Bool.self)
        ancestry = try CaseModel.placeColumns(of: row)
        gridCode = ancestry.gridCode
        townshipCode = ancestry.townshipCode
        reporterName = try text("reporter_name")
        reporterPhone = try text("reporter_phone")
        anonymous = try row.decode(column: "anonymous", as: Bool.self)
        hotlineNumber = try text("hotline_number")
        hotlineTicket = try text("hotline_ticket")
        petitionKind = try text("petition_kind")
        result = try text("result")
        rating = try text("rating")
        masterCaseID = try row.decode(column: "master_case_id", as: Int?.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        updatedAt = try row.decode(column: "updated_at", as: Date.self)
        closedAt = try row.decode(column: "closed_at", as: Date?.self)
        overdueAt = try row.decode(column: "overdue_at", as: Date?.self)
        deadlinesJSON = try row.decode(column: "deadlines", as: String.self)
        snapshotJSON = try row.decode(column: "snapshot", as: String.self)
        photoCount = row.contains(column: Self.photos.alias) ? try row.decode(column: Self.photos.alias, as: Int.self) : nil
    }
}
