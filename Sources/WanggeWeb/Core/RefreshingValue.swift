import Foundation

/// A value read from the database, kept in memory for `lifetime` and then loaded again. Callers
/// that arrive while a load is under way wait for it instead of each starting their own (32
/// reports at start-up once built 32 grid indexes). The load gets the previous value, so it can
/// keep it when a cheap fingerprint shows nothing changed. `invalidate` (this instance changed the
/// source) drops the value at once, and a load that started before it is not kept; other
/// instances see the change within `lifetime`.
actor RefreshingValue<Value: Sendable> {
    private var value: Value?
    private var freshUntil = ContinuousClock.now
    private var loading: Task<Value, any Error>?
    private var generation = 0
    private let lifetime: Duration
    /// The value while it is fresh, read without entering the actor. Nearly every caller only reads
    /// it, and entering the actor and leaving it again is two task switches; a case page asked twice.
    private nonisolated let fresh = FreshValue<Value>()

    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    nonisolated func get(_ load: @escaping @Sendable (_ previous: Value?) async throws -> Value) async throws -> Value {
        if let value = fresh.read() { return value }
        return try await refresh(load)
    }

    private func refresh(_ load: @escaping @Sendable (_ previous: Value?) async throws -> Value) async throws -> Value {
        if let value, ContinuousClock.now < freshUntil { return value }
        if let loading { return try await loading.value }
        let started = generation
        let task = Task { [value] in try await load(value) }
        loading = task
        defer { if loading == task { loading = nil } }
        let loaded = try await task.value
        if started == generation {
            value = loaded
            freshUntil = ContinuousClock.now + lifetime
            fresh.keep(loaded, until: freshUntil)
        }
        return loaded
    }

    func invalidate() {
        fresh.drop()
        value = nil
        loading = nil
        generation += 1
    }
}

/// A value and the moment it goes stale, behind a lock.
private final class FreshValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?
    private var until = ContinuousClock.now

    func read() -> Value? {
        lock.withLock { ContinuousClock.now < until ? value : nil }
    }

    func keep(_ value: Value, until: ContinuousClock.Instant) {
        lock.withLock { (self.value, self.until) = (value, until) }
    }

    func drop() {
        lock.withLock { value = nil }
    }
}
