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

/// Names the calling thread as `top`, `ps -L` and `perf` show it (at most 15 bytes are kept).
void wangge_name_this_thread(const char *name);

/// An upper bound on what `wangge_gzip` writes for `length` bytes.
size_t wangge_gzip_bound(size_t length);

/// Compresses `length` bytes into `out` as one gzip member (RFC 1952) at zlib's `level` (1–9).
/// Returns the bytes written, or 0 when `capacity` was too small or zlib failed.
size_t wangge_gzip(const uint8_t *bytes, size_t length, uint8_t *out, size_t capacity, int level);

#endif
