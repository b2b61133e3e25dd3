import FluentKit
import Foundation
import WanggeDomain

/// A case (事件). Integer ids keep keyset paging and joins cheap at tens of millions of rows.
/// The ancestor codes of its place are stored on the row, like on org units, so "cases in this
/// township" is one indexed equality.
public final class CaseModel: PlacedInTree, @unchecked Sendable {
    public static let schema = "cases"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Column(key: "code") public var code: String
    @Column(key: "query_code_hash") public var queryCodeHash: String
    @Column(key: "channel") public var channel: String
    @Column(key: "description") public var description: String
    @Column(key: "category_code") public var categoryCode: String?
    @Column(key: "urgency") public var urgency: String
    @Column(key: "lat") public var lat: Double?
    @Column(key: "lon") public var lon: Double?
    @Column(key: "address") public var address: String?
    @Column(key: "outside_grids") public var outsideGrids: Bool
    @Column(key: "city_code") public var cityCode: String?
    @Column(key: "county_code") public var countyCode: String?
    @Column(key: "township_code") public var townshipCode: String?
    @Column(key: "village_code") public var villageCode: String?
    @Column(key: "grid_code") public var gridCode: String?
    @Column(key: "reporter_name") public var reporterName: String?
    @Column(key: "reporter_phone") public var reporterPhone: String?
    @Column(key: "anonymous") public var anonymous: Bool
    @Column(key: "reporter_username") public var reporterUsername: String?
    @Column(key: "hotline_number") public var hotlineNumber: String?
    @Column(key: "hotline_ticket") public var hotlineTicket: String?
    @Column(key: "petition_kind") public var petitionKind: String?
    @Column(key: "state") public var state: String
    @Column(key: "version") public var version: Int
    /// The whole `CaseSnapshot` as JSON: the rules' view of the case, rebuilt exactly by replaying events.
    @Column(key: "snapshot") public var snapshotJSON: String
    @Column(key: "centre_org_code") public var centreOrgCode: String
    @Column(key: "lead_department_code") public var leadDepartmentCode: String?
    @Column(key: "assigned_grid_code") public var assignedGridCode: String?
    @Column(key: "result") public var result: String?
    @Column(key: "public_reply") public var publicReply: String?
    @Column(key: "rating") public var rating: String?
    @Column(key: "master_case_id") public var masterCaseID: Int?
    @Column(key: "last_action") public var lastAction: String
    @Column(key: "result_by") public var resultBy: String?
    @Column(key: "extension_requested") public var extensionRequested: Bool
    @Column(key: "returns_count") public var returnsCount: Int
    @Column(key: "reworks_count") public var reworksCount: Int
    @Column(key: "reminders_count") public var remindersCount: Int
    @Column(key: "supervisions_count") public var supervisionsCount: Int
    @Column(key: "created_at") public var createdAt: Date
    @Column(key: "updated_at") public var updatedAt: Date
    @Column(key: "closed_at") public var closedAt: Date?
    @Column(key: "deadlines") public var deadlinesJSON: String
    /// When the running clock runs out, and when it turns blue and yellow (for colour filters).
    @Column(key: "due_at") public var dueAt: Date?
    @Column(key: "blue_at") public var blueAt: Date?
    @Column(key: "yellow_at") public var yellowAt: Date?
    /// Set by the sweep when the red lamp lit; reset when a new clock starts.
    @Column(key: "overdue_at") public var overdueAt: Date?
    @Column(key: "auto_escalated") public var autoEscalated: Bool
    /// Values of the category's extra fields (JSON of `[String: [String]]`).
    @Column(key: "attributes") public var attributesJSON: String?
    /// The hash of the latest event: the head of the case's chain.
    @Column(key: "event_hash") public var eventHash: String?

    /// Not columns: read beside the row when the case is loaded to act on (`CaseTransitionService.load`),
    /// so its step need not ask for its last event number, nor its answer for its photos when it has
    /// none; nil when not read. A step keeps them true for the row it writes.
    public var photoCount: Int?
    public var lastEventSeq: Int?

    public init() {}

    public var caseState: CaseState { CaseState(rawValue: state) ?? .reported }
    public var caseChannel: Channel { Channel(rawValue: channel) ?? .citizen }

    public var ancestry: OrgAncestry {
        get { placeColumns }
        set { placeColumns = newValue }
    }

    /// The clocks `deadlinesJSON` holds: those `setDeadlines` stored last while the column still holds their text
    /// (the answer to an action reads them just after its step; decoding them again was a hundredth of its CPU).
    public var deadlines: CaseDeadlines {
        if let kept = storedDeadlines, kept.json == deadlinesJSON { return kept.clocks }
        return CaseDeadlines(stored: deadlinesJSON)
    }

    private var storedDeadlines: (json: String, clocks: CaseDeadlines)?

    /// Stores the clocks and the times the running one turns blue, yellow and red.
    public func setDeadlines(_ deadlines: CaseDeadlines, thresholds: WarningThresholds, calendar: WorkingCalendar) throws {
        let previousDue = dueAt
        let columns = try ClockColumns(deadlines, open: caseState.isOpen, thresholds: thresholds, calendar: calendar)
        deadlinesJSON = columns.json
        storedDeadlines = (columns.json, deadlines)
        dueAt = columns.dueAt
        blueAt = columns.blueAt
        yellowAt = columns.yellowAt
        // A new running clock puts the red lamp out until that clock runs out too. The same deadline
        // read back from this row's column and from its stored clocks can differ in the last bits of
        // its fraction of a second (two floating-point forms): taken for a new clock, the sweep's own
        // mark put its lamp out and the case was marked overdue again every sweep.
        if !Self.sameMoment(dueAt, previousDue) { overdueAt = nil }
    }

    /// Two stored times are one moment if they are within a millisecond (or both absent).
    static func sameMoment(_ a: Date?, _ b: Date?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (a?, b?): abs(a.timeIntervalSince(b)) < 0.001
        default: false
        }
    }

    public var snapshot: CaseSnapshot {
        get throws { try Self.snapshot(json: snapshotJSON) }
    }

    /// How the snapshot and clocks columns are written (read back by `TapeJSONDecoder`).
    private static let storedJSON = StreamingJSONEncoder(dates: .secondsSinceReferenceDate)

    /// A value as the snapshot and clocks columns hold it: intake, transitions and the generator write them so.
    public static func stored(_ value: some Encodable) throws -> String {
        String(decoding: try storedJSON.encode(value), as: UTF8.self)
    }

    /// The rules' view of a case as stored in its `snapshot` column.
    public static func snapshot(json: String) throws -> CaseSnapshot {
        try TapeJSONDecoder().decode(CaseSnapshot.self, from: json)
    }

    /// Copies the rules' view onto the row's queryable columns.
    public func setSnapshot(_ snapshot: CaseSnapshot) throws {
        let columns = try SnapshotColumns(snapshot)
        snapshotJSON = columns.json
        state = columns.state.rawValue
        centreOrgCode = columns.centreOrgCode
        categoryCode = columns.categoryCode
        leadDepartmentCode = columns.leadDepartmentCode
        assignedGridCode = columns.assignedGridCode
        rating = columns.rating
        resultBy = columns.resultBy
        extensionRequested = columns.extensionRequested
        returnsCount = columns.counters.returns
        reworksCount = columns.counters.reworks
        remindersCount = columns.counters.reminders
        supervisionsCount = columns.counters.supervisions
    }

    /// Fluent would find these by reflection on every row it reads (`Mirror`, most of a read
    /// request's time); listed here in declaration order (a test compares the two).
    public var properties: [any AnyProperty] {
        [_id, _code, _queryCodeHash, _channel, _description, _categoryCode, _urgency, _lat, _lon, _address, _outsideGrids,
         _cityCode, _countyCode, _townshipCode, _villageCode, _gridCode, _reporterName, _reporterPhone, _anonymous,
         _reporterUsername, _hotlineNumber, _hotlineTicket, _petitionKind, _state, _version, _snapshotJSON, _centreOrgCode,
         _leadDepartmentCode, _assignedGridCode, _result, _publicReply, _rating, _masterCaseID, _lastAction, _resultBy,
         _extensionRequested, _returnsCount, _reworksCount, _remindersCount, _supervisionsCount, _createdAt, _updatedAt,
         _closedAt, _deadlinesJSON, _dueAt, _blueAt, _yellowAt, _overdueAt, _autoEscalated, _attributesJSON, _eventHash]
    }
}

/// Co-handling departments of a case (协办), for the departments' queues.
public final class CaseDepartmentModel: Model, @unchecked Sendable {
    public static let schema = "case_departments"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "case_id") public var caseID: Int
    @Field(key: "department_code") public var departmentCode: String
    @Field(key: "lead") public var lead: Bool

    public init() {}

    public init(caseID: Int, departmentCode: String, lead: Bool) {
        self.caseID = caseID
        self.departmentCode = departmentCode
        self.lead = lead
    }
}

extension CaseDeadlines {
    /// The clocks as a case row stores them (`deadlines`); none when unreadable.
    public init(stored json: String) {
        self = (try? TapeJSONDecoder().decode(CaseDeadlines.self, from: json)) ?? CaseDeadlines()
    }
}
