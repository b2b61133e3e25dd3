import FluentKit
import Foundation
import SQLKit
import Synchronization
import WanggeDomain

/// Reports' rollup entries and open-case gauges on their way to the rollups and the gauges. A group of
/// reports writes one row here, its reports' tallies (`RollupTally.line`) and the gauges each new case
/// joins (`GaugeState.journalLine`) as lines of text, in its own transaction, so a report acknowledged
/// is in the journal if not yet in the rollups; a fold adds a batch of rows' entries to the rollups and
/// the gauges and deletes the rows in one transaction, so each is counted once, also after a crash.
///
/// Each report upserted about thirteen rollup rows in its group's commit (two dozen entries, merged
/// within the group): a third of the intake writer's time, and a fifth of the pages it wrote; the
/// gauges, a row at each level of the case's place, another 8% of intake's rate at 10,000 cases
/// (BENCHMARKS.md, "The gauges through the journal"). A fold of a second's reports upserts each row they
/// touch once. Readers of the rollups and the gauges fold first (`foldIfPending`), so what they show has
/// every report acknowledged before the read. Transitions still move the gauges in their own
/// transaction: the moves are sums, so the order they reach a row in does not matter.
public enum RollupJournal {
    public static let table = "rollup_journal"

    /// What a journal row says: its reports' tallies and the gauges its new cases join, each in the order of
    /// its lines.
    struct Entries: Sendable, Equatable {
        var tallies: [RollupTally] = []
        var gaugeJoins: [GaugeState] = []

        /// A row's lines parsed: a gauge line starts with `g`, every other is a tally.
        init(text: String) throws {
            for line in text.split(separator: "\n") {
                if line.hasPrefix(GaugeState.journalPrefix) {
                    gaugeJoins.append(try GaugeState(journalLine: line))
                } else {
                    tallies.append(try RollupTally(line: line))
                }
            }
        }

        init(tallies: [RollupTally], gaugeJoins: [GaugeState]) {
            (self.tallies, self.gaugeJoins) = (tallies, gaugeJoins)
        }

        var count: Int { tallies.count + gaugeJoins.count }
    }

    /// One row for a group's reports: their lines (each report's its own, already joined), or none when
    /// no report has any. `entries` are what the lines say, in their order: kept in memory for the
    /// fold (`Memo`), which makes their rollup entries and gauge moves and sums them by key.
    static func append(_ reportLines: [String], entries: Entries, into rows: any RowSink) async throws {
        let lines = reportLines.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return }
        let text = lines.joined(separator: "\n")
        Memo.keep(entries, for: text)
        try await rows.insert(insert, [.text(text)])
    }

    /// A journal row's entries as its writer had them, so that a fold in this process need not parse its
    /// lines (parsing them and making their entries was a seventh of the server's time, on the event loops,
    /// before there was a memo). Keyed by the row's text, which alone decides its entries: a text kept for a write
    /// that rolled back, or for another database of the process, gives the same entries as parsing it would.
    /// Bounded (emptied when full), as a fold in another process may take rows whose entries were kept here.
    enum Memo {
        private struct Kept {
            var rows: [String: Entries] = [:]
            /// Tallies and gauge joins kept, all rows together.
            var count = 0
        }

        private static let kept = Mutex(Kept())
        /// About 9 MB of tallies and gauge joins (some 450 bytes a tally, a third of that a join); a second
        /// of full intake keeps about 10,000.
        static let limit = 30_000

        static func keep(_ entries: Entries, for text: String) {
            kept.withLock { kept in
                if kept.count + entries.count > limit { kept = Kept() }
                if let old = kept.rows.updateValue(entries, forKey: text) { kept.count -= old.count }
                kept.count += entries.count
            }
        }

        /// The entries kept for a row's text (and forgets them), else its lines parsed.
        static func take(_ text: String) throws -> Entries {
            let known = kept.withLock { kept -> Entries? in
                guard let known = kept.rows.removeValue(forKey: text) else { return nil }
                kept.count -= known.count
                return known
            }
            if let known { return known }
            return try Entries(text: text)
        }
    }

    /// A report's events' tallies and the gauges its case joins, as its part of a journal row.
    static func lines(_ tallies: [RollupTally], joining gauge: GaugeState) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(200 * (tallies.count + 1))
        for tally in tallies {
            tally.appendLine(to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        gauge.appendJournalLine(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Folds the journal if anything waits in it: a read of one row when nothing does. A fold that fails
    /// leaves the reader to read what the rollups hold (the server's fold job logs the failure each time it
    /// runs), so a leader's page shows the counts without the last moments' reports rather than an error.
    public static func foldIfPending(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let waiting = try await PlainReads.rows(sql.select().column("id").from(table).limit(1).select, on: db)
        if !waiting.isEmpty { _ = try? await RollupJournalFolder(db: db).drain() }
    }

    private static let insert = BulkInsert(table: table, columns: ["tallies"])
}

/// Adds the journal's waiting entries to the rollups, a batch of rows per transaction. The server runs
/// it every quarter second (`Application.foldRollups`, `WANGGE_ROLLUP_FOLD_SECONDS`); readers of the
/// rollups run it before they read.
///
/// A batch is read and summed outside the write transaction, which then only deletes its rows and
/// upserts the sums, at most `maxRows` of them: reports wait behind a fold on SQLite's one writer, and
/// half a second's reports summed and upserted in one transaction made the slowest reports wait two to
/// three times as long (measured before the fold ran on a thread of its own at the lowest priority).
/// The bound is 5,000 rows: a report counts in about two dozen rows, most of them the day's and month's
/// rows that other reports count in too, so a larger chunk sums more reports into each row it upserts.
/// Under full intake at 10,000 cases, 1,000 → 5,000 took 12% more reports a second at the same p99
/// (2,500 and 10,000 did as well as 5,000; BENCHMARKS.md, "The one writer held for shorter spells").
/// Each journal row is folded once: a fold whose rows another fold (another instance on PostgreSQL,
/// or a reader) deleted first rolls back and reads again.
public struct RollupJournalFolder: Sendable {
    public let db: any Database
    /// Journal rows read at a time.
    public let batch: Int
    /// Rollup rows upserted in one transaction, at most (unless one journal row alone has more).
    public let maxRows: Int

    public init(db: any Database, batch: Int = 500, maxRows: Int = 5_000) {
        self.db = db
        self.batch = max(1, batch)
        self.maxRows = max(1, maxRows)
    }

    /// Folds until a read of the journal comes back short; returns how many rows it folded. A row whose text
    /// is not the journal's (only a bug or a hand could write one) stays where it is and is not counted; the
    /// rows around it are folded, and then the fold throws, so that the server's job logs it.
    @discardableResult
    public func drain() async throws -> Int {
        var total = 0
        var unreadable: (any Error)?
        while true {
            let (folded, read, error) = try await foldBatch()
            total += folded
            unreadable = unreadable ?? error
            // Nothing folded from a full read: rows it cannot read, or another fold ahead of it; the next run goes on.
            if read < batch || folded == 0 { break }
        }
        if let unreadable { throw unreadable }
        return total
    }

    /// Reads up to `batch` rows, oldest first, and folds them in chunks whose sums stay within `maxRows`
    /// (a row alone may exceed it), one transaction a chunk. Returns how many it folded and how many it
    /// read, and the first row it could not read; when another fold took rows first it stops there, and the next
    /// read goes on from what is left.
    func foldBatch() async throws -> (folded: Int, read: Int, unreadable: (any Error)?) {
        guard let sql = db as? any SQLDatabase else { return (0, 0, nil) }
        let rows = try await PlainReads.rows(sql.select().columns("id", "tallies").from(RollupJournal.table)
            .orderBy("id").limit(batch).select, on: db)
        var folded = 0
        var unreadable: (any Error)?
        var chunk = Chunk(capacity: maxRows)
        for row in rows {
            let entries: [[RollupEntry]]
            let gaugeJoins: [GaugeState]
            do {
                // Each tally's entries, made here (on the server's background thread for its fold job), not as reports come.
                let journal = try RollupJournal.Memo.take(try row.decode(column: "tallies", as: String.self))
                (entries, gaugeJoins) = (journal.tallies.map(\.entries), journal.gaugeJoins)
            } catch {
                unreadable = unreadable ?? error
                continue
            }
            if !chunk.ids.isEmpty && chunk.sums.count + chunk.newKeys(entries, bound: maxRows) > maxRows {
                guard try await fold(chunk) else { return (folded, batch, unreadable) }
                folded += chunk.ids.count
                chunk = Chunk(capacity: maxRows)
            }
            chunk.add(id: try row.decode(column: "id", as: Int.self), entries, gaugeJoins)
        }
        if !chunk.ids.isEmpty {
            guard try await fold(chunk) else { return (folded, batch, unreadable) }
            folded += chunk.ids.count
        }
        return (folded, rows.count, unreadable)
    }

    private struct Chunk {
        var ids: [BulkValue] = []
        var sums: [RollupKey: RollupEntry]
        /// Not counted against `maxRows`: they sum to at most a row per unit and department.
        var gaugeJoins: [GaugeState] = []

        /// Room for the sums a chunk may reach, so they are not moved to a larger table again and again as
        /// they grow (a quarter of the summing's time).
        init(capacity: Int) {
            sums = Dictionary(minimumCapacity: capacity)
        }

        mutating func add(id: Int, _ entries: [[RollupEntry]], _ joins: [GaugeState]) {
            ids.append(.int(id))
            for run in entries { RollupKeys.add(run, to: &sums) }
            gaugeJoins += joins
        }

        /// At most this many new rows (a key twice in the row counts twice): a bound, without a set of keys.
        /// The keys are looked up only when their number alone would take the sums past `bound`.
        func newKeys(_ entries: [[RollupEntry]], bound: Int) -> Int {
            let count = entries.reduce(0) { $0 + $1.count }
            guard sums.count + count > bound else { return count }
            return entries.reduce(0) { total, run in run.reduce(total) { $0 + (sums[$1.key] == nil ? 1 : 0) } }
        }
    }

    /// Deletes the chunk's rows and upserts its rollup sums and gauge moves in one transaction; false (and nothing
    /// written) when another fold deleted any of its rows first.
    private func fold(_ chunk: Chunk) async throws -> Bool {
        // In key order, as every rollup upsert is (see `RollupKey.<`).
        // (`RollupKeys.merged` sorts positions: sorting the entries themselves moved them, a third of the fold's time.)
        let entries = RollupKeys.merged(Array(chunk.sums.values))
        let gauges = GaugeDeltas(chunk.gaugeJoins.map { (from: GaugeState.none, to: $0) })
        return try await db.writeRows(taking: chunk.ids, from: RollupJournal.table, by: "id") { sink in
            try await RollupLedger.add(merged: entries, into: sink)
            try await gauges.write(into: sink)
        }
    }
}

/// A new case's place in the open-case gauges as a line of the rollup journal: `g`, then its place, lead
/// department, whether it is open and overdue, and its finished state, tab-separated.
extension GaugeState {
    static let journalPrefix = "g\t"

    var journalLine: String {
        var bytes: [UInt8] = []
        appendJournalLine(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    func appendJournalLine(to bytes: inout [UInt8]) {
        bytes.append(contentsOf: Self.journalPrefix.utf8)
        for (index, field) in [placeCode ?? "", departmentCode ?? "", open ? "1" : "0", overdue ? "1" : "0", finished?.rawValue ?? ""].enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: "\t")) }
            bytes.append(contentsOf: RollupTally.escaped(field).utf8)
        }
    }

    init(journalLine line: Substring) throws {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        let finished = fields.count == 6 ? CaseState(rawValue: String(fields[5])) : nil
        guard fields.count == 6, fields[0] == "g", ["0", "1"].contains(fields[3]), ["0", "1"].contains(fields[4]),
              fields[5].isEmpty || finished != nil else {
            throw RollupTally.MalformedLine(line: String(line))
        }
        func optional(_ index: Int) -> String? { fields[index].isEmpty ? nil : RollupTally.unescaped(fields[index]) }
        self = .none
        (placeCode, departmentCode, open, overdue, self.finished) = (optional(1), optional(2), fields[3] == "1", fields[4] == "1", finished)
    }
}
