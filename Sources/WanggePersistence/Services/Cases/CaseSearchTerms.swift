import FluentKit

/// The search index rows of cases (their descriptions' two-character terms, `SearchTerms`).
enum CaseSearchTerms {
    /// Multi-row INSERTs of plain values (`BulkInsert`): through Fluent each row was a model whose
    /// properties Fluent found by reflection, a tenth of an intake's time.
    static func insert(_ cases: [(caseID: Int, terms: [String])], into rows: any RowSink) async throws {
        let values = cases.flatMap { item in item.terms.flatMap { [BulkValue.int(item.caseID), .text($0)] } }
        try await rows.insert(BulkInsert(table: CaseSearchTermModel.schema, columns: ["case_id", "term"]), values)
    }
}
