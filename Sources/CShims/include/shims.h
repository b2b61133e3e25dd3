#ifndef WANGGE_SHIMS_H
#define WANGGE_SHIMS_H

#include <stddef.h>
#include <stdint.h>

/// Turns on SQLite's query planner stability guarantee for one connection (a `sqlite3 *`).
/// Returns SQLite's result code.
int wangge_sqlite_enable_stable_plans(void *db);

/// Tells glibc's allocator to keep freed memory for reuse instead of returning it to the kernel
/// (large blocks up to `keep_bytes` come from the heap, and the heap is not trimmed below it).
void wangge_keep_freed_memory(int keep_bytes);

/// Registers (once) the VFS that writes a commit's log frames with one `pwrite` (batched_wal_vfs.c)
/// and returns its name for `sqlite3_open_v2`; NULL when SQLite has no default VFS to wrap.
/// Call after `sqlite3_initialize`.
const char *wangge_batched_wal_vfs(void);

/// Whether SQLite's page caches are the bounded ones of page_cache.c (installed before `main`), which
/// spare a commit the walk through the whole cache that the default one makes after a page swap.
int wangge_bounded_page_cache_installed(void);

#define WANGGE_PAGE_CACHE_TRUNCATES_SKIPPED 0
#define WANGGE_PAGE_CACHE_TRUNCATES_PASSED 1
#define WANGGE_PAGE_CACHE_PARKED 2

/// Since the process started, across the bounded page caches: truncates skipped because no page could
/// lie past the limit, truncates passed to SQLite's own cache, pages parked at the spare number.
long wangge_page_cache_count(int what);

/// Names the calling thread as `top`, `ps -L` and `perf` show it (at most 15 bytes are kept).
void wangge_name_this_thread(const char *name);

/// Sets the calling thread's nice value (Linux keeps one per thread); 0 on success, else -1.
int wangge_nice_this_thread(int nice);

/// An upper bound on what `wangge_gzip` writes for `length` bytes.
size_t wangge_gzip_bound(size_t length);

/// Compresses `length` bytes into `out` as one gzip member (RFC 1952) at zlib's `level` (1–9).
/// Returns the bytes written, or 0 when `capacity` was too small or zlib failed.
size_t wangge_gzip(const uint8_t *bytes, size_t length, uint8_t *out, size_t capacity, int level);

#endif
