#ifndef WANGGE_SQLITE_OPTIONS_H
#define WANGGE_SQLITE_OPTIONS_H

/// Turns on SQLite's query planner stability guarantee for one connection (a `sqlite3 *`).
/// Returns SQLite's result code.
int wangge_sqlite_enable_stable_plans(void *db);

#endif
