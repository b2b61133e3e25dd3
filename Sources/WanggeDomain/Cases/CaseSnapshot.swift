/// The state of a case that the loop's rules read and write. The database row holds the same fields;
/// replaying a case's event log through `CaseMachine.apply` rebuilds this value exactly.
public struct CaseSnapshot: Sendable, Equatable, Codable {
    public var state: CaseState
    /// The unit whose centre (dispatchers) owns the case; escalation and push-down move it.
    public var centreOrgCode: String
    public var gridCode: String?
    public var categoryCode: String?
    public var reporterUsername: String?
    /// Where it was dispatched: a lead department with co-handlers, or a grid.
    public var leadDepartmentCode: String?
    public var coDepartmentCodes: [String] = []
    public var assignedGridCode: String?
    /// Who accepted it, and who submitted the result (that person may not verify it).
    public var handlerUsername: String?
    public var resultBy: String?
    public var resolvedOnSpot = false
    public var rating: Rating?
    public var masterCode: String?
    public var extensionRequested = false
    public var requestedExtensionHours: Int?
    public var extensionsGranted = 0
    public var extensionHoursGranted = 0
    public var escalationRequested = false
    public var counters = Counters()

    public struct Counters: Sendable, Equatable, Codable {
        public var returns = 0
        public var reworks = 0
        public var reminders = 0
        public var supervisions = 0
        public var reopens = 0
        public var escalations = 0
        public var pushDowns = 0
        public var merged = 0
        public init() {}
    }

    public init(state: CaseState = .reported, centreOrgCode: String, gridCode: String? = nil, categoryCode: String? = nil,
                reporterUsername: String? = nil) {
        self.state = state
        self.centreOrgCode = centreOrgCode
        self.gridCode = gridCode
        self.categoryCode = categoryCode
        self.reporterUsername = reporterUsername
    }

    public var isAssigned: Bool { leadDepartmentCode != nil || assignedGridCode != nil }
}

/// One action with its parameters, exactly as stored in the event log.
public struct CaseCommand: Sendable, Equatable, Codable {
    public var action: CaseAction
    public var note: String?
    public var categoryCode: String?
    public var departmentCode: String?
    public var coDepartmentCodes: [String]?
    public var gridCode: String?
    /// Escalation / push-down target, resolved by the service before `apply`.
    public var targetOrgCode: String?
    public var masterCode: String?
    public var rating: Rating?
    public var result: String?
    public var extensionHours: Int?

    public init(_ action: CaseAction, note: String? = nil, categoryCode: String? = nil, departmentCode: String? = nil,
                coDepartmentCodes: [String]? = nil, gridCode: String? = nil, targetOrgCode: String? = nil,
                masterCode: String? = nil, rating: Rating? = nil, result: String? = nil, extensionHours: Int? = nil) {
        self.action = action
        self.note = note
        self.categoryCode = categoryCode
        self.departmentCode = departmentCode
        self.coDepartmentCodes = coDepartmentCodes
        self.gridCode = gridCode
        self.targetOrgCode = targetOrgCode
        self.masterCode = masterCode
        self.rating = rating
        self.result = result
        self.extensionHours = extensionHours
    }
}

/// How the acting person stands to this case, worked out by the service from roles and assignments.
public struct CaseRelation: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// A dispatcher whose area holds the case's centre.
    public static let dispatcherInCharge = CaseRelation(rawValue: 1 << 0)
    /// A leader whose area holds the case.
    public static let leader = CaseRelation(rawValue: 1 << 1)
    /// A handler of the lead department.
    public static let leadHandler = CaseRelation(rawValue: 1 << 2)
    /// A handler of a co-handling department.
    public static let coHandler = CaseRelation(rawValue: 1 << 3)
    /// A grid worker of the grid the case was dispatched to.
    public static let assignedGridWorker = CaseRelation(rawValue: 1 << 4)
    /// A grid worker of the grid where the case is.
    public static let caseGridWorker = CaseRelation(rawValue: 1 << 5)
    /// A grid worker of another grid of the same village (verifies on-the-spot resolutions).
    public static let villageGridWorker = CaseRelation(rawValue: 1 << 6)
    /// The person who reported it (signed in, or holding the query code).
    public static let reporter = CaseRelation(rawValue: 1 << 7)
    /// The person who submitted the result.
    public static let resultAuthor = CaseRelation(rawValue: 1 << 8)
    /// Anyone else who may read the case (e.g. a dispatcher of the area when the centre moved up).
    public static let viewer = CaseRelation(rawValue: 1 << 9)

    public static let assignee: CaseRelation = [.leadHandler, .assignedGridWorker]
    public var canRead: Bool { !isEmpty }
}
