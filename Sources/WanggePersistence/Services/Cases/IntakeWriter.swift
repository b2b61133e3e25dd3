import FluentKit
import Foundation
import SQLKit
import WanggeDomain

/// A report checked and built, waiting only for what the database gives: its code's sequence
/// number, the row ids, and so the event hashes (which cover the case id).
public struct PendingIntake: Sendable {
    /// The case as it stands after its events (after the on-the-spot resolution, if any).
    let model: CaseModel
    let countyCode: String
    /// The county and day whose counter numbers the code.
    let dayKey: String
    let at: Date
    /// In order, from seq 1; case id and hash are filled in when written.
    let events: [CaseEventModel]
    let rollups: [RollupEntry]
    let photos: [StoredPhoto]
    let terms: [String]
}

/// The queue in which reports that arrive together are written together (one per application).
public typealias IntakeCommits = GroupCommit<PendingIntake, Void>

/// Writes a group of reports in the caller's transaction with a fixed number of statements,
/// however many reports: codes, cases, events, the cases' chain heads, rollups, gauges, photos
/// and search terms, each one multi-row statement. On SQLite, where one writer works at a time,
/// this is what lets intake keep up: a report alone took eight statements and a commit.
enum IntakeWriter {
    static func write(_ group: [PendingIntake], timeZone: TimeZone, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { throw PlainWriteError.notSQL }
        try await assignCodes(group, timeZone: timeZone, on: sql)

        let caseRows = try await PlainWrites.insert(group.map(\.model), returning: ["id", "code"], on: db)
        var idByCode: [String: Int] = [:]
        for row in caseRows {
            if let code = row["code"]?.text, let id = row["id"]?.int { idByCode[code] = id }
        }
        for intake in group {
            guard let id = idByCode[intake.model.code] else { throw PlainWriteError.unsupported("cases.id") }
            intake.model.id = id
            intake.model.$id.exists = true
            // A new chain (also when a failed group is written again).
            intake.model.eventHash = nil
            for event in intake.events {
                event.caseID = id
                CaseEvents.chain(event, to: intake.model)
            }
        }

        let events = group.flatMap(\.events)
        let eventRows = try await PlainWrites.insert(events, returning: ["id", "case_id", "seq"], on: db)
        var eventIDs: [Int: [Int: Int]] = [:]
        for row in eventRows {
            if let caseID = row["case_id"]?.int, let seq = row["seq"]?.int { eventIDs[caseID, default: [:]][seq] = row["id"]?.int }
        }
        for event in events {
            event.id = eventIDs[event.caseID]?[event.seq]
            event.$id.exists = true
        }
        try await setChainHeads(group, on: sql)

        try await RollupLedger.add(group.flatMap(\.rollups), on: db)
        try await RollupLedger.moveGauges(group.map { (from: GaugeState.closed, to: GaugeState($0.model)) }, on: db)
        for intake in group where !intake.photos.isEmpty {
            // The photos belong to the last event: the report, or the on-the-spot result.
            let eventID = try intake.events[intake.events.count - 1].requireID()
            for photo in intake.photos {
                try await CaseEvents.attachment(caseID: intake.model.requireID(), eventID: eventID, photo: photo, at: intake.at).create(on: db)
            }
        }
        try await CaseSearchTerms.insert(group.map { (try $0.model.requireID(), $0.terms) }, on: db)
    }

    /// One counter row per county per day, moved once per group: the upsert is atomic on SQLite and
    /// PostgreSQL alike, and hands out `count` numbers ending at the one it returns.
    private static func assignCodes(_ group: [PendingIntake], timeZone: TimeZone, on sql: any SQLDatabase) async throws {
        var keys: [String] = []
        var byKey: [String: [PendingIntake]] = [:]
        for intake in group {
            if byKey[intake.dayKey] == nil { keys.append(intake.dayKey) }
            byKey[intake.dayKey, default: []].append(intake)
        }
        for key in keys {
            let intakes = byKey[key] ?? []
            let row = try await sql.raw("""
                INSERT INTO case_code_counters (key, last) VALUES (\(bind: key), \(bind: intakes.count))
                ON CONFLICT (key) DO UPDATE SET last = case_code_counters.last + excluded.last
                RETURNING last
                """).first()
            let last = try row?.decode(column: "last", as: Int.self) ?? intakes.count
            for (offset, intake) in intakes.enumerated() {
                intake.model.code = CaseCode.make(countyCode: intake.countyCode, day: intake.at, sequence: last - intakes.count + 1 + offset,
                                                  timeZone: timeZone)
            }
        }
    }

    /// The case rows learn the hash of their last event, which covers the case id they just got.
    private static func setChainHeads(_ group: [PendingIntake], on sql: any SQLDatabase) async throws {
        var query = SQLQueryString("UPDATE \(unsafeRaw: CaseModel.schema) SET event_hash = CASE id")
        for intake in group {
            query.appendLiteral(" WHEN ")
            query.appendInterpolation(bind: intake.model.id ?? 0)
            query.appendLiteral(" THEN ")
            query.appendInterpolation(bind: intake.model.eventHash ?? "")
        }
        query.appendLiteral(" END WHERE id IN (")
        for (i, intake) in group.enumerated() {
            if i > 0 { query.appendLiteral(", ") }
            query.appendInterpolation(bind: intake.model.id ?? 0)
        }
        query.appendLiteral(")")
        try await sql.raw(query).run()
    }
}
