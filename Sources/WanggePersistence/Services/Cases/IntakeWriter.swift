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
    /// The case's and events' set fields (`PlainWrites.values`), read before the group is written;
    /// the writer adds what only it knows: the code, the case id and the hashes.
    let caseRow: [String: BulkValue]
    let eventRows: [[String: BulkValue]]
    /// Each event's hashed text after the case id (`EventHashChain.tail`), so the writer only hashes.
    let eventTails: [String]

    init(model: CaseModel, countyCode: String, dayKey: String, at: Date, events: [CaseEventModel], rollups: [RollupEntry],
         photos: [StoredPhoto], terms: [String]) throws {
        (self.model, self.countyCode, self.dayKey, self.at, self.events) = (model, countyCode, dayKey, at, events)
        (self.rollups, self.photos, self.terms) = (RollupKeys.merged(rollups), photos, terms)
        caseRow = try PlainWrites.values(of: model)
        eventRows = try events.map(PlainWrites.values(of:))
        eventTails = events.map(EventHashChain.tail(of:))
    }
}

/// The queue in which reports that arrive together are written together (one per application).
public typealias IntakeCommits = GroupCommit<PendingIntake, Void>

/// Writes a group of reports in the caller's transaction with a fixed number of statements,
/// however many reports: codes, cases, events, the cases' chain heads, rollups, gauges, photos
/// and search terms. Through Fluent each is one multi-row statement; on SQLite's C API
/// (`SQLiteWriteConnection`) each is one compiled statement stepped per row. On SQLite, where one
/// writer works at a time, this is what lets intake keep up: a report alone took eight statements
/// and a commit.
enum IntakeWriter {
    static func write(_ group: [PendingIntake], timeZone: TimeZone, into rows: any RowSink) async throws {
        try await assignCodes(group, timeZone: timeZone, into: rows)

        let caseRows = try await PlainWrites.insert(group.map { $0.caseRow.merging(["code": .text($0.model.code)]) { $1 } },
                                                    table: CaseModel.schema, returning: ["id", "code"], into: rows)
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
            for (event, tail) in zip(intake.events, intake.eventTails) {
                event.caseID = id
                CaseEvents.chain(event, to: intake.model, tail: tail)
            }
        }

        let events = group.flatMap(\.events)
        let newEvents = group.flatMap { intake in
            zip(intake.events, intake.eventRows).map { event, row in row.merging(["case_id": .int(event.caseID), "hash": .text(event.hash)]) { $1 } }
        }
        let eventRows = try await PlainWrites.insert(newEvents, table: CaseEventModel.schema, returning: ["id", "case_id", "seq"], into: rows)
        var eventIDs: [Int: [Int: Int]] = [:]
        for row in eventRows {
            if let caseID = row["case_id"]?.int, let seq = row["seq"]?.int { eventIDs[caseID, default: [:]][seq] = row["id"]?.int }
        }
        for event in events {
            event.id = eventIDs[event.caseID]?[event.seq]
            event.$id.exists = true
        }
        // The case rows learn the hash of their last event, which covers the case id they just got.
        try await rows.update(CaseModel.schema, set: "event_hash", where: "id",
                              group.map { (.int($0.model.id ?? 0), .text($0.model.eventHash ?? "")) })

        try await RollupLedger.add(merged: RollupKeys.merged(runs: group.map(\.rollups)), into: rows)
        try await RollupLedger.moveGauges(group.map { (from: GaugeState.closed, to: GaugeState($0.model)) }, into: rows)
        var attachments: [AttachmentModel] = []
        for intake in group where !intake.photos.isEmpty {
            // The photos belong to the last event: the report, or the on-the-spot result.
            let eventID = try intake.events[intake.events.count - 1].requireID()
            for photo in intake.photos {
                attachments.append(CaseEvents.attachment(caseID: try intake.model.requireID(), eventID: eventID, photo: photo, at: intake.at))
            }
        }
        _ = try await PlainWrites.insert(attachments, into: rows)
        try await CaseSearchTerms.insert(group.map { (try $0.model.requireID(), $0.terms) }, into: rows)
    }

    /// One counter row per county per day, moved once per group: the upsert is atomic on SQLite and
    /// PostgreSQL alike, and hands out `count` numbers ending at the one it returns.
    private static func assignCodes(_ group: [PendingIntake], timeZone: TimeZone, into rows: any RowSink) async throws {
        var keys: [String] = []
        var byKey: [String: [PendingIntake]] = [:]
        for intake in group {
            if byKey[intake.dayKey] == nil { keys.append(intake.dayKey) }
            byKey[intake.dayKey, default: []].append(intake)
        }
        for key in keys {
            let intakes = byKey[key] ?? []
            let row = try await rows.insert(counterUpsert, [.text(key), .int(intakes.count)], returning: ["last"]).first
            let last = row?["last"]?.int ?? intakes.count
            for (offset, intake) in intakes.enumerated() {
                intake.model.code = CaseCode.make(countyCode: intake.countyCode, day: intake.at, sequence: last - intakes.count + 1 + offset,
                                                  timeZone: timeZone)
            }
        }
    }

    private static let counterUpsert = BulkInsert.adding(to: "case_code_counters", columns: ["key", "last"], key: ["key"], counters: ["last"])
}
