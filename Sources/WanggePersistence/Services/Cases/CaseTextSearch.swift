import FluentKit
import FluentSQL
import Foundation
import SQLKit
import WanggeDomain

/// What the search box of a case list asks for.
enum TextSearch: Equatable {
    /// A case code or its beginning (digits and dashes, six or more).
    case code(String)
    /// Cases with every one of these terms (`SearchTerms.queryTerms`), sorted.
    case terms([String])
    /// Text with no term in it: nothing matches.
    case nothing

    /// Nil for an empty box.
    init?(_ text: String) {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        if text.count >= 6, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) {
            self = .code(text)
            return
        }
        let terms = SearchTerms.queryTerms(text).sorted()
        self = terms.isEmpty ? .nothing : .terms(terms)
    }
}

/// A page of text search. A common term is in a fifth of all cases (小区: 200,000 of a million).
/// Gathering every case with the query's terms and sorting them took 0.17–0.81 s a page at a million
/// cases once warm (BENCHMARKS.md, "Reads that grew with the file"), and grew with the file. So a page
/// walks the cases that match from the cursor, newest first, checks the filters case by case, and stops
/// when it has its rows: on SQLite the full-text index's matches in rowid order; on PostgreSQL the
/// entries of the query's rarest term, which the (term, case) index holds in case order, checking the
/// other terms case by case too.
extension CaseQueryService {
    /// Cases with every term among their indexed terms, or among the queued terms of reports not yet
    /// indexed (`CaseSearchTerms`): the two merged newest first.
    /// `subcategory`: the list's subcategory (a code of four digits), which the query already holds as a filter. `from`:
    /// the smallest case id the query can match (`oldestCase(in:)` of the open states it keeps to). `within`: the ids of
    /// the cases reported within the list's dates (`reportedIDs`), which the query already holds as a filter.
    func searchPage(_ terms: [String], _ query: CaseListQuery, for actor: Actor, subcategory: String?, from oldest: SQLQueryString?,
                    within span: ReportedIDSpan?, before: Int?, limit: Int) async throws -> [CaseSummary] {
        let queued = query.copy().filter(.sql(embed: Self.inQueue(terms)))
        if let before { queued.filter(.cases("id", .lessThan, .bind(before))) }
        let fromQueue = try await page(queued.sort("id", .descending), limit: limit)
        let walk = CaseSearchTerms.usesFullText(db)
            ? matching(terms, query, checking: { id in
                [CaseAccess.matchCheck(id: id, to: actor), subcategory.map { Self.inSubcategory($0, id: id) }].compactMap { $0 }
            }, from: oldest, within: span, before: before)
            : indexed(terms, driving: try await rarest(terms), query, within: span, before: before)
        let fromIndex = try await page(walk, limit: limit)
        var seen = Set<Int>()
        return (fromIndex + fromQueue).sorted { $0.id > $1.id }.filter { seen.insert($0.id).inserted }.prefix(limit).map { $0 }
    }

    /// SQLite: the case list joined to the full-text index's cases with every term, newest first. The
    /// full-text index walks its cases in rowid order from the cursor and stops with the page, as the
    /// term rows' walk does. FTS5 reads `MATCH` on the table's own name only (not an alias).
    ///
    /// A grid worker sees a case in a few hundred of the index's matches, so the walk read the rows of tens of
    /// thousands of cases to find a page (50 ms for 路灯 at a million cases, and growing with the file). Each match is
    /// now checked first from its id (`CaseAccess.matchCheck`: the ids they may see, from index entries; a handler's
    /// department, from the (case, department) key), and only the matches they may see have their rows read: 3 ms
    /// for the grid worker. A subcategory's matches are checked the same way (`inSubcategory`).
    ///
    /// Open cases are the newest: at a million cases the oldest open one is 972,630, so a search among open cases
    /// walks from the newest match down to it (`oldest`) and stops. It walked all 37,042 matches of 路灯 to find a
    /// dispatcher's no dispatched ones.
    private func matching(_ terms: [String], _ query: CaseListQuery, checking checks: (SQLQueryString) -> [SQLQueryString],
                          from oldest: SQLQueryString?, within span: ReportedIDSpan?, before: Int?) -> CaseListQuery {
        let walk = query.copy()
        let index = SQLIdentifier(CaseSearchTerms.fullText)
        walk.query.joins.append(.custom(SQLJoin(
            method: SQLJoinMethod.inner, table: index,
            expression: SQLQueryString("\(index).\(quoted: "rowid") = \(quoted: CaseModel.schema).\(quoted: "id")"))))
        walk.filter(.sql(embed: "\(index) MATCH \(bind: CaseSearchTerms.fullTextMatch(terms))"))
        for check in checks("\(index).\(quoted: "rowid")") { walk.filter(.sql(embed: check)) }
        if let oldest { walk.filter(.sql(embed: "\(index).\(quoted: "rowid") >= (\(oldest))")) }
        if let span { walk.filter(.sql(embed: span.contains("\(index).\(quoted: "rowid")"))) }
        if let before {
            walk.filter(.sql(embed: "\(index).\(quoted: "rowid") < \(bind: before)"))
            walk.filter(.cases("id", .lessThan, .bind(before)))
        }
        return walk.sort(.custom(SQLOrderBy(expression: SQLColumn("rowid", table: CaseSearchTerms.fullText), direction: SQLDirection.descending)))
    }

    /// Whether the case whose id is `id` is in the subcategory, from its (category, id) index entry (migration 015), named
    /// so that SQLite does not read the case's row by its id instead. A subcategory holds a thirtieth of the cases: a
    /// dispatcher's search for 路灯 in 0101 (one match of 37,042) read every match's row, 80 ms at a million cases.
    /// A scalar subquery, which SQLite checks where the id is known (an EXISTS it turns into a join after the row).
    static func inSubcategory(_ code: String, id: SQLQueryString) -> SQLQueryString {
        let index = SlimCaseIndexes.indexName(CaseModel.schema, ["category_code", "id"])
        return """
            (SELECT 1 FROM \(quoted: CaseModel.schema) AS \(quoted: "same") INDEXED BY \(quoted: index) \
            WHERE \(quoted: "same").\(quoted: "category_code") = \(bind: code) AND \(quoted: "same").\(quoted: "id") = \(id) LIMIT 1) IS NOT NULL
            """
    }

    /// PostgreSQL: the case list joined to the index entries of `driving`, in their (term, case) order.
    private func indexed(_ terms: [String], driving: String, _ query: CaseListQuery, within span: ReportedIDSpan?,
                         before: Int?) -> CaseListQuery {
        let indexed = query.walking(CaseSearchTermModel.schema, as: "entry", key: "term", equals: driving,
                                    also: span?.contains("\(quoted: "entry").\(quoted: "case_id")"), before: before)
        // PostgreSQL turns EXISTS into a semi-join and, taking the terms for independent, expects few cases
        // to have them all: it gathered every entry of the driving term and sorted them (30 ms for 小区门口 once
        // 5,590 cases held all three terms). A subquery with LIMIT stays a check made row by row, so the
        // walk stops at its page, as on SQLite (0.4 ms).
        let postgres = (db as? any SQLDatabase)?.dialect.name == "postgresql"
        for term in terms where term != driving {
            let other: SQLQueryString = """
                SELECT 1 FROM \(quoted: CaseSearchTermModel.schema) AS \(quoted: "other") \
                WHERE \(quoted: "other").\(quoted: "term") = \(bind: term) AND \(quoted: "other").\(quoted: "case_id") = \(quoted: "entry").\(quoted: "case_id")
                """
            indexed.filter(.sql(embed: postgres ? "(\(other) LIMIT 1) IS NOT NULL" : "EXISTS (\(other))"))
        }
        return indexed
    }

    /// Terms are letters, digits and CJK only: no `%`, `_` or space to escape.
    private static func inQueue(_ terms: [String]) -> SQLQueryString {
        let all = SQLList(terms.map { SQLQueryString("\(quoted: "terms") LIKE \(bind: "% \($0) %")") }, separator: SQLRaw(" AND "))
        return "\(quoted: CaseModel.schema).\(quoted: "id") IN (SELECT \(quoted: "case_id") FROM \(quoted: CaseSearchTerms.queue) WHERE \(all))"
    }

    /// The term with the fewest index entries, counted up to `rarestCountCap` each: walking the
    /// rarest, a page of 小区门口 looks at the cases of 门口 and not at the twice as many of 小区.
    private func rarest(_ terms: [String]) async throws -> String {
        guard terms.count > 1 else { return terms[0] }
        var best = (term: terms[0], count: Int.max)
        for term in terms {
            let count = try await PlainReads.rows(SQLQueryString("""
                SELECT COUNT(*) AS \(quoted: "n") FROM (SELECT 1 FROM \(quoted: CaseSearchTermModel.schema) \
                WHERE \(quoted: "term") = \(bind: term) LIMIT \(literal: Self.rarestCountCap)) AS \(quoted: "entries")
                """), on: db).first?.decode(column: "n", as: Int.self) ?? 0
            if count < best.count { best = (term, count) }
        }
        return best.term
    }

    static let rarestCountCap = 5_000
}
