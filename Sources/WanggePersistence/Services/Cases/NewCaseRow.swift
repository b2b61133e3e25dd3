import Foundation
import WanggeDomain

/// A new case's row as intake writes it: plain values, without a Fluent model.
///
/// A `CaseModel` keeps each of its columns in a property wrapper whose generic code runs
/// unspecialized and looks up type metadata under a lock at every read and write. Building one for
/// each report, reading its columns back out for the insert and freeing it was a seventh of
/// intake's work on the event loops, and intake never reads the case again. What the snapshot and
/// the clocks decide comes from `SnapshotColumns` and `ClockColumns`, as for a model.
///
/// A class: the report, its pending write, its result and the writer each held a copy of its two dozen
/// fields, retained and released one by one (0.6% of the server's samples under intake, some on the one writer).
public final class NewCaseRow: Sendable {
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

    init(channel: Channel, description: String, urgency: Urgency, lat: Double?, lon: Double?, address: String?, outsideGrids: Bool,
         ancestry: OrgAncestry, reporterName: String?, reporterPhone: String?, anonymous: Bool, reporterUsername: String?,
         hotlineNumber: String?, hotlineTicket: String?, petitionKind: PetitionKind?, attributesJSON: String?, createdAt: Date,
         snapshot: SnapshotColumns, clocks: ClockColumns, result: String?, lastAction: CaseAction, version: Int) {
        (self.channel, self.description, self.urgency, self.lat, self.lon) = (channel, description, urgency, lat, lon)
        (self.address, self.outsideGrids, self.ancestry) = (address, outsideGrids, ancestry)
        (self.reporterName, self.reporterPhone, self.anonymous, self.reporterUsername) = (reporterName, reporterPhone, anonymous, reporterUsername)
        (self.hotlineNumber, self.hotlineTicket, self.petitionKind, self.attributesJSON) = (hotlineNumber, hotlineTicket, petitionKind, attributesJSON)
        (self.createdAt, self.snapshot, self.clocks, self.result, self.lastAction, self.version) = (createdAt, snapshot, clocks, result, lastAction, version)
    }

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
    func columns(id: Int, code: String, eventHash: String?, queryCodeHash: String, into rows: inout FlatRows) {
        rows.startRow()
        rows.add("id", .int(id))
        rows.add("code", .text(code))
        rows.add("event_hash", .text(eventHash))
        rows.add("query_code_hash", .text(queryCodeHash))
        rows.add("channel", .text(channel.rawValue))
        rows.add("description", .text(description))
        rows.add("category_code", .text(snapshot.categoryCode))
        rows.add("urgency", .text(urgency.rawValue))
        rows.add("lat", lat.map { .double($0) } ?? .null)
        rows.add("lon", lon.map { .double($0) } ?? .null)
        rows.add("address", .text(address))
        rows.add("outside_grids", .bool(outsideGrids))
        rows.add("city_code", .text(ancestry.cityCode))
        rows.add("county_code", .text(ancestry.countyCode))
        rows.add("township_code", .text(ancestry.townshipCode))
        rows.add("village_code", .text(ancestry.villageCode))
        rows.add("grid_code", .text(ancestry.gridCode))
        rows.add("reporter_name", .text(reporterName))
        rows.add("reporter_phone", .text(reporterPhone))
        rows.add("anonymous", .bool(anonymous))
        rows.add("reporter_username", .text(reporterUsername))
        rows.add("hotline_number", .text(hotlineNumber))
        rows.add("hotline_ticket", .text(hotlineTicket))
        rows.add("petition_kind", .text(petitionKind?.rawValue))
        rows.add("state", .text(snapshot.state.rawValue))
        rows.add("version", .int(version))
        rows.add("snapshot", .text(snapshot.json))
        rows.add("centre_org_code", .text(snapshot.centreOrgCode))
        rows.add("lead_department_code", .text(snapshot.leadDepartmentCode))
        rows.add("assigned_grid_code", .text(snapshot.assignedGridCode))
        rows.add("result", .text(result))
        rows.add("public_reply", .text(result))
        rows.add("rating", .text(snapshot.rating))
        rows.add("last_action", .text(lastAction.rawValue))
        rows.add("result_by", .text(snapshot.resultBy))
        rows.add("extension_requested", .bool(snapshot.extensionRequested))
        rows.add("returns_count", .int(snapshot.counters.returns))
        rows.add("reworks_count", .int(snapshot.counters.reworks))
        rows.add("reminders_count", .int(snapshot.counters.reminders))
        rows.add("supervisions_count", .int(snapshot.counters.supervisions))
        rows.add("created_at", .date(createdAt))
        rows.add("updated_at", .date(createdAt))
        rows.add("deadlines", .text(clocks.json))
        rows.add("due_at", .date(clocks.dueAt))
        rows.add("blue_at", .date(clocks.blueAt))
        rows.add("yellow_at", .date(clocks.yellowAt))
        rows.add("auto_escalated", .bool(false))
        rows.add("attributes", .text(attributesJSON))
    }

    /// The same columns as (name, value) pairs.
    func columns(id: Int, code: String, eventHash: String?, queryCodeHash: String) -> [(name: String, value: BulkValue)] {
        var rows = FlatRows()
        columns(id: id, code: code, eventHash: eventHash, queryCodeHash: queryCodeHash, into: &rows)
        return rows.pairs
    }

    /// Columns a new case leaves empty: later steps set them.
    static let leftEmpty: Set<String> = ["master_case_id", "closed_at", "overdue_at"]
}
