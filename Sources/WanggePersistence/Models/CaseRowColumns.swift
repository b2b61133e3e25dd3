import Foundation
import WanggeDomain

/// What a case row copies from its snapshot: the JSON that keeps it whole, and the columns queues
/// filter on. One derivation for a loaded model (`CaseModel.setSnapshot`) and for intake's plain
/// row (`NewCaseRow`).
struct SnapshotColumns: Sendable {
    let json: String
    let state: CaseState
    let centreOrgCode: String
    let categoryCode: String?
    let leadDepartmentCode: String?
    let assignedGridCode: String?
    let rating: String?
    let resultBy: String?
    let extensionRequested: Bool
    let counters: CaseSnapshot.Counters

    init(_ snapshot: CaseSnapshot) throws {
        json = try CaseModel.stored(snapshot)
        state = snapshot.state
        centreOrgCode = snapshot.centreOrgCode
        categoryCode = snapshot.categoryCode
        leadDepartmentCode = snapshot.leadDepartmentCode
        assignedGridCode = snapshot.assignedGridCode
        rating = snapshot.rating?.rawValue
        resultBy = snapshot.resultBy
        extensionRequested = snapshot.extensionRequested
        counters = snapshot.counters
    }
}

/// What a case row copies from its clocks: the JSON, and when the running clock runs out and turns
/// blue and yellow (for colour filters); a closed case has no running clock. `wangge generate` writes
/// its rows' clocks through it too.
public struct ClockColumns: Sendable {
    public let json: String
    public let dueAt: Date?
    public let blueAt: Date?
    public let yellowAt: Date?

    public init(_ deadlines: CaseDeadlines, open: Bool, thresholds: WarningThresholds, calendar: WorkingCalendar) throws {
        json = try CaseModel.stored(deadlines)
        dueAt = open ? deadlines.nextDue : nil
        let times = open ? deadlines.thresholdTimes(thresholds, calendar: calendar) : nil
        blueAt = times?.blue
        yellowAt = times?.yellow
    }
}
