import FluentKit
import Foundation
import SQLKit
import WanggeDomain
import WanggePersistence

/// What an Open311 service request shows of a case: the list's columns (`CaseSummary`), the public
/// reply and the last change, and two things from elsewhere: the last public event (its status notes,
/// when the case has no public reply) and the first photo. A list is up to 1,000 requests. Read as whole
/// models, with every public event of each and each request's matched by scanning both lists, it took
/// 1.1 s at a million cases. Both are read in the list's own statement, each from the end or the start
/// of its index for the case: read as two more statements over the thousand ids, every public event
/// of each, they were a fifth of the list's CPU.
struct Open311RequestRow: PositionallyDecodable {
    let summary: CaseSummary
    let publicReply: String?
    let updatedAt: Date
    /// The last public event's action and the state it led to.
    let lastPublicEvent: (action: String, toState: String)?
    let firstPhotoID: Int?

    static let columns = CaseSummary.columns + ["public_reply", "updated_at", "last_public_action", "last_public_state", "first_photo_id"]

    /// The columns' text: the list's, its own two, the last public event's action and state where the case has no
    /// public reply, and its first attachment. `public = TRUE` reads SQLite's stored 1 and PostgreSQL's boolean alike.
    static let select: String = {
        let events = CaseEventModel.schema, cases = CaseModel.schema, attachments = AttachmentModel.schema
        func lastPublic(_ column: String, as alias: String) -> String {
            """
            CASE WHEN "\(cases)"."public_reply" IS NULL THEN (SELECT "\(events)"."\(column)" FROM "\(events)" \
            WHERE "\(events)"."case_id" = "\(cases)"."id" AND "\(events)"."public" = TRUE ORDER BY "\(events)"."seq" DESC LIMIT 1) END AS "\(alias)"
            """
        }
        return [PlainReads.qualified(CaseSummary.columns + ["public_reply", "updated_at"], of: cases),
                lastPublic("action", as: "last_public_action"), lastPublic("to_state", as: "last_public_state"),
                "(SELECT MIN(\"\(attachments)\".\"id\") FROM \"\(attachments)\" WHERE \"\(attachments)\".\"case_id\" = \"\(cases)\".\"id\") AS \"first_photo_id\""]
            .joined(separator: ", ")
    }()

    /// Read by position, in the order of `columns`: the list's, then its own.
    init<Row: PositionalRow>(positions row: Row) throws {
        summary = try CaseSummary(positions: row)
        let own = CaseSummary.columns.count
        publicReply = try row.optionalString(own)
        updatedAt = try row.date(own + 1)
        if let action = try row.optionalString(own + 2), let toState = try row.optionalString(own + 3) {
            lastPublicEvent = (action, toState)
        } else {
            lastPublicEvent = nil
        }
        firstPhotoID = try row.optionalInt(own + 4)
    }

    /// The status notes: the public reply, or else the last public event's action and state.
    var statusNotes: String? {
        publicReply ?? lastPublicEvent.map { (CaseAction(rawValue: $0.action)?.nameZH ?? $0.action) + ":" + (CaseState(rawValue: $0.toState)?.nameZH ?? "") }
    }

    /// Up to `limit` cases of a query that has its order, each with its last public event and first photo.
    static func read(_ query: CaseListQuery, limit: Int, on db: any Database) async throws -> [Open311RequestRow] {
        try await PlainReads.decoded(query.limit(limit), select: select, columns: columns, as: Open311RequestRow.self, on: db)
    }
}
