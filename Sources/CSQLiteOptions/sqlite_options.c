#include "sqlite_options.h"

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
