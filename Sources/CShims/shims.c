#define _GNU_SOURCE
#include "shims.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <string.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// SQLite's `sqlite3_db_config` is variadic, which Swift cannot call, so this one call is made in C.
// The function is SQLiteNIO's vendored SQLite (prefixed `sqlite_nio_`), linked into the same binary;
// it is declared here rather than included because that module is internal to SQLiteNIO.
extern int sqlite_nio_sqlite3_db_config(void *db, int op, ...);

// SQLITE_DBCONFIG_ENABLE_QPSG in sqlite3.h.
#define WANGGE_DBCONFIG_ENABLE_QPSG 1007

int wangge_sqlite_enable_stable_plans(void *db) {
    int enabled = 0;
    return sqlite_nio_sqlite3_db_config(db, WANGGE_DBCONFIG_ENABLE_QPSG, 1, &enabled);
}

// <malloc.h> is not part of Swift's Glibc module.
void wangge_keep_freed_memory(int keep_bytes) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, keep_bytes);
    mallopt(M_TRIM_THRESHOLD, keep_bytes);
#endif
}

// Linux keeps a nice value per thread, found by its thread id (`gettid`, through `syscall`: variadic to Swift).
int wangge_nice_this_thread(int nice) {
#if defined(__linux__)
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
#else
    return -1;
#endif
}

// `pthread_setname_np` needs _GNU_SOURCE, which Swift's Glibc module is not built with.
void wangge_name_this_thread(const char *name) {
#if defined(__linux__)
    char short_name[16];
    strncpy(short_name, name, sizeof short_name - 1);
    short_name[sizeof short_name - 1] = 0;
    pthread_setname_np(pthread_self(), short_name);
#endif
}
