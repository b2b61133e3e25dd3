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

    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    func get(_ load: @escaping @Sendable (_ previous: Value?) async throws -> Value) async throws -> Value {
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
        }
        return loaded
    }

    func invalidate() {
        value = nil
        loading = nil
        generation += 1
    }
}
