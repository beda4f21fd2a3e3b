/*
 * fault_file.c -- a zmm_file wrapper that fails on cue and simulates power
 * loss (as SQLite's test_vfs.c and its crash tests), for the core's
 * error-path and crash-safety tests.
 *
 * Model. Writes, truncates and syncs are "events", counted from 1.
 * - fail_at: that event returns ZMM_ERR_IO and changes nothing.
 * - crash_at: the power fails at that event. It and every later event report
 *   success and change nothing.
 * - Before the crash, writes and truncates reach the inner file at once (the
 *   process reads back what it wrote, as from the OS cache), and each one
 *   since the last successful sync is logged with the bytes and size it
 *   replaced, and its own bytes. A sync makes everything before it durable:
 *   it empties the log.
 * - zmm_faultfile_settle() decides, with a PRNG seeded by plan.seed, what the
 *   disk kept of each logged event: a write is kept, dropped or torn (only a
 *   prefix reached the disk, cut at a 512-byte sector boundary of the file
 *   offset, or anywhere in a write within one sector); a truncate is kept or
 *   dropped. It then undoes the whole log, newest first, which gives back the
 *   last synced state exactly, and replays what was kept, oldest first. So a
 *   kept write always wins over an earlier dropped one at the same bytes, and
 *   the size grows only through kept writes and truncates.
 *
 * Using it: the test keeps the inner memory file it wrapped, runs the code
 * under test, calls zmm_faultfile_settle(), and reads the inner bytes with
 * zmm_memfile_data(inner) before the fault file is closed: closing it closes
 * the inner file (it owns it). Test support: plain malloc.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

/* The OS error a failed event reports: EIO on POSIX. */
#define FAULT_OS_ERROR 5

/* Sector size that tears land on. */
#define SECTOR 512u

enum { LOG_WRITE, LOG_TRUNCATE };

/* One event since the last sync, with what it replaced. */
typedef struct log_entry {
    int kind;
    uint64_t offset;        /* write: where; truncate: the new size */
    size_t len;             /* write: bytes written */
    uint64_t old_size;      /* the file size before the event */
    size_t old_len;         /* bytes in `old` */
    unsigned char *old;     /* bytes replaced: write, from offset;
                               truncate, from the new size */
    unsigned char *data;    /* write: the bytes written */
    size_t kept;            /* fate, set by settle: write, the bytes that
                               reached the disk; truncate, 1 if it did */
} log_entry;

typedef struct fault_file {
    zmm_file base; /* first: a zmm_file * is a fault_file * */
    zmm_file *inner;
    zmm_fault_plan plan;
    unsigned long events;
    unsigned long reads;
    int crashed;
    log_entry *log;
    size_t log_len;
    size_t log_cap;
} fault_file;

static const zmm_file_methods fault_methods;

static void free_log(fault_file *ff)
{
    size_t i;

    for (i = 0; i < ff->log_len; i++) {
        free(ff->log[i].old);
        free(ff->log[i].data);
    }
    ff->log_len = 0;
}

/* A new entry at the end of the log, zeroed; NULL when out of memory. */
static log_entry *log_push(fault_file *ff)
{
    if (ff->log_len == ff->log_cap) {
        size_t cap = ff->log_cap ? ff->log_cap * 2 : 16;
        log_entry *p = realloc(ff->log, cap * sizeof *p);
        if (!p)
            return NULL;
        ff->log = p;
        ff->log_cap = cap;
    }
    memset(&ff->log[ff->log_len], 0, sizeof ff->log[0]);
    return &ff->log[ff->log_len++];
}

/* Drops the newest entry again (its event failed). */
static void log_pop(fault_file *ff)
{
    log_entry *e = &ff->log[--ff->log_len];
    free(e->old);
    free(e->data);
}

/* Copies the inner file's bytes [from, to) into a new buffer in *out. */
static zmm_result copy_inner(fault_file *ff, uint64_t from, uint64_t to,
                             unsigned char **out, size_t *out_len)
{
    size_t n = (size_t)(to - from);

    *out = NULL;
    *out_len = 0;
    if (n == 0)
        return ZMM_OK;
    *out = malloc(n);
    if (!*out)
        return ZMM_ERR_NOMEM;
    *out_len = n;
    return ff->inner->methods->read_at(ff->inner, from, *out, n);
}

/*
 * Counts an event and decides its fate before it happens: returns 1 if it
 * is to be performed, 0 if it is to be reported as done without effect (the
 * crash), or -1 if it is to fail.
 */
static int next_event(fault_file *ff)
{
    unsigned long n = ++ff->events;

    if (ff->crashed)
        return 0;
    if (ff->plan.crash_at && n == ff->plan.crash_at) {
        ff->crashed = 1;
        return 0;
    }
    if (ff->plan.fail_at && n == ff->plan.fail_at) {
        ff->base.os_error = FAULT_OS_ERROR;
        return -1;
    }
    return 1;
}

/* Passes an inner failure's OS error on. */
static zmm_result inner_result(fault_file *ff, zmm_result rc)
{
    if (rc != ZMM_OK)
        ff->base.os_error = ff->inner->os_error;
    return rc;
}

static zmm_result fault_read_at(zmm_file *f, uint64_t offset, void *buf,
                                size_t len)
{
    fault_file *ff = (fault_file *)f;

    ff->reads++;
    if (ff->plan.fail_read_at && ff->reads >= ff->plan.fail_read_at) {
        f->os_error = FAULT_OS_ERROR;
        return ZMM_ERR_IO;
    }
    return inner_result(ff, ff->inner->methods->read_at(ff->inner, offset,
                                                        buf, len));
}

static zmm_result fault_write_at(zmm_file *f, uint64_t offset,
                                 const void *buf, size_t len)
{
    fault_file *ff = (fault_file *)f;
    zmm_file *in = ff->inner;
    uint64_t size, old_end;
    log_entry *e;
    zmm_result rc;
    int go = next_event(ff);

    if (go <= 0)
        return go == 0 ? ZMM_OK : ZMM_ERR_IO;
    if (len == 0) /* changes nothing: nothing to log */
        return inner_result(ff, in->methods->write_at(in, offset, buf, len));
    if (offset > UINT64_MAX - len)
        return ZMM_ERR_INVALID_ARG;

    rc = inner_result(ff, in->methods->size(in, &size));
    if (rc != ZMM_OK)
        return rc;
    e = log_push(ff);
    if (!e)
        return ZMM_ERR_NOMEM;
    e->kind = LOG_WRITE;
    e->offset = offset;
    e->len = len;
    e->old_size = size;
    old_end = offset + len < size ? offset + len : size;
    rc = offset < old_end
             ? copy_inner(ff, offset, old_end, &e->old, &e->old_len)
             : ZMM_OK;
    if (rc == ZMM_OK) {
        e->data = malloc(len);
        rc = e->data ? ZMM_OK : ZMM_ERR_NOMEM;
    }
    if (rc == ZMM_OK) {
        memcpy(e->data, buf, len);
        rc = inner_result(ff, in->methods->write_at(in, offset, buf, len));
    }
    if (rc != ZMM_OK)
        log_pop(ff);
    return rc;
}

static zmm_result fault_size(zmm_file *f, uint64_t *size)
{
    fault_file *ff = (fault_file *)f;

    return inner_result(ff, ff->inner->methods->size(ff->inner, size));
}

static zmm_result fault_truncate(zmm_file *f, uint64_t new_size)
{
    fault_file *ff = (fault_file *)f;
    zmm_file *in = ff->inner;
    uint64_t size;
    log_entry *e;
    zmm_result rc;
    int go = next_event(ff);

    if (go <= 0)
        return go == 0 ? ZMM_OK : ZMM_ERR_IO;
    rc = inner_result(ff, in->methods->size(in, &size));
    if (rc != ZMM_OK)
        return rc;
    e = log_push(ff);
    if (!e)
        return ZMM_ERR_NOMEM;
    e->kind = LOG_TRUNCATE;
    e->offset = new_size;
    e->old_size = size;
    rc = new_size < size ? copy_inner(ff, new_size, size, &e->old, &e->old_len)
                         : ZMM_OK;
    if (rc == ZMM_OK)
        rc = inner_result(ff, in->methods->truncate(in, new_size));
    if (rc != ZMM_OK)
        log_pop(ff);
    return rc;
}

static zmm_result fault_sync(zmm_file *f)
{
    fault_file *ff = (fault_file *)f;
    zmm_result rc;
    int go = next_event(ff);

    if (go <= 0)
        return go == 0 ? ZMM_OK : ZMM_ERR_IO;
    rc = inner_result(ff, ff->inner->methods->sync(ff->inner));
    if (rc == ZMM_OK)
        free_log(ff); /* all logged events are durable now */
    return rc;
}

static zmm_result fault_close(zmm_file *f)
{
    fault_file *ff = (fault_file *)f;
    zmm_result rc = ff->inner->methods->close(ff->inner);

    free_log(ff);
    free(ff->log);
    free(ff);
    return rc;
}

static const zmm_file_methods fault_methods = {
    fault_read_at, fault_write_at, fault_size,
    fault_truncate, fault_sync, fault_close,
    NULL, /* no read_shared: its read count must not depend on timing */
    NULL, /* no identity */
};

zmm_file *zmm_faultfile_new(zmm_file *inner, const zmm_fault_plan *plan)
{
    fault_file *ff;

    if (!inner)
        return NULL;
    ff = calloc(1, sizeof *ff);
    if (!ff)
        return NULL;
    ff->base.methods = &fault_methods;
    ff->inner = inner;
    if (plan)
        ff->plan = *plan;
    return &ff->base;
}

static fault_file *as_fault(zmm_file *f)
{
    return f && f->methods == &fault_methods ? (fault_file *)f : NULL;
}

unsigned long zmm_faultfile_events(zmm_file *f)
{
    fault_file *ff = as_fault(f);

    return ff ? ff->events : 0;
}

int zmm_faultfile_crashed(zmm_file *f)
{
    fault_file *ff = as_fault(f);

    return ff ? ff->crashed : 0;
}

zmm_file *zmm_faultfile_inner(zmm_file *f)
{
    fault_file *ff = as_fault(f);

    return ff ? ff->inner : NULL;
}

/* splitmix64: small, and the same sequence on every platform. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* How many leading bytes of a logged write reached the disk (0..len). */
static size_t kept_prefix(const log_entry *e, uint64_t *rng)
{
    uint64_t first, last, boundaries;

    switch (next_random(rng) % 3) {
    case 0:
        return e->len; /* kept */
    case 1:
        return 0; /* dropped */
    default:
        break; /* torn */
    }
    /* Sector boundaries strictly inside (offset, offset + len). */
    first = (e->offset / SECTOR + 1) * SECTOR;
    last = e->offset + e->len;
    if (first < last) {
        boundaries = (last - 1) / SECTOR - e->offset / SECTOR;
        return (size_t)(first + (next_random(rng) % boundaries) * SECTOR
                        - e->offset);
    }
    /* Within one sector: a real disk writes a sector whole, but a torn
     * sector is the harder case, and checksums must catch it anyway. */
    return (size_t)(next_random(rng) % e->len);
}

/*
 * Undoes one logged event, giving back the state before it: its size, then
 * its replaced bytes (a write past the old end leaves nothing to restore).
 */
static void undo(zmm_file *in, const log_entry *e)
{
    in->methods->truncate(in, e->old_size);
    if (e->old_len) /* a write's from its offset, a truncate's from its size */
        in->methods->write_at(in, e->offset, e->old, e->old_len);
}

void zmm_faultfile_settle(zmm_file *f)
{
    fault_file *ff = as_fault(f);
    zmm_file *in;
    uint64_t rng;
    size_t i;

    if (!ff)
        return;
    in = ff->inner;
    ff->crashed = 1; /* settling before crash_at: the power fails now */
    rng = ff->plan.seed;

    /* Fates first, in log order, so they depend on the seed alone. */
    for (i = 0; i < ff->log_len; i++) {
        log_entry *e = &ff->log[i];
        if (e->kind == LOG_WRITE)
            e->kept = kept_prefix(e, &rng);
        else
            e->kept = (size_t)(next_random(&rng) % 2);
    }
    /* Back to the last synced state... (errors: a memory file does not
     * fail these but for lack of memory, and settle has no way to say so) */
    for (i = ff->log_len; i-- > 0;)
        undo(in, &ff->log[i]);
    /* ...then forward through what the disk kept. */
    for (i = 0; i < ff->log_len; i++) {
        const log_entry *e = &ff->log[i];
        if (e->kind == LOG_WRITE && e->kept)
            in->methods->write_at(in, e->offset, e->data, e->kept);
        else if (e->kind == LOG_TRUNCATE && e->kept)
            in->methods->truncate(in, e->offset);
    }
    free_log(ff);
}
