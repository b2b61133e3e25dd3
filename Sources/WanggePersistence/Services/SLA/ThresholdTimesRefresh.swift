import FluentKit
import Foundation
import SQLKit
import WanggeDomain

/// Each open case row keeps the moments its running clock turns blue and yellow (`blue_at`,
/// `yellow_at`), worked out when the clock starts with the warning thresholds and working calendar
/// then in force: the colour filters (`?warning=`) and the areas' counts (the overview, `/warnings`)
/// compare them with the time. A case's own colour is worked out from its clocks with those in force
/// now. So when an administrator adds a holiday or the thresholds are configured anew, the stored
/// moments are worked out again, and a list filtered by colour, the counts and each case's colour
/// agree once more. Run by the SLA sweep, which one instance at a time holds.
public struct ThresholdTimesRefresh: Sendable {
    static let basisKey = "sla.threshold_times_basis"
    static let batchSize = 500
    public let db: any Database

    public init(db: any Database) { self.db = db }

    /// What the stored moments were worked out from: the thresholds and the calendar.
    public static func basis(of sla: SLAContext) -> String {
        let t = sla.thresholds
        return SHA256Hex.of(Data("blue=\(t.blue) yellow=\(t.yellow) red=\(t.red) \(sla.calendar.basis)".utf8))
    }

    /// When to walk the open cases once more after a change (`recheck`).
    static let recheckKey = "sla.threshold_times_recheck_at"

    /// Works the moments out again for every open case if the basis changed since the last run, and
    /// once more when every instance's copy of the old basis has run out (`SLAContext.cacheLifetime`):
    /// a case registered meanwhile on another instance got its moments from that copy. Returns how many
    /// cases' moments moved; nil when nothing was walked.
    public func run(sla: SLAContext, now: Date) async throws -> Int? {
        let basis = Self.basis(of: sla)
        let settings = SettingsService(db: db)
        if try await settings.get(Self.basisKey, as: String.self) != basis {
            let moved = try await rework(sla: sla)
            try await recordBasis(of: sla, now: now)
            try await settings.set(Self.recheckKey, now.addingTimeInterval(SLAContext.cacheLifetime + 5), by: SLASweep.systemActorName, at: now)
            return moved
        }
        guard let recheck = try await settings.get(Self.recheckKey, as: Date.self), now >= recheck else { return nil }
        let moved = try await rework(sla: sla)
        try await settings.remove(Self.recheckKey)
        return moved
    }

    /// Every open case's moments worked out with `sla`, written where they differ.
    private func rework(sla: SLAContext) async throws -> Int {
        var moved = 0
        let open = try await openCaseIDs()
        for start in stride(from: 0, to: open.count, by: Self.batchSize) {
            let ids = Array(open[start..<min(start + Self.batchSize, open.count)])
            let batch = try await CaseModel.query(on: db).filter(\.$id ~~ ids)
                .field(\.$id).field(\.$deadlinesJSON).field(\.$blueAt).field(\.$yellowAt).all()
            let changes = batch.compactMap { row -> (id: Int, deadlines: String, blue: Date?, yellow: Date?)? in
                let times = CaseDeadlines(stored: row.deadlinesJSON).thresholdTimes(sla.thresholds, calendar: sla.calendar)
                guard !CaseModel.sameMoment(times?.blue, row.blueAt) || !CaseModel.sameMoment(times?.yellow, row.yellowAt) else { return nil }
                return (row.id!, row.deadlinesJSON, times?.blue, times?.yellow)
            }
            guard !changes.isEmpty else { continue }
            try await db.writeTransaction { tx in
                guard let sql = tx as? any SQLDatabase else { return }
                for change in changes {
                    // A transition since the read wrote new clocks, and their moments with them, or
                    // finished the case: left as it wrote it.
                    try await sql.update(CaseModel.schema)
                        .set("blue_at", to: change.blue).set("yellow_at", to: change.yellow)
                        .where("id", .equal, change.id).where("deadlines", .equal, change.deadlines)
                        .where("state", .in, CaseState.openStates.map(\.rawValue))
                        .run()
                }
            }
            moved += changes.count
        }
        return moved
    }

    /// Records that every open case's moments were worked out with `sla`, as a bulk load does while it
    /// writes the cases: the first sweep after it then has nothing to walk.
    public func recordBasis(of sla: SLAContext, now: Date) async throws {
        try await SettingsService(db: db).set(Self.basisKey, Self.basis(of: sla), by: SLASweep.systemActorName, at: now)
    }

    /// Every open case's id, from the open cases' own index (migration 019): walking the cases by
    /// id for the open ones read the whole file at a million cases (13 s).
    private func openCaseIDs() async throws -> [Int] {
        guard let sql = db as? any SQLDatabase else { return [] }
        let rows = try await sql.raw("SELECT \(ident: "id") FROM \(ident: CaseModel.schema) WHERE \(unsafeRaw: IndexOpenCaseWarnings.open)").all()
        return try rows.map { try $0.decode(column: "id", as: Int.self) }.sorted()
    }
}
