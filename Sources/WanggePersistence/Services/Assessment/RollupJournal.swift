import FluentKit
import Foundation
import SQLKit
import Synchronization
import WanggeDomain

/// Reports' rollup entries on their way to the rollups. A group of reports writes one row here, its
/// reports' tallies as lines of text (`RollupTally.line`), in its own transaction, so a report
/// acknowledged is in the journal if not yet in the rollups; a fold adds a batch of rows' entries to
/// the rollups and deletes the rows in one transaction, so each is counted once, also after a crash.
///
/// Each report upserted about thirteen rollup rows in its group's commit (two dozen entries, merged
/// within the group): a third of the intake writer's time, and a fifth of the pages it wrote. A fold
/// of a second's reports upserts each row they touch once. Readers of the rollups fold first
/// (`foldIfPending`), so what they show has every report acknowledged before the read.
public enum RollupJournal {
    public static let table = "rollup_journal"

    /// One row for a group's reports: their lines (each report's its own, already joined), or none when
    /// no report counts anywhere. `tallies` are what the lines say, in their order: kept in memory for the
    /// fold (`Memo`), which makes their entries and sums them by key.
    static func append(_ reportLines: [String], tallies: [RollupTally], into rows: any RowSink) async throws {
        let lines = reportLines.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return }
        let text = lines.joined(separator: "\n")
        Memo.keep(tallies, for: text)
        try await rows.insert(insert, [.text(text)])
    }

    /// A journal row's tallies as its writer had them, so that a fold in this process need not parse its
    /// lines (parsing them and making their entries was a seventh of the server's time, on the event loops,
    /// before there was a memo). Keyed by the row's text, which alone decides its tallies: a text kept for a write
    /// that rolled back, or for another database of the process, gives the same tallies as parsing it would.
    /// Bounded (emptied when full), as a fold in another process may take rows whose tallies were kept here.
    enum Memo {
        private struct Kept {
            var rows: [String: [RollupTally]] = [:]
            var tallies = 0
        }

        private static let kept = Mutex(Kept())
        /// About 9 MB of tallies (some 450 bytes each); a second of full intake keeps about 5,000.
        static let limit = 20_000

        static func keep(_ tallies: [RollupTally], for text: String) {
            kept.withLock { kept in
                if kept.tallies + tallies.count > limit { kept = Kept() }
                if let old = kept.rows.updateValue(tallies, forKey: text) { kept.tallies -= old.count }
                kept.tallies += tallies.count
            }
        }

        /// The tallies kept for a row's text (and forgets them), else its lines parsed.
        static func take(_ text: String) throws -> [RollupTally] {
            let known = kept.withLock { kept -> [RollupTally]? in
                guard let known = kept.rows.removeValue(forKey: text) else { return nil }
                kept.tallies -= known.count
                return known
            }
            if let known { return known }
            return try text.split(separator: "\n").map { try RollupTally(line: $0) }
        }
    }

    /// A report's events' tallies as its part of a journal row.
    static func lines(_ tallies: [RollupTally]) -> String {
        tallies.map(\.line).joined(separator: "\n")
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
            do {
                // Each tally's entries, made here (on the server's background thread for its fold job), not as reports come.
                entries = try RollupJournal.Memo.take(try row.decode(column: "tallies", as: String.self)).map(\.entries)
            } catch {
                unreadable = unreadable ?? error
                continue
            }
            if !chunk.ids.isEmpty && chunk.sums.count + chunk.newKeys(entries, bound: maxRows) > maxRows {
                guard try await fold(chunk) else { return (folded, batch, unreadable) }
                folded += chunk.ids.count
                chunk = Chunk(capacity: maxRows)
            }
            chunk.add(id: try row.decode(column: "id", as: Int.self), entries)
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

        /// Room for the sums a chunk may reach, so they are not moved to a larger table again and again as
        /// they grow (a quarter of the summing's time).
        init(capacity: Int) {
            sums = Dictionary(minimumCapacity: capacity)
        }

        mutating func add(id: Int, _ entries: [[RollupEntry]]) {
            ids.append(.int(id))
            for run in entries { RollupKeys.add(run, to: &sums) }
        }

        /// At most this many new rows (a key twice in the row counts twice): a bound, without a set of keys.
        /// The keys are looked up only when their number alone would take the sums past `bound`.
        func newKeys(_ entries: [[RollupEntry]], bound: Int) -> Int {
            let count = entries.reduce(0) { $0 + $1.count }
            guard sums.count + count > bound else { return count }
            return entries.reduce(0) { total, run in run.reduce(total) { $0 + (sums[$1.key] == nil ? 1 : 0) } }
        }
    }

    /// Deletes the chunk's rows and upserts its sums in one transaction; false (and nothing written) when
    /// another fold deleted any of its rows first.
    private func fold(_ chunk: Chunk) async throws -> Bool {
        // In key order, as every rollup upsert is (see `RollupKey.<`).
        // (`RollupKeys.merged` sorts positions: sorting the entries themselves moved them, a third of the fold's time.)
        let entries = RollupKeys.merged(Array(chunk.sums.values))
        return try await db.writeRows(taking: chunk.ids, from: RollupJournal.table, by: "id") { sink in
            try await RollupLedger.add(merged: entries, into: sink)
        }
    }
}
