import FluentKit
import Foundation
import SQLKit
import WanggeDomain
import WanggePersistence

/// What an Open311 service request shows of a case: the list's columns (`CaseSummary`), the public
/// reply and the last change, and two things from elsewhere: the last public event (its status notes,
/// when the case has no public reply) and the first photo. A list is up to 1,000 requests. Read as whole
/// models, with every public event of each and each request's matched by scanning both lists, it took
/// 1.1 s at a million cases.
struct Open311RequestRow: PositionallyDecodable {
    let summary: CaseSummary
    let publicReply: String?
    let updatedAt: Date
    /// The last public event's action and the state it led to.
    var lastPublicEvent: (action: String, toState: String)?
    var firstPhotoID: Int?

    static let columns = CaseSummary.columns + ["public_reply", "updated_at"]

    /// Read by position, in the order of `columns`: the list's, then its own two.
    init<Row: PositionalRow>(positions row: Row) throws {
        summary = try CaseSummary(positions: row)
        publicReply = try row.optionalString(CaseSummary.columns.count)
        updatedAt = try row.date(CaseSummary.columns.count + 1)
    }

    /// The status notes: the public reply, or else the last public event's action and state.
    var statusNotes: String? {
        publicReply ?? lastPublicEvent.map { (CaseAction(rawValue: $0.action)?.nameZH ?? $0.action) + ":" + (CaseState(rawValue: $0.toState)?.nameZH ?? "") }
    }

    /// Up to `limit` cases of a query that has its order, each with its last public event and first photo.
    static func read(_ query: CaseListQuery, limit: Int, on db: any Database) async throws -> [Open311RequestRow] {
        var requests = try await PlainReads.decoded(query.limit(limit), columns: columns, as: Open311RequestRow.self, on: db)
        guard !requests.isEmpty else { return [] }
        let position = Dictionary(uniqueKeysWithValues: requests.enumerated().map { ($1.summary.id, $0) })

        let withoutReply = requests.filter { $0.publicReply == nil }.map(\.summary.id)
        if !withoutReply.isEmpty {
            for row in try await lastPublicEvents(of: withoutReply, on: db) {
                guard let index = position[try row.decode(column: "case_id", as: Int.self)] else { continue }
                // In order of seq: the last one read is the last event.
                requests[index].lastPublicEvent = (try row.decode(column: "action", as: String.self), try row.decode(column: "to_state", as: String.self))
            }
        }
        let photos = AttachmentModel.query(on: db).filter(\.$caseID ~~ requests.map(\.summary.id)).sort(\.$id)
        for row in try await PlainReads.rows(photos, columns: ["id", "case_id"], on: db) {
            guard let index = position[try row.decode(column: "case_id", as: Int.self)], requests[index].firstPhotoID == nil else { continue }
            requests[index].firstPhotoID = try row.decode(column: "id", as: Int.self)
        }
        return requests
    }

    /// The public events of `ids` in order of seq, or on PostgreSQL only each case's last: there each case's last
    /// public event is read from the end of its (case_id, seq) index, the ids bound as one array. Given them as a
    /// list of a thousand values, PostgreSQL read the whole events table (15 ms at 10,000 cases, against 1.2);
    /// SQLite reads each case's entries from that index either way.
    static func lastPublicEvents(of ids: [Int], on db: any Database) async throws -> [any SQLRow] {
        guard (db as? any SQLDatabase)?.dialect.name == "postgresql" else {
            let events = CaseEventModel.query(on: db).filter(\.$caseID ~~ ids).filter(\.$isPublic == true).sort(\.$caseID).sort(\.$seq)
            return try await PlainReads.rows(events, columns: ["case_id", "action", "to_state"], on: db)
        }
        return try await PlainReads.rows("""
            SELECT \(ident: "listed").\(ident: "id") AS \(ident: "case_id"), \(ident: "last").\(ident: "action"), \(ident: "last").\(ident: "to_state")
            FROM unnest(\(bind: ids)::bigint[]) AS \(ident: "listed")(\(ident: "id")) CROSS JOIN LATERAL (
                SELECT \(ident: "action"), \(ident: "to_state") FROM \(ident: CaseEventModel.schema)
                WHERE \(ident: "case_id") = \(ident: "listed").\(ident: "id") AND \(ident: "public") = TRUE ORDER BY \(ident: "seq") DESC LIMIT 1
            ) AS \(ident: "last")
            """ as SQLQueryString, on: db)
    }
}
