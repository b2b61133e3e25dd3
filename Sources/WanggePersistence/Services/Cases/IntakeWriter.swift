import FluentKit
import Foundation
import SQLKit
import WanggeDomain

/// A report checked and built, waiting only for what the database gives: its code's sequence
/// number, the row ids, and so the event hashes (which cover the case id). A class: the group commit's
/// queue, its group and the writer's loops each held a copy of its dozens of fields, retained and
/// released one by one, partly on the one writer's thread.
public final class PendingIntake: Sendable {
    /// The case as it stands after its events (after the on-the-spot resolution, if any).
    let row: NewCaseRow
    /// The county and day whose counter numbers the code.
    let dayKey: String
    /// In order, from seq 1; the writer adds the case id and the hashes.
    let events: [EventContent]
    /// Its events' tallies, which with the gauges the case joins (`NewCaseRow.gauge`) are what its lines of the
    /// rollup journal (`RollupJournal`) say, and the lines, made here and not on the writer's thread. The fold
    /// makes the rollup entries and gauge moves from them, on the server's background thread (`WriterThread.background`).
    let rollups: [RollupTally]
    let rollupLines: String
    let photos: [StoredPhoto]
    /// The search terms' queue text (`CaseSearchTerms.queued`), made here and not on the writer's
    /// thread; nil when the report has no terms.
    let queuedTerms: String?
    /// Each event's hashed text after the case id (`EventHashChain.tail`), so the writer only hashes.
    let eventTails: [String]
    let queryCode: QueryCodeChoice

    init(row: NewCaseRow, dayKey: String, events: [EventContent], rollups: [RollupTally], photos: [StoredPhoto], queuedTerms: String?,
         queryCode: QueryCodeChoice) {
        (self.row, self.dayKey, self.events) = (row, dayKey, events)
        (self.rollups, rollupLines, self.photos) = (rollups, RollupJournal.lines(rollups, joining: row.gauge), photos)
        self.queuedTerms = queuedTerms
        eventTails = events.map(EventHashChain.tail(of:))
        self.queryCode = queryCode
    }
}

/// What the database gave a written report.
public struct WrittenCase: Sendable, Equatable {
    public let id: Int
    public let code: String
    /// The reporter's, shown once.
    public let queryCode: String
}

/// The queue in which reports that arrive together are written together (one per application).
public typealias IntakeCommits = GroupCommit<PendingIntake, WrittenCase>

/// Writes a group of reports in the caller's transaction with a fixed number of statements,
/// however many reports: codes, ids, cases (with their chain heads), events, the rollup journal's row,
/// photos and the search terms' queue rows. Through Fluent each is one multi-row statement; on SQLite's C API
/// (`SQLiteWriteConnection`) each is one compiled statement stepped per row. On SQLite, where one
/// writer works at a time, this is what lets intake keep up: a report alone took eight statements
/// and a commit.
enum IntakeWriter {
    static func write(_ group: [PendingIntake], timeZone: TimeZone, queryCodes: QueryCodeCipher?, into rows: any RowSink) async throws -> [WrittenCase] {
        // Ids before the rows, so that each case row goes in whole, with the hash of its last event (which covers
        // the case's id): an update afterwards rewrote every case row, on PostgreSQL with an entry in
        // each of its indexes. And before the codes: the day's counter row stays locked from its upsert to the
        // commit, and on PostgreSQL other groups (`GroupCommit`'s writers, other instances) wait there.
        let ids = try await rows.nextIDs(CaseModel.schema, count: group.count)
        let codes = try await assignCodes(group, timeZone: timeZone, into: rows)
        var written: [WrittenCase] = []
        var caseRows = FlatRows(reservingValues: group.count * 64)
        var eventRows = FlatRows(reservingValues: group.count * 24)
        for ((intake, code), id) in zip(zip(group, codes), ids) {
            let query = QueryCodeHash.issue(intake.queryCode, caseID: id, cipher: queryCodes)
            written.append(WrittenCase(id: id, code: code, queryCode: query.code))
            // A new chain (also when a failed group is written again, with new ids).
            var head: String?
            for (event, tail) in zip(intake.events, intake.eventTails) {
                event.columns(caseID: id, hash: CaseEvents.chain(caseID: id, onto: &head, tail: tail), into: &eventRows)
            }
            intake.row.columns(id: id, code: code, eventHash: head, queryCodeHash: query.stored, into: &caseRows)
        }
        _ = try await PlainWrites.insert(caseRows, table: CaseModel.schema, returning: [], into: rows)
        // Photos belong to a case's last event (the report, or the on-the-spot result): its id is needed then.
        let withPhotos = group.contains { !$0.photos.isEmpty }
        let eventIDs = try await PlainWrites.insert(eventRows, table: CaseEventModel.schema,
                                                    returning: withPhotos ? ["id", "case_id", "seq"] : [], into: rows)

        // The gauges the cases join go with their tallies, to the fold: an upsert here of a row at each level of
        // each case's place held the one writer.
        try await RollupJournal.append(group.map(\.rollupLines),
                                       entries: .init(tallies: group.flatMap(\.rollups), gaugeJoins: group.map(\.row.gauge)), into: rows)
        var attachments: [AttachmentModel] = []
        for (intake, caseRow) in zip(group, written) where !intake.photos.isEmpty {
            let lastSeq = intake.events.count
            guard let eventID = eventIDs.first(where: { $0["case_id"]?.int == caseRow.id && $0["seq"]?.int == lastSeq })?["id"]?.int else {
                throw PlainWriteError.unsupported("case_events.id")
            }
            for photo in intake.photos {
                attachments.append(CaseEvents.attachment(caseID: caseRow.id, eventID: eventID, photo: photo, at: intake.row.createdAt))
            }
        }
        _ = try await PlainWrites.insert(attachments, into: rows)
        try await CaseSearchTerms.enqueue(zip(group, written).map { ($1.id, $0.queuedTerms) }, into: rows)
        return written
    }

    /// One counter row per county per day, moved once per group: the upsert is atomic on SQLite and
    /// PostgreSQL alike, and hands out `count` numbers ending at the one it returns. Rows are taken in key order,
    /// so that two groups writing at once (on PostgreSQL) around midnight lock them in one order and never deadlock.
    private static func assignCodes(_ group: [PendingIntake], timeZone: TimeZone, into rows: any RowSink) async throws -> [String] {
        var byKey: [String: [Int]] = [:]
        for (index, intake) in group.enumerated() {
            byKey[intake.dayKey, default: []].append(index)
        }
        var codes = [String](repeating: "", count: group.count)
        for key in byKey.keys.sorted() {
            let indices = byKey[key] ?? []
            let row = try await rows.insert(counterUpsert, [.text(key), .int(indices.count)], returning: ["last"]).first
            let last = row?["last"]?.int ?? indices.count
            for (offset, index) in indices.enumerated() {
                let row = group[index].row
                codes[index] = CaseCode.make(countyCode: row.countyCode, day: row.createdAt, sequence: last - indices.count + 1 + offset,
                                             timeZone: timeZone)
            }
        }
        return codes
    }

    private static let counterUpsert = BulkInsert.adding(to: "case_code_counters", columns: ["key", "last"], key: ["key"], counters: ["last"])
}
