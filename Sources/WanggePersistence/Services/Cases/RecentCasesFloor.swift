import Foundation
import Synchronization

/// The smallest id of the cases created since a moment, kept between requests for the duplicate hints'
/// window (`CaseQueryService.duplicateHints`), on SQLite only. Reading it walks the window's (created_at,
/// id) entries: 3 ms of a dispatcher's case page or staff report with 77,000 cases in the week, 0.25 ms at
/// a million cases.
///
/// A floor read for an earlier start still bounds a later window: every case created since the later
/// start was either there when the floor was read (created since the earlier start too, so its id is at
/// or above the floor) or written after it, and SQLite's one writer gives each new case an id above every
/// id already there (the highest plus one; no case is ever deleted). (On PostgreSQL a sequence's ids can commit out of order, so it reads the floor each
/// time.) A kept floor is read again once the window's start has moved on an hour, so the walk it
/// bounds stays about as short.
public final class RecentCasesFloor: Sendable {
    private let kept = Mutex<(since: Date, firstID: Int)?>(nil)
    static let refreshAfter: TimeInterval = 3600

    public init() {}

    /// The kept floor when it bounds the window from `since`, or else `read()`'s, kept.
    func firstID(since: Date, read: () async throws -> Int?) async throws -> Int? {
        if let kept = kept.withLock({ $0 }), kept.since <= since, since.timeIntervalSince(kept.since) < Self.refreshAfter {
            return kept.firstID
        }
        guard let found = try await read() else { return nil }
        kept.withLock { $0 = (since, found) }
        return found
    }
}
