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

/// An upper bound on what `wangge_deflate_blocks` writes for `length` bytes.
size_t wangge_deflate_blocks_bound(size_t length);

/// Compresses `length` bytes as raw deflate blocks that end on a byte boundary, none marked the last,
/// so that they can stand inside another stream (`wangge_gzip_pieces`); sets `*crc` to the bytes'
/// CRC-32. Returns the bytes written, or 0 when `capacity` was too small or zlib failed.
size_t wangge_deflate_blocks(const uint8_t *bytes, size_t length, uint8_t *out, size_t capacity, int level, uint32_t *crc);

/// A stretch of a gzip member: `length` bytes of `text` to compress now, or (when `blocks` is not
/// NULL) a text of `length` bytes and CRC-32 `crc` compressed before by `wangge_deflate_blocks`.
typedef struct {
    const uint8_t *text;
    size_t length;
    const uint8_t *blocks;
    size_t blocks_length;
    uint32_t crc;
} wangge_gzip_piece;

/// An upper bound on what `wangge_gzip_pieces` writes for these pieces.
size_t wangge_gzip_pieces_bound(const wangge_gzip_piece *pieces, size_t count);

/// One gzip member of the pieces in order: the texts compressed at zlib's `level`, the blocks copied
/// as they are. Returns the bytes written, or 0 when `capacity` was too small or zlib failed.
size_t wangge_gzip_pieces(const wangge_gzip_piece *pieces, size_t count, uint8_t *out, size_t capacity, int level);

/// Where `text` (a page's mark for a carried text) first lies in `body`, or -1.
long wangge_find_text(const uint8_t *body, size_t body_length, const uint8_t *text, size_t text_length);

#endif
