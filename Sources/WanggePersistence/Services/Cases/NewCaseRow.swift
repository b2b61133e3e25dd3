import Foundation
import WanggeDomain

/// A new case's row as intake writes it: plain values, without a Fluent model.
///
/// A `CaseModel` keeps each of its columns in a property wrapper whose generic code runs
/// unspecialized and looks up type metadata under a lock at every read and write. Building one for
/// each report, reading its columns back out for the insert and freeing it was a seventh of
/// intake's work on the event loops, and intake never reads the case again. What the snapshot and
/// the clocks decide comes from `SnapshotColumns` and `ClockColumns`, as for a model.
public struct NewCaseRow: Sendable {
    public let channel: Channel
    public let description: String
    public let urgency: Urgency
    public let lat: Double?
    public let lon: Double?
    public let address: String?
    public let outsideGrids: Bool
    public let ancestry: OrgAncestry
    public let reporterName: String?
    public let reporterPhone: String?
    public let anonymous: Bool
    public let reporterUsername: String?
    public let hotlineNumber: String?
    public let hotlineTicket: String?
    public let petitionKind: PetitionKind?
    public let attributesJSON: String?
    public let createdAt: Date
    let snapshot: SnapshotColumns
    let clocks: ClockColumns
    /// After an on-the-spot resolution: the grid worker's result, also the public reply.
    let result: String?
    let lastAction: CaseAction
    public let version: Int

    public var state: CaseState { snapshot.state }
    public var categoryCode: String? { snapshot.categoryCode }
    public var gridCode: String? { ancestry.gridCode }
    /// The county whose day counter numbers the case's code: a case placed no deeper than a city
    /// counts in its city.
    var countyCode: String { ancestry.countyCode ?? ancestry.cityCode ?? "000000" }

    /// The open-case gauges it joins (through the rollup journal, `RollupJournal`); a new case is not overdue.
    var gauge: GaugeState {
        GaugeState(placeCode: ancestry.deepestCode, departmentCode: snapshot.leadDepartmentCode, state: state, overdue: false)
    }

    /// Every column of `cases` but `leftEmpty`, in the model's order, with the id the writer drew
    /// (`RowSink.nextIDs`), the code the day's counter gave, the hash of the case's last event and its query code's as stored.
    func columns(id: Int, code: String, eventHash: String?, queryCodeHash: String) -> [(name: String, value: BulkValue)] {
        [("id", .int(id)), ("code", .text(code)), ("event_hash", .text(eventHash)), ("query_code_hash", .text(queryCodeHash)), ("channel", .text(channel.rawValue)),
         ("description", .text(description)), ("category_code", .text(snapshot.categoryCode)), ("urgency", .text(urgency.rawValue)),
         ("lat", lat.map { .double($0) } ?? .null), ("lon", lon.map { .double($0) } ?? .null), ("address", .text(address)),
         ("outside_grids", .bool(outsideGrids)), ("city_code", .text(ancestry.cityCode)), ("county_code", .text(ancestry.countyCode)),
         ("township_code", .text(ancestry.townshipCode)), ("village_code", .text(ancestry.villageCode)),
         ("grid_code", .text(ancestry.gridCode)), ("reporter_name", .text(reporterName)), ("reporter_phone", .text(reporterPhone)),
         ("anonymous", .bool(anonymous)), ("reporter_username", .text(reporterUsername)), ("hotline_number", .text(hotlineNumber)),
         ("hotline_ticket", .text(hotlineTicket)), ("petition_kind", .text(petitionKind?.rawValue)),
         ("state", .text(snapshot.state.rawValue)), ("version", .int(version)), ("snapshot", .text(snapshot.json)),
         ("centre_org_code", .text(snapshot.centreOrgCode)), ("lead_department_code", .text(snapshot.leadDepartmentCode)),
         ("assigned_grid_code", .text(snapshot.assignedGridCode)), ("result", .text(result)), ("public_reply", .text(result)),
         ("rating", .text(snapshot.rating)), ("last_action", .text(lastAction.rawValue)), ("result_by", .text(snapshot.resultBy)),
         ("extension_requested", .bool(snapshot.extensionRequested)), ("returns_count", .int(snapshot.counters.returns)),
         ("reworks_count", .int(snapshot.counters.reworks)), ("reminders_count", .int(snapshot.counters.reminders)),
         ("supervisions_count", .int(snapshot.counters.supervisions)), ("created_at", .date(createdAt)), ("updated_at", .date(createdAt)),
         ("deadlines", .text(clocks.json)), ("due_at", .date(clocks.dueAt)), ("blue_at", .date(clocks.blueAt)),
         ("yellow_at", .date(clocks.yellowAt)), ("auto_escalated", .bool(false)), ("attributes", .text(attributesJSON))]
    }

    /// Columns a new case leaves empty: later steps set them.
    static let leftEmpty: Set<String> = ["master_case_id", "closed_at", "overdue_at"]
}
