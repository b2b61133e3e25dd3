import Fluent
import Foundation
import Vapor
import WanggeDomain
import WanggePersistence

struct NotifierKey: StorageKey {
    typealias Value = any Notifier
}

struct SLAContextCacheKey: StorageKey {
    typealias Value = RefreshingValue<SLAContext>
}

struct InstanceIDKey: StorageKey {
    typealias Value = String
}

extension Application {
    /// Where notices go besides the in-app inbox; a log file until an SMS gateway is wired in.
    var notifier: any Notifier {
        get { storage[NotifierKey.self] ?? LogFileNotifier(path: (wanggeConfig.dataDirectory as NSString).appendingPathComponent("notifications.log")) }
        set { storage[NotifierKey.self] = newValue }
    }

    /// Identifies this process in the sweep's lease.
    var instanceID: String {
        stored(InstanceIDKey.self, orMake: "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
    }

    /// The calendar and rules change a few times a year: kept in memory for a minute (so another
    /// instance's change arrives within a minute) and dropped at once when this instance changes them.
    func slaContext(on db: any Database) async throws -> SLAContext {
        try await slaCache.get { _ in try await self.freshSLAContext(on: db) }
    }

    /// Read from the database now, over this instance's configured time zone and default thresholds.
    func freshSLAContext(on db: any Database) async throws -> SLAContext {
        try await SLAContext.load(on: db, timeZone: wanggeConfig.timeZone, thresholds: wanggeConfig.warningThresholds)
    }

    func invalidateSLAContext() async { await slaCache.invalidate() }

    var slaCache: RefreshingValue<SLAContext> {
        // configure(_:) creates it; without it, every call simply loads afresh.
        storage[SLAContextCacheKey.self] ?? RefreshingValue(lifetime: .zero)
    }

    /// The sweep reads the calendar, rules and thresholds afresh, not from the minute's cache: the
    /// instance holding it may not be the one an administrator just changed them on, and a stale copy
    /// would store every open case's warning moments by the old ones until the cache ran out.
    func sweep(now: Date) async throws -> SLASweep.Report {
        let sweep = SLASweep(db: db, instanceID: instanceID, escalateAfter: wanggeConfig.escalateAfter,
                             leaseSeconds: max(5, wanggeConfig.sweepInterval - 5))
        return try await sweep.tick(now: now, sla: freshSLAContext(on: db), notifier: notifier)
    }
}

extension Request {
    func sla() async throws -> SLAContext { try await application.slaContext(on: database) }
}
