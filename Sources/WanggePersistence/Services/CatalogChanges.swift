import Synchronization

/// Counts this process's changes to the names pages show beside codes (units, departments, categories),
/// so in-memory copies of them know at once that they are out of date.
public enum CatalogChanges {
    private static let counter = Atomic<Int>(0)

    public static var generation: Int { counter.load(ordering: .acquiring) }

    /// Called after a change has committed.
    static func note() {
        counter.add(1, ordering: .releasing)
    }
}
