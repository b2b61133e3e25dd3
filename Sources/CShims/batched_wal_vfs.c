// A SQLite VFS that writes each commit's log frames with one `pwrite` instead of two per frame.
//
// SQLite appends a frame to the write-ahead log as two writes: its 24-byte header, then the page.
// A frame is 4,120 bytes, so the page straddles two of the file's pages, and each commit of a group
// of reports made about 3 pages' worth of kernel work per frame in the write path (a fifth of the
// writer thread's time). Here the frames a write transaction appends are gathered and written out
// (anything it writes again, a page changed twice or the checksums SQLite redoes after the commit
// frame, goes straight to the file, so its error reaches SQLite):
// - when a commit frame is complete (its header's "database size" field is non-zero), inside that
//   write, so the commit returns any error and a report acknowledged with 201 is in the file as
//   before (`kill -9` keeps it);
// - before anything else touches the log through this connection (a read, a sync, a size,
//   a truncate, closing), so SQLite never sees a log that lacks its own writes;
// - before the connection takes or releases a lock on the log's shared index, or publishes it
//   (`xShmLock`, `xShmBarrier` on the database file), so no other connection can be told of frames
//   that are not in the file yet, and no later writer's frames can be overwritten by older ones.
// Every other call is passed to the default VFS unchanged. Only the writer's own connections use it
// (`SQLiteWriteConnection`); readers and the checkpointer read the log as before.
//
// SQLite is SQLiteNIO's vendored copy (prefixed `sqlite_nio_`), linked into the same binary; its
// structure types are declared here, as in sqlite3.h, because that module is internal to SQLiteNIO.

#include "shims.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef long long sqlite_int64;
typedef struct sqlite3_file sqlite3_file;
typedef struct sqlite3_io_methods sqlite3_io_methods;
typedef struct sqlite3_vfs sqlite3_vfs;

struct sqlite3_file {
    const struct sqlite3_io_methods *pMethods;
};

struct sqlite3_io_methods {
    int iVersion;
    int (*xClose)(sqlite3_file *);
    int (*xRead)(sqlite3_file *, void *, int iAmt, sqlite_int64 iOfst);
    int (*xWrite)(sqlite3_file *, const void *, int iAmt, sqlite_int64 iOfst);
    int (*xTruncate)(sqlite3_file *, sqlite_int64 size);
    int (*xSync)(sqlite3_file *, int flags);
    int (*xFileSize)(sqlite3_file *, sqlite_int64 *pSize);
    int (*xLock)(sqlite3_file *, int);
    int (*xUnlock)(sqlite3_file *, int);
    int (*xCheckReservedLock)(sqlite3_file *, int *pResOut);
    int (*xFileControl)(sqlite3_file *, int op, void *pArg);
    int (*xSectorSize)(sqlite3_file *);
    int (*xDeviceCharacteristics)(sqlite3_file *);
    int (*xShmMap)(sqlite3_file *, int iPg, int pgsz, int, void volatile **);
    int (*xShmLock)(sqlite3_file *, int offset, int n, int flags);
    void (*xShmBarrier)(sqlite3_file *);
    int (*xShmUnmap)(sqlite3_file *, int deleteFlag);
    int (*xFetch)(sqlite3_file *, sqlite_int64 iOfst, int iAmt, void **pp);
    int (*xUnfetch)(sqlite3_file *, sqlite_int64 iOfst, void *p);
};

typedef void (*sqlite3_syscall_ptr)(void);

struct sqlite3_vfs {
    int iVersion;
    int szOsFile;
    int mxPathname;
    sqlite3_vfs *pNext;
    const char *zName;
    void *pAppData;
    int (*xOpen)(sqlite3_vfs *, const char *zName, sqlite3_file *, int flags, int *pOutFlags);
    int (*xDelete)(sqlite3_vfs *, const char *zName, int syncDir);
    int (*xAccess)(sqlite3_vfs *, const char *zName, int flags, int *pResOut);
    int (*xFullPathname)(sqlite3_vfs *, const char *zName, int nOut, char *zOut);
    void *(*xDlOpen)(sqlite3_vfs *, const char *zFilename);
    void (*xDlError)(sqlite3_vfs *, int nByte, char *zErrMsg);
    void (*(*xDlSym)(sqlite3_vfs *, void *, const char *zSymbol))(void);
    void (*xDlClose)(sqlite3_vfs *, void *);
    int (*xRandomness)(sqlite3_vfs *, int nByte, char *zOut);
    int (*xSleep)(sqlite3_vfs *, int microseconds);
    int (*xCurrentTime)(sqlite3_vfs *, double *);
    int (*xGetLastError)(sqlite3_vfs *, int, char *);
    int (*xCurrentTimeInt64)(sqlite3_vfs *, sqlite_int64 *);
    int (*xSetSystemCall)(sqlite3_vfs *, const char *zName, sqlite3_syscall_ptr);
    sqlite3_syscall_ptr (*xGetSystemCall)(sqlite3_vfs *, const char *zName);
    const char *(*xNextSystemCall)(sqlite3_vfs *, const char *zName);
};

extern sqlite3_vfs *sqlite_nio_sqlite3_vfs_find(const char *zVfsName);
extern int sqlite_nio_sqlite3_vfs_register(sqlite3_vfs *, int makeDflt);
extern sqlite3_file *sqlite_nio_sqlite3_database_file_object(const char *);
extern char *sqlite_nio_sqlite3_mprintf(const char *, ...);

#define WANGGE_SQLITE_OK 0
#define WANGGE_SQLITE_NOMEM 7
#define WANGGE_SQLITE_OPEN_WAL 0x00080000
#define WANGGE_SQLITE_FCNTL_VFSNAME 12
#define WANGGE_SQLITE_SHM_LOCK 2
#define WANGGE_FRAME_HEADER_BYTES 24
/// A group commit's frames fit (90 frames of 4,120 bytes); a longer run is written out when full.
#define WANGGE_BATCH_BYTES (1024 * 1024)
/// The default VFS writes at most 0x1ffff bytes a call (`seekAndWriteFd` masks the length to that,
/// and reports the rest as a full disk): the buffer goes out in pieces of that size.
#define WANGGE_WRITE_BYTES 0x1ffff

typedef struct BatchedFile BatchedFile;
struct BatchedFile {
    sqlite3_file base;
    /// The default VFS's file, in the memory SQLite gave for this one (after this structure).
    sqlite3_file *real;
    /// For a database file: its log, while open through this VFS. For a log: its database file.
    BatchedFile *partner;
    int isLog;
    /// The log writes not yet in the file: `length` bytes from `offset`.
    unsigned char *buffer;
    int length;
    sqlite_int64 offset;
    /// Where the next frame of this connection's write transaction goes; -1 until its first write (the
    /// first frame after what the log held, or the header of a log started over).
    sqlite_int64 appendAt;
    /// The last frame header written marks a commit: its page ends the commit.
    int commitFrameOpen;
    /// An error met writing the buffer out where SQLite could not be told (`xShmBarrier`).
    int deferredError;
};

/// This VFS's part of a file, rounded up so that the default VFS's part after it stays aligned.
#define WANGGE_BATCHED_FILE_BYTES ((sizeof(BatchedFile) + 15) & ~(size_t)15)

static sqlite3_vfs *defaultVFS;
static sqlite3_vfs batchedVFS;
static sqlite3_io_methods batchedMethods;

static int writeOut(BatchedFile *file) {
    int rc = WANGGE_SQLITE_OK;
    for (int done = 0; done < file->length && rc == WANGGE_SQLITE_OK; done += WANGGE_WRITE_BYTES) {
        int amount = file->length - done < WANGGE_WRITE_BYTES ? file->length - done : WANGGE_WRITE_BYTES;
        rc = file->real->pMethods->xWrite(file->real, file->buffer + done, amount, file->offset + done);
    }
    file->length = 0;
    return rc;
}

/// Writes out the buffer (and reports an error kept from a call that could not report it).
static int settle(BatchedFile *file) {
    int rc = writeOut(file);
    if (rc == WANGGE_SQLITE_OK && file->deferredError != WANGGE_SQLITE_OK) rc = file->deferredError;
    file->deferredError = WANGGE_SQLITE_OK;
    return rc;
}

/// For a log, `settle`; nothing to do for a database file.
static int settleIfLog(BatchedFile *file) {
    return file->isLog ? settle(file) : WANGGE_SQLITE_OK;
}

static int settleLogOf(BatchedFile *database) {
    return database->partner ? settle(database->partner) : WANGGE_SQLITE_OK;
}

static int batchedClose(sqlite3_file *f) {
    BatchedFile *file = (BatchedFile *)f;
    int rc = settleIfLog(file);
    if (file->partner) file->partner->partner = NULL;
    free(file->buffer);
    int closed = file->real->pMethods->xClose(file->real);
    return rc != WANGGE_SQLITE_OK ? rc : closed;
}

static int batchedRead(sqlite3_file *f, void *out, int amount, sqlite_int64 offset) {
    BatchedFile *file = (BatchedFile *)f;
    int rc = settleIfLog(file);
    return rc != WANGGE_SQLITE_OK ? rc : file->real->pMethods->xRead(file->real, out, amount, offset);
}

static int batchedWrite(sqlite3_file *f, const void *data, int amount, sqlite_int64 offset) {
    BatchedFile *file = (BatchedFile *)f;
    if (!file->isLog) return file->real->pMethods->xWrite(file->real, data, amount, offset);
    int rc = file->deferredError;
    file->deferredError = WANGGE_SQLITE_OK;
    if (rc != WANGGE_SQLITE_OK) return rc;
    if (file->appendAt >= 0 && offset != file->appendAt) {
        // Not the next frame: SQLite writing again what this transaction wrote (a page changed again, or
        // the checksums redone after the commit frame). Written at once, so its error reaches SQLite.
        if ((rc = writeOut(file)) != WANGGE_SQLITE_OK) return rc;
        return file->real->pMethods->xWrite(file->real, data, amount, offset);
    }
    file->appendAt = offset + amount;
    if (file->length > 0 && file->length + amount > WANGGE_BATCH_BYTES) {
        if ((rc = writeOut(file)) != WANGGE_SQLITE_OK) return rc;
    }
    if (amount > WANGGE_BATCH_BYTES) return file->real->pMethods->xWrite(file->real, data, amount, offset);
    if (!file->buffer && !(file->buffer = malloc(WANGGE_BATCH_BYTES))) return WANGGE_SQLITE_NOMEM;
    if (file->length == 0) file->offset = offset;
    memcpy(file->buffer + file->length, data, (size_t)amount);
    file->length += amount;
    if (amount == WANGGE_FRAME_HEADER_BYTES) {
        // Bytes 4–7 of a frame header: the database's size in pages for a commit frame, else zero.
        const unsigned char *header = data;
        file->commitFrameOpen = (header[4] | header[5] | header[6] | header[7]) != 0;
        return WANGGE_SQLITE_OK;
    }
    if (file->commitFrameOpen) {
        file->commitFrameOpen = 0;
        return writeOut(file);
    }
    return WANGGE_SQLITE_OK;
}

static int batchedTruncate(sqlite3_file *f, sqlite_int64 size) {
    BatchedFile *file = (BatchedFile *)f;
    int rc = settleIfLog(file);
    return rc != WANGGE_SQLITE_OK ? rc : file->real->pMethods->xTruncate(file->real, size);
}

static int batchedSync(sqlite3_file *f, int flags) {
    BatchedFile *file = (BatchedFile *)f;
    int rc = settleIfLog(file);
    return rc != WANGGE_SQLITE_OK ? rc : file->real->pMethods->xSync(file->real, flags);
}

static int batchedFileSize(sqlite3_file *f, sqlite_int64 *size) {
    BatchedFile *file = (BatchedFile *)f;
    int rc = settleIfLog(file);
    return rc != WANGGE_SQLITE_OK ? rc : file->real->pMethods->xFileSize(file->real, size);
}

static int batchedLock(sqlite3_file *f, int level) {
    BatchedFile *file = (BatchedFile *)f;
    return file->real->pMethods->xLock(file->real, level);
}

static int batchedUnlock(sqlite3_file *f, int level) {
    BatchedFile *file = (BatchedFile *)f;
    int rc = file->isLog ? settle(file) : settleLogOf(file);
    int unlocked = file->real->pMethods->xUnlock(file->real, level);
    return rc != WANGGE_SQLITE_OK ? rc : unlocked;
}

static int batchedCheckReservedLock(sqlite3_file *f, int *out) {
    BatchedFile *file = (BatchedFile *)f;
    return file->real->pMethods->xCheckReservedLock(file->real, out);
}

static int batchedFileControl(sqlite3_file *f, int op, void *argument) {
    BatchedFile *file = (BatchedFile *)f;
    if (op == WANGGE_SQLITE_FCNTL_VFSNAME) {
        *(char **)argument = sqlite_nio_sqlite3_mprintf("%s", batchedVFS.zName);
        return WANGGE_SQLITE_OK;
    }
    int rc = settleIfLog(file);
    return rc != WANGGE_SQLITE_OK ? rc : file->real->pMethods->xFileControl(file->real, op, argument);
}

static int batchedSectorSize(sqlite3_file *f) {
    BatchedFile *file = (BatchedFile *)f;
    return file->real->pMethods->xSectorSize(file->real);
}

static int batchedDeviceCharacteristics(sqlite3_file *f) {
    BatchedFile *file = (BatchedFile *)f;
    return file->real->pMethods->xDeviceCharacteristics(file->real);
}

static int batchedShmMap(sqlite3_file *f, int page, int pageSize, int extend, void volatile **out) {
    BatchedFile *file = (BatchedFile *)f;
    return file->real->pMethods->xShmMap(file->real, page, pageSize, extend, out);
}

static int batchedShmLock(sqlite3_file *f, int offset, int n, int flags) {
    BatchedFile *file = (BatchedFile *)f;
    int rc = settleLogOf(file);
    if (rc != WANGGE_SQLITE_OK) return rc;
    // A write transaction begins (the log's write lock, slot 0, taken): it appends where the log now
    // ends, which another connection may have moved or started over.
    if (offset == 0 && (flags & WANGGE_SQLITE_SHM_LOCK) && file->partner) {
        file->partner->appendAt = -1;
        file->partner->commitFrameOpen = 0;
    }
    return file->real->pMethods->xShmLock(file->real, offset, n, flags);
}

static void batchedShmBarrier(sqlite3_file *f) {
    BatchedFile *file = (BatchedFile *)f;
    // SQLite publishes a commit in the shared index between two barriers; its frames must be in the
    // file by then. The commit frame's write has already written them; this is the backstop.
    if (file->partner) {
        int rc = writeOut(file->partner);
        if (rc != WANGGE_SQLITE_OK) file->partner->deferredError = rc;
    }
    file->real->pMethods->xShmBarrier(file->real);
}

static int batchedShmUnmap(sqlite3_file *f, int deleteFlag) {
    BatchedFile *file = (BatchedFile *)f;
    int rc = settleLogOf(file);
    int unmapped = file->real->pMethods->xShmUnmap(file->real, deleteFlag);
    return rc != WANGGE_SQLITE_OK ? rc : unmapped;
}

static int batchedFetch(sqlite3_file *f, sqlite_int64 offset, int amount, void **out) {
    BatchedFile *file = (BatchedFile *)f;
    int rc = settleIfLog(file);
    return rc != WANGGE_SQLITE_OK ? rc : file->real->pMethods->xFetch(file->real, offset, amount, out);
}

static int batchedUnfetch(sqlite3_file *f, sqlite_int64 offset, void *page) {
    BatchedFile *file = (BatchedFile *)f;
    return file->real->pMethods->xUnfetch(file->real, offset, page);
}

static int batchedOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *outFlags) {
    (void)vfs;
    BatchedFile *file = (BatchedFile *)f;
    memset(file, 0, sizeof(BatchedFile));
    file->real = (sqlite3_file *)((char *)f + WANGGE_BATCHED_FILE_BYTES);
    int rc = defaultVFS->xOpen(defaultVFS, name, file->real, flags, outFlags);
    if (rc != WANGGE_SQLITE_OK || !file->real->pMethods) {
        if (file->real->pMethods) file->real->pMethods->xClose(file->real);
        file->base.pMethods = NULL;
        return rc;
    }
    // The default VFS's methods are version 3 (shared memory and memory maps); these forward all.
    if (file->real->pMethods->iVersion < 3) {
        file->real->pMethods->xClose(file->real);
        file->base.pMethods = NULL;
        return defaultVFS->xOpen(defaultVFS, name, f, flags, outFlags);
    }
    file->base.pMethods = &batchedMethods;
    if (flags & WANGGE_SQLITE_OPEN_WAL) {
        file->isLog = 1;
        file->appendAt = -1;
        sqlite3_file *database = sqlite_nio_sqlite3_database_file_object(name);
        if (database && database->pMethods == &batchedMethods) {
            file->partner = (BatchedFile *)database;
            file->partner->partner = file;
        }
    }
    return WANGGE_SQLITE_OK;
}

static void registerOnce(void) {
    defaultVFS = sqlite_nio_sqlite3_vfs_find(NULL);
    if (!defaultVFS) return;
    batchedMethods = (sqlite3_io_methods){
        3, batchedClose, batchedRead, batchedWrite, batchedTruncate, batchedSync, batchedFileSize, batchedLock, batchedUnlock,
        batchedCheckReservedLock, batchedFileControl, batchedSectorSize, batchedDeviceCharacteristics, batchedShmMap,
        batchedShmLock, batchedShmBarrier, batchedShmUnmap, batchedFetch, batchedUnfetch,
    };
    batchedVFS = *defaultVFS;
    batchedVFS.pNext = NULL;
    batchedVFS.zName = "wangge-batched-wal";
    batchedVFS.szOsFile = (int)WANGGE_BATCHED_FILE_BYTES + defaultVFS->szOsFile;
    batchedVFS.xOpen = batchedOpen;
    if (sqlite_nio_sqlite3_vfs_register(&batchedVFS, 0) != WANGGE_SQLITE_OK) defaultVFS = NULL;
}

const char *wangge_batched_wal_vfs(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, registerOnce);
    return defaultVFS ? batchedVFS.zName : NULL;
}
