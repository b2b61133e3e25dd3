import Fluent
import Foundation
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence

extension CaseGenerator {
    static let batchSize = 2000

    /// Makes `total` cases: batches are computed in parallel (each from its own seed, so the result
    /// does not depend on timing), then written in order, one transaction each, while the next
    /// batches are computed and this one's tallies are added up.
    mutating func cases(_ total: Int, now: Date) async throws {
        let plan = GeneratorPlan(grids: gridCodes, seed: random.next(), total: total, now: now, timeZone: timeZone, sla: sla,
                                 queryCodes: try await QueryCodeKey.cipher(on: db), escalateAfter: escalateAfter, days: days)
        let batches = (total + Self.batchSize - 1) / Self.batchSize
        let ahead = max(2, ProcessInfo.processInfo.activeProcessorCount)
        var pending: [Int: Task<GeneratedBatch, any Error>] = [:]
        func launch(_ index: Int) {
            let first = index * Self.batchSize
            pending[index] = Task { try plan.batch(index: index, firstID: first + 1, count: min(Self.batchSize, total - first)) }
        }
        for index in 0..<min(ahead, batches) { launch(index) }
        var tallies = GeneratedTallies(grids: plan.grids, workers: plan.workers, categories: plan.categoryCodes,
                                       channels: plan.channelCodes, departments: plan.departmentCodes)
        // Eight rows a case at 200,000 cases, three at a million: rows are bounded by units × days
        // (about four million here), so the more cases, the more of them share a row.
        tallies.reserve(min(8 * total, 3_200_000))
        var gauges: [GaugeState] = []
        var dayCounters: [String: Int] = [:]
        var written = 0
        let started = Date()
        let fullText = CaseSearchTerms.usesFullText(db)
        for index in 0..<batches {
            var batch = try await pending.removeValue(forKey: index)!.value
            if index + ahead < batches { launch(index + ahead) }
            // Case codes number each day's cases in order, so they are settled here, in batch order.
            for (i, created) in batch.created.enumerated() {
                let row = i * GeneratorPlan.caseColumns.count
                let day = CaseCode.dayKey(created, timeZone: timeZone)
                let sequence = (dayCounters[day] ?? 0) + 1
                dayCounters[day] = sequence
                batch.cases[row + Self.codeColumn] = .text(CaseCode.make(countyCode: "330110", day: created, sequence: sequence, timeZone: timeZone))
            }
            let rows = batch
            let sink = (db, writer)
            let write = Task {
                try await Self.write(to: sink, [(Self.caseInsert, rows.cases), (Self.eventInsert, rows.events), (Self.departmentInsert, rows.departments),
                                 fullText ? (CaseSearchTerms.fullTextInsert, rows.searchTexts) : (CaseSearchTerms.termRowInsert, Self.termRows(rows.searchTexts))])
            }
            for record in batch.tallies { tallies.add(record) }
            gauges += batch.gauges
            try await write.value
            written += batch.created.count
            progress(written, total, started)
        }
        let casesDone = Date()
        try await RollupRebuild(db: db, timeZone: timeZone).write(entries: [], gauges: gauges)
        try await writeRollups(tallies)
        // The open cases' warning moments were worked out with `sla`: the first sweep need not walk them again.
        try await ThresholdTimesRefresh(db: db).recordBasis(of: sla, now: now)
        console.info(String(format: "cases: %.1f s; rollups: %d rows in %.1f s", casesDone.timeIntervalSince(started), tallies.count,
                            Date().timeIntervalSince(casesDone)))
        guard let sql = db as? any SQLDatabase else { return }
        if sql.dialect.name == "postgresql" {
            for table in [CaseModel.schema, CaseEventModel.schema, CaseDepartmentModel.schema] {
                try await sql.raw("SELECT setval(pg_get_serial_sequence(\(literal: table), 'id'), (SELECT COALESCE(MAX(id), 1) FROM \(ident: table)))").run()
            }
            // Planner statistics now, not at autovacuum's next pass: without them PostgreSQL took the
            // archived cases for one row and sorted all of them for a queue's first page (18 ms at 10,000).
            try await sql.raw("ANALYZE").run()
        }
        // Today's counters continue after the generated cases.
        for (day, last) in dayCounters where day == CaseCode.dayKey(now, timeZone: timeZone) {
            try await sql.raw("INSERT INTO case_code_counters (key, last) VALUES (\(bind: "330110-\(day)"), \(bind: last))").run()
        }
    }

    /// The rollup rows in slices, in one transaction: the next slice is turned into values on the
    /// task pool while the writer writes this one. Made whole, a million cases' three million rows
    /// were 1.5 GB of values, made on one core while the writer waited. Committed a slice at a time,
    /// every commit wrote out again the pages of the unique index that every slice touches (the rows
    /// go in period order, the index begins with the unit).
    func writeRollups(_ tallies: GeneratedTallies) async throws {
        let keys = tallies.sortedKeys()
        let insert = BulkInsert(table: RollupModel.schema, columns: RollupLedger.rollupColumns)
        let slices = stride(from: 0, to: keys.count, by: rollupSlice).map { $0..<min($0 + rollupSlice, keys.count) }
        @Sendable func rows(_ slice: Int) -> Task<[BulkValue], Never>? {
            slice < slices.count ? Task { tallies.rows(keys[slices[slice]]) } : nil
        }
        try await Self.write(to: (db, writer)) { put in
            var next = rows(0)
            for slice in slices.indices {
                let values = await next!.value
                next = rows(slice + 1)
                try await put(insert, values)
            }
        }
    }

    static let caseInsert = BulkInsert(table: CaseModel.schema, columns: GeneratorPlan.caseColumns)
    /// Where the writer fills in a case row's code.
    static let codeColumn = GeneratorPlan.caseColumns.firstIndex(of: "code")!
    static let eventInsert = BulkInsert(table: CaseEventModel.schema, columns: GeneratorPlan.eventColumns)
    static let departmentInsert = BulkInsert(table: CaseDepartmentModel.schema, columns: ["case_id", "department_code", "lead"])

    /// PostgreSQL's search index rows, a (case, term) pair for each term of each case's search text.
    static func termRows(_ searchTexts: [BulkValue]) -> [BulkValue] {
        var rows: [BulkValue] = []
        for pair in stride(from: 0, to: searchTexts.count, by: 2) {
            guard case .text(let text) = searchTexts[pair + 1] else { continue }
            for term in CaseSearchTerms.terms(queued: text) { rows += [searchTexts[pair], .text(term)] }
        }
        return rows
    }

    /// Writes tables' rows in one transaction, on SQLite through the bulk writer's kept statements on the writer thread.
    static func write(to sink: (db: any Database, writer: SQLiteWriteConnection?), _ tables: [(BulkInsert, [BulkValue])]) async throws {
        try await write(to: sink) { put in for (insert, values) in tables { try await put(insert, values) } }
    }

    /// Runs `body` in one transaction; the `put` it is given writes rows as `write(to:_:)` does.
    static func write(to sink: (db: any Database, writer: SQLiteWriteConnection?),
                      _ body: @escaping @Sendable (_ put: (BulkInsert, [BulkValue]) async throws -> Void) async throws -> Void) async throws {
        if let writer = sink.writer {
            try await writer.perform { writer in try await writer.transaction { writer in try await body { try await writer.insert($0, $1) } } }
        } else {
            try await sink.db.transaction { tx in try await body { _ = try await $0.run($1, on: tx) } }
        }
    }

    func progress(_ written: Int, _ total: Int, _ started: Date) {
        let elapsed = Date().timeIntervalSince(started)
        let rate = Double(written) / max(elapsed, 0.001)
        let eta = Double(total - written) / max(rate, 1)
        let bar = String(repeating: "#", count: written * 30 / max(total, 1)).padding(toLength: 30, withPad: " ", startingAt: 0)
        console.output("\r[\(bar)] \(written * 100 / max(total, 1))% \(written)/\(total)  \(Int(rate)) cases/s  ETA \(Int(eta)) s".consoleText(),
                       newLine: written == total)
    }
}

/// One batch's rows, flat per table, with its tallies and open-case gauges.
struct GeneratedBatch: Sendable {
    /// Case rows; the code column is left empty for the writer, which numbers cases per day.
    var cases: [BulkValue] = []
    var created: [Date] = []
    var events: [BulkValue] = []
    var departments: [BulkValue] = []
    /// Each case's search text (`CaseSearchTerms.queued`): the full-text index's rows on SQLite.
    var searchTexts: [BulkValue] = []
    var tallies: [TallyRecord] = []
    var gauges: [GaugeState] = []
}
