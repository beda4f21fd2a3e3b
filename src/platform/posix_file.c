/*
 * posix_file.c -- zmm_file on a POSIX file descriptor (as SQLite's
 * os_unix.c, much reduced): positioned reads and writes, fsync, flock.
 */

/* glibc hides pread/fsync/flock under -std=c11: _DEFAULT_SOURCE shows POSIX
 * 2008 (fdatasync too) plus flock. 64-bit off_t also on 32-bit Linux. */
#define _DEFAULT_SOURCE
#define _FILE_OFFSET_BITS 64

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h> /* rename */
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "alloc.h"
#include "platform.h"
#include "thread.h"

_Static_assert(sizeof(off_t) >= 8, "zmm needs a 64-bit off_t");

/* The largest offset off_t holds. */
#define MAX_OFFSET ((uint64_t)INT64_MAX)

/* At most this much per read()/write() call: Linux caps a transfer near
 * 2 GiB anyway and ssize_t must hold the result. */
#define MAX_CHUNK ((size_t)1 << 30)

/* Written bytes a file lets pile up before it has a thread of its own sync
 * them (Linux): see request_data_sync. */
#define DATA_SYNC_STEP ((uint64_t)4 << 20)

/* A writer's data sync in the background: one thread, started at the first
 * DATA_SYNC_STEP written, that fdatasyncs the file whenever asked. */
typedef struct data_syncer {
    zmm_mutex *mutex;
    zmm_cond *wake;  /* asked, or stop */
    zmm_cond *idle;  /* a sync finished */
    zmm_thread *thread;
    int fd;
    int asked, busy, stop;
    int error; /* errno of a failed background sync; sticky */
} data_syncer;

typedef struct posix_file {
    zmm_file base; /* first: a zmm_file * is a posix_file * */
    int fd;
    uint64_t unsynced;   /* bytes written since the last sync was asked */
    data_syncer *syncer; /* NULL: none yet (or none could start) */
    int no_syncer;       /* one could not start: do not try again */
} posix_file;

static zmm_result result_from_errno(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR: /* a path component is not a directory: no such file */
        return ZMM_ERR_NOT_FOUND;
    case EACCES:
    case EPERM:
    case EROFS:
    case EISDIR:
        return ZMM_ERR_ACCESS;
    case EEXIST:
        return ZMM_ERR_EXISTS;
    case ENOMEM:
        return ZMM_ERR_NOMEM;
    default:
        return ZMM_ERR_IO;
    }
}

/* Records errno in the file and maps it. */
static zmm_result fail(zmm_file *f, int e)
{
    f->os_error = e;
    return result_from_errno(e);
}

static void set_os_error(long *os_error, long value)
{
    if (os_error)
        *os_error = value;
}

/* pread until len bytes are in; *e gets errno on failure, 0 if the file
 * ends first. Touches nothing shared: pread on one descriptor from two
 * threads at once is safe (it does not move the file offset). */
static zmm_result read_fd(int fd, uint64_t offset, void *buf, size_t len,
                          int *e)
{
    unsigned char *p = buf;

    *e = 0;
    /* Past what off_t holds there can be no bytes: as any read past the
     * end, that is a short (damaged) file. */
    if (len > 0 && (offset > MAX_OFFSET || len > MAX_OFFSET - offset))
        return ZMM_ERR_CORRUPT;
    while (len > 0) {
        size_t chunk = len < MAX_CHUNK ? len : MAX_CHUNK;
        ssize_t got = pread(fd, p, chunk, (off_t)offset);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            *e = errno;
            return result_from_errno(*e);
        }
        if (got == 0) /* end of file before len bytes */
            return ZMM_ERR_CORRUPT;
        p += got;
        offset += (uint64_t)got;
        len -= (size_t)got;
    }
    return ZMM_OK;
}

static zmm_result posix_read_at(zmm_file *f, uint64_t offset, void *buf,
                                size_t len)
{
    int e;
    zmm_result rc = read_fd(((posix_file *)f)->fd, offset, buf, len, &e);

    if (rc != ZMM_OK)
        f->os_error = e;
    return rc;
}

static zmm_result posix_read_shared(zmm_file *f, uint64_t offset, void *buf,
                                    size_t len)
{
    int e;

    return read_fd(((posix_file *)f)->fd, offset, buf, len, &e);
}

/*
 * A commit appends megabytes of blocks, then syncs. Left alone, that sync
 * (ext4) took 40-90 ms for 64 MiB, one thread waiting while the other cores
 * idle, even when the kernel had been asked to start writing every 8 MiB
 * (sync_file_range): what it waits for is committing the allocation of all
 * those blocks, which grows with them. So every DATA_SYNC_STEP of written
 * bytes a thread of the file's own syncs the data while compressing goes
 * on, and the commit's sync waits for the last few MiB (4-13 ms). Only a
 * head start: durability still comes from the commit's sync, and a failure
 * here is kept to fail that sync (on Linux a failed writeback is reported
 * to one fsync only).
 */

/* zmm_posix_fail_data_syncs: read by a syncer only after its thread starts */
static int data_sync_errno;

void zmm_posix_fail_data_syncs(int e)
{
    data_sync_errno = e;
}

#if defined(__linux__)
static int data_sync(int fd)
{
    int rc;

    if (data_sync_errno != 0) {
        errno = data_sync_errno;
        return -1;
    }
    do
        rc = fdatasync(fd);
    while (rc != 0 && errno == EINTR);
    return rc;
}

static void data_syncer_main(void *arg)
{
    data_syncer *d = arg;

    zmm_mutex_lock(d->mutex);
    for (;;) {
        while (!d->asked && !d->stop)
            zmm_cond_wait(d->wake, d->mutex);
        if (!d->asked)
            break; /* stop */
        d->asked = 0;
        d->busy = 1;
        zmm_mutex_unlock(d->mutex);
        {
            int e = data_sync(d->fd) != 0 ? errno : 0;

            zmm_mutex_lock(d->mutex);
            if (e != 0 && d->error == 0)
                d->error = e;
        }
        d->busy = 0;
        zmm_cond_broadcast(d->idle);
    }
    zmm_mutex_unlock(d->mutex);
}

static void data_syncer_free(data_syncer *d)
{
    if (d == NULL)
        return;
    zmm_cond_free(d->idle);
    zmm_cond_free(d->wake);
    zmm_mutex_free(d->mutex);
    zmm_free(d);
}

static data_syncer *data_syncer_start(int fd)
{
    data_syncer *d = zmm_calloc(1, sizeof *d);

    if (d == NULL)
        return NULL;
    d->fd = fd;
    d->mutex = zmm_mutex_new();
    d->wake = zmm_cond_new();
    d->idle = zmm_cond_new();
    if (d->mutex != NULL && d->wake != NULL && d->idle != NULL)
        d->thread = zmm_thread_start(data_syncer_main, d);
    if (d->thread == NULL) {
        data_syncer_free(d);
        return NULL;
    }
    return d;
}

/* Asks for a background data sync once DATA_SYNC_STEP bytes are written
 * since the last time (a sync still running covers them when it ends late:
 * the ask waits for it). */
static void request_data_sync(posix_file *pf, size_t written)
{
    pf->unsynced += written;
    if (pf->unsynced < DATA_SYNC_STEP || pf->no_syncer)
        return;
    pf->unsynced = 0;
    if (pf->syncer == NULL) {
        pf->syncer = data_syncer_start(pf->fd);
        if (pf->syncer == NULL) {
            pf->no_syncer = 1; /* the commit's sync does it all */
            return;
        }
    }
    zmm_mutex_lock(pf->syncer->mutex);
    pf->syncer->asked = 1;
    zmm_cond_signal(pf->syncer->wake);
    zmm_mutex_unlock(pf->syncer->mutex);
}

/* Stops the file's syncer, after the sync it is running, if any. */
static void stop_data_syncer(posix_file *pf)
{
    data_syncer *d = pf->syncer;

    if (d == NULL)
        return;
    zmm_mutex_lock(d->mutex);
    d->stop = 1;
    d->asked = 0; /* nobody waits for it now */
    zmm_cond_signal(d->wake);
    zmm_mutex_unlock(d->mutex);
    zmm_thread_join(d->thread);
    data_syncer_free(d);
    pf->syncer = NULL;
}

/* The error of a background sync so far (0: none), once it is idle. */
static int data_syncer_error(posix_file *pf)
{
    data_syncer *d = pf->syncer;
    int e;

    if (d == NULL)
        return 0;
    zmm_mutex_lock(d->mutex);
    while (d->busy || d->asked)
        zmm_cond_wait(d->idle, d->mutex);
    e = d->error;
    zmm_mutex_unlock(d->mutex);
    return e;
}
#else
static void request_data_sync(posix_file *pf, size_t written)
{
    (void)pf;
    (void)written;
}

static void stop_data_syncer(posix_file *pf)
{
    (void)pf;
}

static int data_syncer_error(posix_file *pf)
{
    (void)pf;
    return 0;
}
#endif

static zmm_result posix_write_at(zmm_file *f, uint64_t offset,
                                 const void *buf, size_t len)
{
    int fd = ((posix_file *)f)->fd;
    const unsigned char *p = buf;
    uint64_t start = offset;

    if (len > 0 && (offset > MAX_OFFSET || len > MAX_OFFSET - offset))
        return fail(f, EFBIG);
    while (len > 0) {
        size_t chunk = len < MAX_CHUNK ? len : MAX_CHUNK;
        ssize_t put = pwrite(fd, p, chunk, (off_t)offset);
        if (put < 0) {
            if (errno == EINTR)
                continue;
            return fail(f, errno);
        }
        if (put == 0) /* no progress: treat as a full disk, as SQLite does */
            return fail(f, ENOSPC);
        p += put;
        offset += (uint64_t)put;
        len -= (size_t)put;
    }
    request_data_sync((posix_file *)f, (size_t)(offset - start));
    return ZMM_OK;
}

static zmm_result posix_size(zmm_file *f, uint64_t *size)
{
    struct stat st;

    if (fstat(((posix_file *)f)->fd, &st) != 0)
        return fail(f, errno);
    *size = (uint64_t)st.st_size;
    return ZMM_OK;
}

static zmm_result posix_truncate(zmm_file *f, uint64_t size)
{
    if (size > MAX_OFFSET)
        return fail(f, EFBIG);
    while (ftruncate(((posix_file *)f)->fd, (off_t)size) != 0) {
        if (errno != EINTR)
            return fail(f, errno);
    }
    return ZMM_OK;
}

/* fsync() of a descriptor. On macOS fsync leaves data in the drive's cache;
 * F_FULLFSYNC flushes it (falling back to fsync where unsupported). */
static int sync_fd(int fd)
{
#if defined(__APPLE__) && defined(F_FULLFSYNC)
    if (fcntl(fd, F_FULLFSYNC) == 0)
        return 0;
#endif
    while (fsync(fd) != 0) {
        if (errno != EINTR)
            return -1;
    }
    return 0;
}

static zmm_result posix_sync(zmm_file *f)
{
    posix_file *pf = (posix_file *)f;
    int e;

    if (sync_fd(pf->fd) != 0)
        return fail(f, errno);
    /* After our own sync: a writeback that failed before it may have been
     * reported to the background one only. */
    e = data_syncer_error(pf);
    if (e != 0)
        return fail(f, e);
    return ZMM_OK;
}

static zmm_result posix_close(zmm_file *f)
{
    zmm_result rc = ZMM_OK;

    stop_data_syncer((posix_file *)f); /* a later open syncs anew */
    /* Not retried on EINTR: Linux has released the descriptor already and
     * it may have been reused. Other errors (NFS reports failed delayed
     * writes here) are returned, but the file is released all the same. */
    if (close(((posix_file *)f)->fd) != 0 && errno != EINTR)
        rc = ZMM_ERR_IO;
    zmm_free(f);
    return rc;
}

static zmm_result posix_identity(zmm_file *f, zmm_file_id *id)
{
    struct stat st;

    if (fstat(((posix_file *)f)->fd, &st) != 0)
        return fail(f, errno);
    id->volume = (uint64_t)st.st_dev;
    id->index = (uint64_t)st.st_ino;
    return ZMM_OK;
}

static const zmm_file_methods posix_methods = {
    posix_read_at, posix_write_at, posix_size,  posix_truncate,
    posix_sync,    posix_close,    posix_read_shared, posix_identity,
};

zmm_result zmm_platform_open(const char *path, unsigned flags, zmm_file **out,
                             long *os_error)
{
    int oflags = O_CLOEXEC | O_NOCTTY;
    posix_file *pf;
    struct stat st;
    int fd, e;

    *out = NULL;
    set_os_error(os_error, 0);
    oflags |= (flags & ZMM_FILE_WRITE) ? O_RDWR : O_RDONLY;
    if (flags & ZMM_FILE_CREATE) {
        oflags |= O_CREAT;
        if (flags & ZMM_FILE_EXCLUSIVE)
            oflags |= O_EXCL;
    }
    /* ZMM_FILE_DENY_READ / DENY_WRITE: POSIX has no share modes (locks are
     * advisory and readers take none), so they are accepted and ignored. */

    pf = zmm_malloc(sizeof *pf);
    if (!pf)
        return ZMM_ERR_NOMEM;

    do {
        fd = open(path, oflags, 0666);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        e = errno;
        goto failed;
    }

    /* A read-only open() of a directory succeeds; we refuse it as Windows
     * does, so both platforms answer ZMM_ERR_ACCESS. */
    if (fstat(fd, &st) != 0) {
        e = errno;
        goto failed_fd;
    }
    if (S_ISDIR(st.st_mode)) {
        e = EISDIR;
        goto failed_fd;
    }

    /* One writer per file. flock() locks belong to the open file
     * description, so two opens even in one process conflict (fcntl locks
     * would not: they are per process and vanish at any close()). */
    if (flags & ZMM_FILE_LOCK_WRITER) {
        int rc;
        do {
            rc = flock(fd, LOCK_EX | LOCK_NB);
        } while (rc != 0 && errno == EINTR);
        if (rc != 0) {
            e = errno;
            close(fd);
            zmm_free(pf);
            set_os_error(os_error, e);
            return e == EWOULDBLOCK ? ZMM_ERR_SHARING : result_from_errno(e);
        }
    }

    pf->base.methods = &posix_methods;
    pf->base.os_error = 0;
    pf->fd = fd;
    pf->unsynced = 0;
    pf->syncer = NULL;
    pf->no_syncer = 0;
    *out = &pf->base;
    return ZMM_OK;

failed_fd:
    close(fd);
failed:
    zmm_free(pf);
    set_os_error(os_error, e);
    return result_from_errno(e);
}

/*
 * Copies the directory part of `path` ("." if none) into a new string, for
 * syncing the directory after a rename.
 */
static char *directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n;
    char *dir;

    if (!slash) {
        path = ".";
        n = 1;
    } else if (slash == path) {
        n = 1; /* "/name": the root */
    } else {
        n = (size_t)(slash - path);
    }
    dir = zmm_malloc(n + 1);
    if (dir) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}

zmm_result zmm_platform_copy_access(const char *from, const char *to,
                                    long *os_error)
{
    struct stat was, now;
    int e;

    set_os_error(os_error, 0);
    if (stat(from, &was) != 0 || stat(to, &now) != 0)
        goto fail;
    /* The owner first: chown may clear the set-id bits chmod then sets. */
    if ((now.st_uid != was.st_uid || now.st_gid != was.st_gid) &&
        chown(to, was.st_uid, was.st_gid) != 0)
        goto fail;
    if (chmod(to, was.st_mode & 07777) != 0)
        goto fail;
    return ZMM_OK;
fail:
    e = errno;
    set_os_error(os_error, e);
    return result_from_errno(e);
}

zmm_result zmm_platform_replace(const char *from, const char *to,
                                long *os_error)
{
    char *dir;
    int dfd, e = 0;

    set_os_error(os_error, 0);
    if (rename(from, to) != 0) {
        e = errno;
        set_os_error(os_error, e);
        return result_from_errno(e);
    }

    /*
     * rename() is atomic but not durable: the new directory entry reaches
     * the disk only when the directory is synced. We sync `to`'s directory
     * (compaction renames within one directory). Some file systems cannot
     * open or fsync a directory (EINVAL, ENOTSUP...): then, as SQLite does,
     * we accept the rename as it is; an I/O error is reported, although the
     * rename itself has been done.
     */
    dir = directory_of(to);
    if (!dir)
        return ZMM_ERR_NOMEM;
    do {
        dfd = open(dir, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    } while (dfd < 0 && errno == EINTR);
    zmm_free(dir);
    if (dfd < 0)
        return ZMM_OK;
    if (sync_fd(dfd) != 0 && errno == EIO)
        e = EIO;
    close(dfd);
    if (e) {
        set_os_error(os_error, e);
        return ZMM_ERR_IO;
    }
    return ZMM_OK;
}

zmm_result zmm_platform_remove(const char *path, long *os_error)
{
    set_os_error(os_error, 0);
    if (unlink(path) != 0) {
        int e = errno;
        set_os_error(os_error, e);
        return result_from_errno(e);
    }
    return ZMM_OK;
}
