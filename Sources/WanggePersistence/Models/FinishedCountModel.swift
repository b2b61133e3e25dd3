import FluentKit

/// How many cases are finished in each finished state (rejected, merged, closed, archived), per org
/// unit (every level) and per lead department: the overview's history figures without reading the
/// history. Open states are counted from the cases themselves.
public final class FinishedCountModel: Model, @unchecked Sendable {
    public static let schema = "finished_counts"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "dimension") public var dimension: String
    @Field(key: "unit_code") public var unitCode: String
    @Field(key: "state") public var state: String
    @Field(key: "case_count") public var caseCount: Int

    public init() {}
}
