// SQLite's default page cache, without the walk through all of it that ended almost every commit.
//
// When a b-tree page splits and its new siblings come out of order, SQLite swaps their page numbers
// through a spare one: the page holding the "pending byte", 1 GB into the file, never used for data
// (page 262,145 of 4 KB pages). The default cache (pcache1) remembers the largest page number it has
// ever held, and at the end of each write transaction SQLite asks it to drop the pages past the
// database's end; finding that number past the end, it walks its whole hash table, every page of
// the writer's 16 MB cache. Under intake, where each commit splits pages of a dozen indexes, that
// walk was 4% of the writer thread's time.
//
// Here each cache keeps its own bound on the page numbers it holds, leaving out the spare number
// while a page is parked there, and passes a truncate on only when a page may lie at or past the
// limit (after a rollback that gave pages back, a page fetched past the end, a cache being
// cleared). Every other call goes to the default cache unchanged. It is installed for the whole
// process before SQLite starts (`sqlite3_config` refuses afterwards), so every connection uses it.
//
// SQLite is SQLiteNIO's vendored copy (prefixed `sqlite_nio_`); its types are declared here, as in
// sqlite3.h, because that module is internal to SQLiteNIO.

#include "shims.h"

#include <stdatomic.h>
#include <stdlib.h>

typedef struct sqlite3_pcache sqlite3_pcache;
typedef struct sqlite3_pcache_page {
    void *pBuf;
    void *pExtra;
} sqlite3_pcache_page;

typedef struct sqlite3_pcache_methods2 {
    int iVersion;
    void *pArg;
    int (*xInit)(void *);
    void (*xShutdown)(void *);
    sqlite3_pcache *(*xCreate)(int szPage, int szExtra, int bPurgeable);
    void (*xCachesize)(sqlite3_pcache *, int nCachesize);
    int (*xPagecount)(sqlite3_pcache *);
    sqlite3_pcache_page *(*xFetch)(sqlite3_pcache *, unsigned key, int createFlag);
    void (*xUnpin)(sqlite3_pcache *, sqlite3_pcache_page *, int discard);
    void (*xRekey)(sqlite3_pcache *, sqlite3_pcache_page *, unsigned oldKey, unsigned newKey);
    void (*xTruncate)(sqlite3_pcache *, unsigned iLimit);
    void (*xDestroy)(sqlite3_pcache *);
    void (*xShrink)(sqlite3_pcache *);
} sqlite3_pcache_methods2;

extern int sqlite_nio_sqlite3_config(int, ...);

#define WANGGE_SQLITE_OK 0
#define WANGGE_SQLITE_CONFIG_PCACHE2 18
#define WANGGE_SQLITE_CONFIG_GETPCACHE2 19
/// SQLite's PENDING_BYTE (fixed: the vendored build is SQLITE_UNTESTABLE, which cannot move it).
#define WANGGE_PENDING_BYTE 0x40000000u

typedef struct BoundedCache {
    sqlite3_pcache *inner;
    /// The page number SQLite parks a page at while it swaps two (`balance_nonroot`).
    unsigned spare;
    /// No page in the cache has a larger number, a page parked at `spare` aside.
    unsigned highest;
    /// Pages parked at `spare` now (one during a swap, else none).
    int parked;
} BoundedCache;

static sqlite3_pcache_methods2 defaultCache;
static sqlite3_pcache_methods2 boundedCache;
static int installed;
/// For `wangge_page_cache_count`: what the caches did, since the process started.
static atomic_long counts[3];

static sqlite3_pcache *boundedCreate(int szPage, int szExtra, int bPurgeable) {
    BoundedCache *cache = calloc(1, sizeof *cache);
    if (cache == NULL) return NULL;
    cache->inner = defaultCache.xCreate(szPage, szExtra, bPurgeable);
    if (cache->inner == NULL) {
        free(cache);
        return NULL;
    }
    cache->spare = WANGGE_PENDING_BYTE / (unsigned)szPage + 1;
    return (sqlite3_pcache *)cache;
}

static void boundedCachesize(sqlite3_pcache *p, int pages) {
    defaultCache.xCachesize(((BoundedCache *)p)->inner, pages);
}

static int boundedPagecount(sqlite3_pcache *p) {
    return defaultCache.xPagecount(((BoundedCache *)p)->inner);
}

static sqlite3_pcache_page *boundedFetch(sqlite3_pcache *p, unsigned key, int createFlag) {
    BoundedCache *cache = (BoundedCache *)p;
    sqlite3_pcache_page *page = defaultCache.xFetch(cache->inner, key, createFlag);
    // A page fetched at the spare number (SQLite refuses it as the locking page) counts as any other.
    if (page != NULL && key > cache->highest) cache->highest = key;
    return page;
}

static void boundedUnpin(sqlite3_pcache *p, sqlite3_pcache_page *page, int discard) {
    defaultCache.xUnpin(((BoundedCache *)p)->inner, page, discard);
}

static void boundedRekey(sqlite3_pcache *p, sqlite3_pcache_page *page, unsigned oldKey, unsigned newKey) {
    BoundedCache *cache = (BoundedCache *)p;
    defaultCache.xRekey(cache->inner, page, oldKey, newKey);
    if (oldKey == cache->spare && cache->parked > 0) cache->parked -= 1;
    if (newKey == cache->spare) {
        cache->parked += 1;
        atomic_fetch_add_explicit(&counts[WANGGE_PAGE_CACHE_PARKED], 1, memory_order_relaxed);
    } else if (newKey > cache->highest) {
        cache->highest = newKey;
    }
}

static void boundedTruncate(sqlite3_pcache *p, unsigned limit) {
    BoundedCache *cache = (BoundedCache *)p;
    int parkedPast = cache->parked > 0 && cache->spare >= limit;
    if (cache->highest < limit && !parkedPast) {
        atomic_fetch_add_explicit(&counts[WANGGE_PAGE_CACHE_TRUNCATES_SKIPPED], 1, memory_order_relaxed);
        return;
    }
    atomic_fetch_add_explicit(&counts[WANGGE_PAGE_CACHE_TRUNCATES_PASSED], 1, memory_order_relaxed);
    defaultCache.xTruncate(cache->inner, limit);
    if (cache->highest >= limit) cache->highest = limit > 0 ? limit - 1 : 0;
    if (cache->spare >= limit) cache->parked = 0;
}

static void boundedDestroy(sqlite3_pcache *p) {
    BoundedCache *cache = (BoundedCache *)p;
    defaultCache.xDestroy(cache->inner);
    free(cache);
}

static void boundedShrink(sqlite3_pcache *p) {
    defaultCache.xShrink(((BoundedCache *)p)->inner);
}

// Before `main`, so before any connection: SQLite takes a page cache only before it initialises.
__attribute__((constructor)) static void installBoundedCache(void) {
    if (sqlite_nio_sqlite3_config(WANGGE_SQLITE_CONFIG_GETPCACHE2, &defaultCache) != WANGGE_SQLITE_OK) return;
    if (defaultCache.xCreate == NULL || defaultCache.xTruncate == NULL) return;
    boundedCache = defaultCache;
    boundedCache.xCreate = boundedCreate;
    boundedCache.xCachesize = boundedCachesize;
    boundedCache.xPagecount = boundedPagecount;
    boundedCache.xFetch = boundedFetch;
    boundedCache.xUnpin = boundedUnpin;
    boundedCache.xRekey = boundedRekey;
    boundedCache.xTruncate = boundedTruncate;
    boundedCache.xDestroy = boundedDestroy;
    boundedCache.xShrink = boundedShrink;
    installed = sqlite_nio_sqlite3_config(WANGGE_SQLITE_CONFIG_PCACHE2, &boundedCache) == WANGGE_SQLITE_OK;
}

int wangge_bounded_page_cache_installed(void) {
    return installed;
}

long wangge_page_cache_count(int what) {
    if (what < 0 || what > 2) return 0;
    return atomic_load_explicit(&counts[what], memory_order_relaxed);
}
