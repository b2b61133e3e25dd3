import Foundation

/// A value read from the database, kept in memory for `lifetime` and then loaded again. Callers
/// that arrive while a load is under way wait for it instead of each starting their own (32
/// reports at start-up once built 32 grid indexes). The load gets the previous value, so it can
/// keep it when a cheap fingerprint shows nothing changed. `invalidate` (this instance changed the
/// source) drops the value at once, and a load that started before it is not kept; other
/// instances see the change within `lifetime`.
actor RefreshingValue<Value: Sendable> {
    private var loading: Task<Value, any Error>?
    private var generation = 0
    private let lifetime: Duration
    /// The value and until when it is fresh, kept behind a lock so that it is read without entering the
    /// actor. Nearly every caller only reads it, and entering the actor and leaving it again is two task
    /// switches; a case page asked twice. The actor only loads.
    private nonisolated let kept = KeptValue<Value>()

    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    nonisolated func get(_ load: @escaping @Sendable (_ previous: Value?) async throws -> Value) async throws -> Value {
        if let value = kept.fresh() { return value }
        return try await refresh(load)
    }

    private func refresh(_ load: @escaping @Sendable (_ previous: Value?) async throws -> Value) async throws -> Value {
        if let value = kept.fresh() { return value }
        if let loading { return try await loading.value }
        let started = generation
        let previous = kept.last
        let task = Task { try await load(previous) }
        loading = task
        defer { if loading == task { loading = nil } }
        let loaded = try await task.value
        if started == generation { kept.keep(loaded, until: ContinuousClock.now + lifetime) }
        return loaded
    }

    func invalidate() {
        kept.drop()
        loading = nil
        generation += 1
    }
}

/// A value and the moment it goes stale, behind a lock.
private final class KeptValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?
    private var until = ContinuousClock.now

    /// The value while it is fresh.
    func fresh() -> Value? {
        lock.withLock { ContinuousClock.now < until ? value : nil }
    }

    /// The value, fresh or stale, for the next load to compare with.
    var last: Value? {
        lock.withLock { value }
    }

    func keep(_ value: Value, until: ContinuousClock.Instant) {
        lock.withLock { (self.value, self.until) = (value, until) }
    }

    func drop() {
        lock.withLock { value = nil }
    }
}
