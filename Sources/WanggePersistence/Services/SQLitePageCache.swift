import CShims

/// SQLite's page cache as this process runs it (`Sources/CShims/page_cache.c`): the default one, but a
/// commit no longer walks the whole writer's cache after a b-tree split swapped two pages' numbers.
public enum SQLitePageCache {
    /// Whether every connection of this process uses the bounded cache (installed before `main`).
    public static var isBounded: Bool { wangge_bounded_page_cache_installed() != 0 }

    /// What the bounded caches have done since the process started.
    public struct Counts: Sendable, Equatable {
        /// Truncates (one ends every write transaction) that no page could lie past, so not passed on.
        public let truncatesSkipped: Int
        /// Truncates passed to SQLite's own cache (after a rollback that gave pages back, a cache cleared).
        public let truncatesPassed: Int
        /// Pages parked at the spare page number while a b-tree split swapped two.
        public let parked: Int
    }

    public static var counts: Counts {
        Counts(truncatesSkipped: wangge_page_cache_count(WANGGE_PAGE_CACHE_TRUNCATES_SKIPPED),
               truncatesPassed: wangge_page_cache_count(WANGGE_PAGE_CACHE_TRUNCATES_PASSED),
               parked: wangge_page_cache_count(WANGGE_PAGE_CACHE_PARKED))
    }
}
