import Foundation
import SQLKit
import WanggeDomain

/// A case as its reporter follows it by query code: the few columns tracking shows, read as a plain
/// row. Decoding the whole 51-column `CaseModel` through Fluent was a tenth of a tracking request.
public struct TrackedCase: Sendable {
    public var id: Int
    public var code: String
    public var state: String
    public var categoryCode: String?
    public var createdAt: Date
    public var publicReply: String?
    public var rating: String?
    /// Set when the case was merged into another; tracking then follows the master.
    public var masterCaseID: Int?
    /// How many photos it has, counted in the same statement, so a case without any (most) needs no
    /// second statement for them.
    public var photoCount: Int

    public var caseState: CaseState { CaseState(rawValue: state) ?? .reported }

    static let columns = ["id", "code", "state", "category_code", "created_at", "public_reply", "rating", "master_case_id"]

    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: Int.self)
        code = try row.decode(column: "code", as: String.self)
        state = try row.decode(column: "state", as: String.self)
        categoryCode = try row.decode(column: "category_code", as: String?.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        publicReply = try row.decode(column: "public_reply", as: String?.self)
        rating = try row.decode(column: "rating", as: String?.self)
        masterCaseID = try row.decode(column: "master_case_id", as: Int?.self)
        photoCount = try row.decode(column: CaseView.photos.alias, as: Int.self)
    }
}
