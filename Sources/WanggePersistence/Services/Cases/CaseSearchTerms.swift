import FluentKit
import SQLKit
import WanggeDomain

/// The search index of cases (their descriptions' two-character terms, `SearchTerms`).
///
/// A report's terms first wait in a queue, one row per case, written with the report; the index
/// takes them in batches (`SearchTermIndexer`). Search reads the queue too, so a case is found the
/// moment it is reported.
///
/// On SQLite the index is SQLite's full-text index (FTS5, `fullText`): a batch's terms go into a
/// segment of their own, merged with others later, so a batch writes a few pages one after another.
/// In a (term, case) index a batch wrote the last page of each of its terms, about a thousand pages
/// spread over the index, 29 ms a batch at a million cases against 3 ms (BENCHMARKS.md, "The search
/// index in SQLite's full-text index"). On PostgreSQL, which has several writers, the index is
/// `case_search_terms`, a row per term and case, in a (term, case) index: a batch's entries go to
/// the end of each term's run, each term's page written once for all its reports.
public enum CaseSearchTerms {
    public static let queue = "search_term_queue"

    /// SQLite's full-text table: a row per case, its rowid the case's id, its one column the queue's
    /// text. `content=''` keeps no copy of the text, `detail=none` no positions (search asks for
    /// cases holding every term, never for terms in a row) and `columnsize=0` no lengths. The `ascii`
    /// tokenizer breaks text at ASCII punctuation and spaces only, so each term, letters and digits
    /// (lowercase already) or CJK, is one token and matches itself alone.
    public static let fullText = "case_search_index"
    static let createFullText: SQLQueryString = """
        CREATE VIRTUAL TABLE \(ident: fullText) USING fts5(terms, content='', detail=none, columnsize=0, tokenize='ascii')
        """
    /// FTS5 merges segments itself after each write while `automerge` is on, as much as the write
    /// calls for: at a million cases one batch's commit merged for 1.27 s, holding SQLite's one writer.
    /// Off, the indexer merges a few pages a transaction (`SearchTermIndexer.mergeSegments`). The
    /// setting is kept in the index.
    static let automergeOff: SQLQueryString = "INSERT INTO \(ident: fullText) (\(ident: fullText), rank) VALUES ('automerge', 0)"
    /// A step of merging (FTS5's `merge` command): `'merge'` and how many pages.
    static let mergeStep = BulkInsert(table: fullText, columns: [fullText, "rank"])
    /// Merges the index's segments into one: after a load, so a search reads one run per term.
    public static let mergeFullTextSQL = "INSERT INTO \"\(fullText)\" (\"\(fullText)\") VALUES ('optimize')"
    public static let fullTextInsert = BulkInsert(table: fullText, columns: ["rowid", "terms"])
    /// PostgreSQL's index rows (`case_search_terms`), a (case, term) pair each.
    public static let termRowInsert = BulkInsert(table: CaseSearchTermModel.schema, columns: ["case_id", "term"])

    /// Whether the index is the full-text table: on SQLite.
    public static func usesFullText(_ db: any Database) -> Bool {
        (db as? any SQLDatabase)?.dialect.name == "sqlite"
    }

    /// A full-text query for cases holding every one of `terms`: each quoted, so that none reads as an
    /// operator (`AND`, `NOT`); terms hold no quote.
    static func fullTextMatch(_ terms: [String]) -> String {
        terms.map { "\"\($0)\"" }.joined(separator: " ")
    }

    /// Queues reports' terms, each as its queue text (`queued`); a case without terms needs no row.
    static func enqueue(_ cases: [(caseID: Int, queued: String?)], into rows: any RowSink) async throws {
        let values = cases.flatMap { item in item.queued.map { [BulkValue.int(item.caseID), .text($0)] } ?? [] }
        try await rows.insert(BulkInsert(table: queue, columns: ["case_id", "terms"]), values)
    }

    /// The terms search finds a case by (`SearchTerms`): its description's and its address's, in byte order.
    /// Migration 023's revert makes its term rows from them; intake and the generator queue the same terms
    /// as `queued(description:address:)` writes them.
    public static func terms(description: String, address: String?) -> [String] {
        SearchTerms.sortedTerms(searchedText(description: description, address: address))
    }

    /// A case's terms (`terms(description:address:)`) in its queue row (and its row of the full-text index):
    /// separated by spaces, which no term contains, with a space at each end, so `LIKE '% term %'` finds a whole
    /// term; written at once (`SearchTerms.spacedTerms`). Nil for a case without terms, which needs no row.
    public static func queued(description: String, address: String?) -> String? {
        let text = SearchTerms.spacedTerms(searchedText(description: description, address: address))
        return text.isEmpty ? nil : text
    }

    private static func searchedText(description: String, address: String?) -> String {
        description + " " + (address ?? "")
    }

    /// The terms of a queue row.
    public static func terms(queued: String) -> [String] {
        queued.split(separator: " ").map(String.init)
    }
}

/// Moves queued search terms into the index, a batch of cases per transaction. The server runs it
/// every quarter second (`Application.indexSearchTerms`, `WANGGE_SEARCH_INDEX_SECONDS`); on
/// PostgreSQL several instances may run it at once, and each queued case is taken by one of them.
///
/// A batch holds SQLite's one writer, and reports wait behind it. A quarter second of reports is a
/// few hundred cases, a thousand under full intake; more (a backlog, an indexer that could not run
/// for a while) are drained 400 cases a transaction, with reports written between them. With backlogs
/// of 17,000–19,000 cases taken in one transaction, at a million cases, the slowest 1% of reports
/// waited 0.86–0.98 s (BENCHMARKS.md, "Intake at a million cases: a backlog of search terms"); with
/// batches of 2,000, a full intake's thousand cases held the writer past 25 ms about twice a second,
/// and intake's p99 was 47–53 ms there against 43–46 ms in batches of 400, at the same rate (batches
/// of 150 were slower; BENCHMARKS.md, "The one writer held for shorter spells"). Those were the term
/// rows' figures; a batch of 400 into SQLite's full-text index takes about 3 ms at a million cases.
public struct SearchTermIndexer: Sendable {
    public let db: any Database
    public let batch: Int

    public init(db: any Database, batch: Int = 400) {
        self.db = db
        self.batch = max(1, batch)
    }

    /// Indexes what is queued, batch after batch, until a batch comes back short: the queue is
    /// empty, or another indexer took part of the batch (the next run takes what is left). Returns
    /// how many cases it indexed.
    @discardableResult
    public func drain() async throws -> Int {
        var total = 0
        while true {
            let taken = try await indexBatch()
            total += taken
            if taken < batch { break }
        }
        if total > 0, CaseSearchTerms.usesFullText(db) { try await mergeSegments() }
        return total
    }

    /// Merges the full-text index's segments, `pages` pages a transaction, until nothing is left to
    /// merge or after `maxSteps` steps (the next run goes on); returns the steps that merged. FTS5
    /// merges four segments of a size into one of the next, so a search reads a few segments. At a
    /// million cases a step of 16 pages held the writer up to 11 ms, and 1.6 steps a batch of 400
    /// reports kept up (`python3`, 300 batches).
    @discardableResult
    func mergeSegments(pages: Int = 16, maxSteps: Int = 32) async throws -> Int {
        var merged = 0
        while merged < maxSteps {
            let worked = try await db.writeRows { rows in
                let before = try await rows.totalChanges()
                try await rows.insert(CaseSearchTerms.mergeStep, [.text("merge"), .int(pages)])
                // The command is one change; a step that merged wrote the index's rows too.
                return try await rows.totalChanges() - before >= 2
            }
            guard worked else { break }
            merged += 1
        }
        return merged
    }

    /// Reads up to `batch` queued cases and works out their index rows, then in one transaction deletes
    /// those queue rows and writes the rows. Parsed and sorted inside the transaction, the terms held
    /// SQLite's one writer (about 1% of the server's samples under full intake, on the writer's thread). A batch
    /// whose queue rows another indexer deleted first writes nothing and counts as none, so `drain` stops;
    /// the next run reads what is left.
    func indexBatch() async throws -> Int {
        guard let sql = db as? any SQLDatabase else { return 0 }
        let queued = try await PlainReads.rows(sql.select().columns("case_id", "terms").from(CaseSearchTerms.queue)
            .orderBy("case_id").limit(batch).select, on: db)
        guard !queued.isEmpty else { return 0 }
        let fullText = CaseSearchTerms.usesFullText(db)
        let (taken, indexRows) = try fullText ? Self.fullTextRows(of: queued) : Self.indexRows(of: queued)
        let written = try await db.writeRows(taking: taken, from: CaseSearchTerms.queue, by: "case_id") { rows in
            try await rows.insert(fullText ? CaseSearchTerms.fullTextInsert : CaseSearchTerms.termRowInsert, indexRows)
        }
        return written ? queued.count : 0
    }

    /// The queue rows' keys, and their rows in the full-text table: the queue's text as it is.
    private static func fullTextRows(of queued: [any SQLRow]) throws -> (keys: [BulkValue], rows: [BulkValue]) {
        var keys: [BulkValue] = []
        var rows: [BulkValue] = []
        for row in queued {
            let caseID = try row.decode(column: "case_id", as: Int.self)
            keys.append(.int(caseID))
            // As below: a row whose terms are not text goes with the batch, unindexed.
            guard let text = try? row.decode(column: "terms", as: String.self) else { continue }
            rows += [.int(caseID), .text(text)]
        }
        return (keys, rows)
    }

    /// The queue rows' keys, and their (case, term) index rows in the index's own order (SQLite compares
    /// text by its bytes), so that each of its pages is visited once, one after another.
    private static func indexRows(of queued: [any SQLRow]) throws -> (keys: [BulkValue], rows: [BulkValue]) {
        var keys: [BulkValue] = []
        var casesByTerm: [String: [Int]] = [:]
        for row in queued {
            let caseID = try row.decode(column: "case_id", as: Int.self)
            keys.append(.int(caseID))
            // A row whose terms are not text (only a hand could write one) goes with the batch, unindexed, as it
            // always did: thrown, it would stop the index at itself run after run.
            guard let text = try? row.decode(column: "terms", as: String.self) else { continue }
            for term in CaseSearchTerms.terms(queued: text) { casesByTerm[term, default: []].append(caseID) }
        }
        var rows: [BulkValue] = []
        for term in casesByTerm.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            for caseID in casesByTerm[term, default: []].sorted() {
                rows.append(.int(caseID))
                rows.append(.text(term))
            }
        }
        return (keys, rows)
    }
}
