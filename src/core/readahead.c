/*
 * readahead.c -- a few threads decoding blocks ahead of many readers.
 *
 * Slots move FREE -> QUEUED -> BUSY -> DONE or FAILED -> FREE. A reader
 * changes any slot of its own that is not BUSY; a worker changes only the
 * slot it took (BUSY), and while BUSY it alone touches that slot's buffer.
 * Every state change happens under the pool's `lock`.
 *
 * A worker serves the readers in turn and, of one reader, takes the
 * farthest queued block first. A reader that consumes faster than one core
 * inflates then finds the nearer block still queued, takes it back and
 * decodes it itself while the worker decodes the next (and finding its
 * block still being decoded, the reader decodes the one after meanwhile:
 * stream.c): sequential reading uses both cores. A slower reader finds
 * every block done. With more readers than processors, the readers decode
 * what the workers have not reached: no more threads than processors are
 * ever busy decoding on their behalf.
 */
#include <string.h>

#include "alloc.h"
#include "codec.h"
#include "crc32.h"
#include "readahead.h"
#include "thread.h"

enum { SLOT_FREE, SLOT_QUEUED, SLOT_BUSY, SLOT_DONE, SLOT_FAILED };

typedef struct slot {
    int state;
    zmm_readahead_job job;
    unsigned char *data; /* block_size bytes */
} slot;

struct zmm_readahead {
    zmm_readahead_pool *pool;
    zmm_file *file;
    uint32_t block_size;
    const unsigned char *dict;
    uint32_t dict_len;
    slot slots[ZMM_READAHEAD_DEPTH];
    zmm_readahead *prev, *next; /* the pool's readers, under its lock */
};

/* A worker thread, with its own decoder and stored-bytes buffer. */
typedef struct worker {
    zmm_readahead_pool *pool;
    zmm_thread *thread;
    int stop; /* under the pool's lock */
    zmm_codec *decoder;
    unsigned char *stored;
    uint32_t stored_size;
    struct worker *next;
} worker;

struct zmm_readahead_pool {
    zmm_mutex *lock;
    zmm_cond *work; /* workers wait here for a queued slot or stop */
    zmm_cond *done; /* readers wait here for a BUSY slot to finish */
    unsigned refs;
    unsigned max_threads;
    unsigned threads, idle;
    worker *workers;
    zmm_readahead *readers; /* a ring; `readers` is served next */
};

/* Decodes a block whole into out, checking both CRCs, as the stream's
 * decode_direct() does, and zeroes the rest of the buffer. */
static zmm_result decode(worker *w, const zmm_readahead *ra,
                         const zmm_readahead_job *job, unsigned char *out)
{
    const zmm_block_ref *ref = &job->ref;
    uint32_t n = job->n;
    unsigned char *in;
    zmm_result rc;

    if (ref->kind == ZMM_KIND_ZERO || n > ra->block_size ||
        ref->stored_size > ra->block_size)
        return ZMM_ERR_INVALID_ARG; /* the reader's business */
    if (ref->kind != ZMM_KIND_RAW && w->stored_size < ra->block_size) {
        zmm_free(w->stored);
        w->stored_size = 0;
        w->stored = zmm_malloc(ra->block_size);
        if (w->stored == NULL)
            return ZMM_ERR_NOMEM;
        w->stored_size = ra->block_size;
    }
    in = ref->kind == ZMM_KIND_RAW ? out : w->stored;
    rc = ra->file->methods->read_shared(ra->file, ref->offset, in,
                                        ref->stored_size);
    if (rc == ZMM_OK && zmm_crc32(0, in, ref->stored_size) != ref->stored_crc)
        rc = ZMM_ERR_CORRUPT;
    if (rc == ZMM_OK && ref->kind == ZMM_KIND_RAW)
        rc = ref->stored_size == n ? ZMM_OK : ZMM_ERR_CORRUPT;
    else if (rc == ZMM_OK) {
        zmm_codec_use_dictionary(w->decoder, ra->dict, ra->dict_len);
        rc = zmm_codec_decode_block(w->decoder, ref, in, n, out);
    }
    if (rc == ZMM_OK)
        memset(out + n, 0, ra->block_size - n);
    return rc;
}

/* The next queued slot: of the readers in turn, starting with the one
 * after the last served, the farthest block. NULL if none. */
static slot *next_job(zmm_readahead_pool *pool, zmm_readahead **owner)
{
    zmm_readahead *ra = pool->readers;

    if (ra == NULL)
        return NULL;
    do {
        slot *best = NULL;
        unsigned i;

        for (i = 0; i < ZMM_READAHEAD_DEPTH; i++) {
            slot *s = &ra->slots[i];

            if (s->state == SLOT_QUEUED &&
                (best == NULL || s->job.index > best->job.index))
                best = s;
        }
        if (best != NULL) {
            pool->readers = ra->next; /* the next reader goes first */
            *owner = ra;
            return best;
        }
        ra = ra->next;
    } while (ra != pool->readers);
    return NULL;
}

static void worker_main(void *arg)
{
    worker *w = arg;
    zmm_readahead_pool *pool = w->pool;

    zmm_mutex_lock(pool->lock);
    for (;;) {
        zmm_readahead *ra = NULL;
        slot *s = NULL;
        zmm_readahead_job job;
        zmm_result rc;

        while (!w->stop && (s = next_job(pool, &ra)) == NULL) {
            pool->idle++;
            zmm_cond_wait(pool->work, pool->lock);
            pool->idle--;
        }
        if (w->stop)
            break;
        /* While s is BUSY its reader waits in zmm_readahead_free(): ra,
         * its file and s->data stay. */
        s->state = SLOT_BUSY;
        job = s->job;
        zmm_mutex_unlock(pool->lock);
        rc = decode(w, ra, &job, s->data);
        zmm_mutex_lock(pool->lock);
        s->state = rc == ZMM_OK ? SLOT_DONE : SLOT_FAILED;
        zmm_cond_broadcast(pool->done);
    }
    zmm_mutex_unlock(pool->lock);
}

static void worker_free(worker *w)
{
    zmm_codec_free(w->decoder);
    zmm_free(w->stored);
    zmm_free(w);
}

/* Under the lock: one more worker, if the pool may have one. A worker
 * that cannot be had is no error: the readers decode themselves. */
static void start_worker(zmm_readahead_pool *pool)
{
    worker *w;

    if (pool->threads >= pool->max_threads)
        return;
    w = zmm_calloc(1, sizeof *w);
    if (w == NULL)
        return;
    w->pool = pool;
    w->decoder = zmm_codec_new();
    if (w->decoder != NULL)
        w->thread = zmm_thread_start(worker_main, w);
    if (w->thread == NULL) {
        worker_free(w);
        return;
    }
    w->next = pool->workers;
    pool->workers = w;
    pool->threads++;
}

zmm_readahead_pool *zmm_readahead_pool_new(unsigned max_threads)
{
    zmm_readahead_pool *pool = zmm_calloc(1, sizeof *pool);

    if (pool == NULL)
        return NULL;
    pool->refs = 1;
    pool->max_threads = max_threads > 0 ? max_threads : 1;
    pool->lock = zmm_mutex_new();
    pool->work = zmm_cond_new();
    pool->done = zmm_cond_new();
    if (pool->lock == NULL || pool->work == NULL || pool->done == NULL) {
        zmm_mutex_free(pool->lock);
        zmm_cond_free(pool->work);
        zmm_cond_free(pool->done);
        zmm_free(pool);
        return NULL;
    }
    return pool;
}

/* Drops a reference; with the last reader gone, stops and joins the
 * workers (new readers may start others meanwhile: each worker has its own
 * stop flag); with the last reference, frees the pool. */
static void pool_release(zmm_readahead_pool *pool, int reader)
{
    worker *stopping = NULL, *w;
    unsigned refs;

    zmm_mutex_lock(pool->lock);
    refs = --pool->refs;
    if (reader && pool->readers == NULL) {
        stopping = pool->workers;
        pool->workers = NULL;
        pool->threads = 0;
        for (w = stopping; w != NULL; w = w->next)
            w->stop = 1;
        zmm_cond_broadcast(pool->work);
    }
    zmm_mutex_unlock(pool->lock);
    while (stopping != NULL) {
        w = stopping;
        stopping = w->next;
        zmm_thread_join(w->thread);
        worker_free(w);
    }
    if (refs == 0) {
        zmm_cond_free(pool->done);
        zmm_cond_free(pool->work);
        zmm_mutex_free(pool->lock);
        zmm_free(pool);
    }
}

void zmm_readahead_pool_ref(zmm_readahead_pool *pool)
{
    zmm_mutex_lock(pool->lock);
    pool->refs++;
    zmm_mutex_unlock(pool->lock);
}

void zmm_readahead_pool_unref(zmm_readahead_pool *pool)
{
    if (pool != NULL)
        pool_release(pool, 0);
}

unsigned zmm_readahead_pool_threads(zmm_readahead_pool *pool)
{
    unsigned n;

    zmm_mutex_lock(pool->lock);
    n = pool->threads;
    zmm_mutex_unlock(pool->lock);
    return n;
}

zmm_readahead *zmm_readahead_new(zmm_readahead_pool *pool, zmm_file *file,
                                 uint32_t block_size,
                                 const unsigned char *dict,
                                 uint32_t dict_len)
{
    zmm_readahead *ra;
    unsigned i;
    int ok = 1;

    if (file->methods->read_shared == NULL)
        return NULL;
    ra = zmm_calloc(1, sizeof *ra);
    if (ra == NULL)
        return NULL;
    ra->file = file;
    ra->block_size = block_size;
    ra->dict = dict;
    ra->dict_len = dict_len;
    for (i = 0; ok && i < ZMM_READAHEAD_DEPTH; i++)
        ok = (ra->slots[i].data = zmm_malloc(block_size)) != NULL;
    if (ok && pool == NULL) { /* a private pool: this is its only user */
        ra->pool = zmm_readahead_pool_new(1);
        ok = ra->pool != NULL;
    } else if (ok) {
        ra->pool = pool;
        zmm_readahead_pool_ref(pool);
    }
    if (!ok) {
        for (i = 0; i < ZMM_READAHEAD_DEPTH; i++)
            zmm_free(ra->slots[i].data);
        zmm_free(ra);
        return NULL;
    }
    zmm_mutex_lock(ra->pool->lock);
    if (ra->pool->readers == NULL) {
        ra->prev = ra->next = ra;
        ra->pool->readers = ra;
    } else { /* last in turn: before the one served next */
        ra->next = ra->pool->readers;
        ra->prev = ra->next->prev;
        ra->prev->next = ra;
        ra->next->prev = ra;
    }
    zmm_mutex_unlock(ra->pool->lock);
    return ra;
}

static int any_busy(const zmm_readahead *ra)
{
    unsigned i;

    for (i = 0; i < ZMM_READAHEAD_DEPTH; i++)
        if (ra->slots[i].state == SLOT_BUSY)
            return 1;
    return 0;
}

void zmm_readahead_free(zmm_readahead *ra)
{
    zmm_readahead_pool *pool;
    unsigned i;

    if (ra == NULL)
        return;
    pool = ra->pool;
    zmm_mutex_lock(pool->lock);
    /* Out of the ring first (no worker takes a slot of it any more), then
     * wait for the worker on a slot of it, if any. */
    if (ra->next == ra) {
        pool->readers = NULL;
    } else {
        ra->prev->next = ra->next;
        ra->next->prev = ra->prev;
        if (pool->readers == ra)
            pool->readers = ra->next;
    }
    while (any_busy(ra))
        zmm_cond_wait(pool->done, pool->lock);
    zmm_mutex_unlock(pool->lock);
    for (i = 0; i < ZMM_READAHEAD_DEPTH; i++)
        zmm_free(ra->slots[i].data);
    zmm_free(ra);
    pool_release(pool, 1);
}

static slot *find(zmm_readahead *ra, uint32_t index)
{
    unsigned i;

    for (i = 0; i < ZMM_READAHEAD_DEPTH; i++)
        if (ra->slots[i].state != SLOT_FREE &&
            ra->slots[i].job.index == index)
            return &ra->slots[i];
    return NULL;
}

void zmm_readahead_ahead(zmm_readahead *ra, const zmm_readahead_job *jobs,
                         unsigned count)
{
    int queued = 0;
    unsigned i, j;

    if (count > ZMM_READAHEAD_DEPTH)
        count = ZMM_READAHEAD_DEPTH;
    zmm_mutex_lock(ra->pool->lock);
    /* Drop what is no longer wanted, unless the worker is on it. */
    for (i = 0; i < ZMM_READAHEAD_DEPTH; i++) {
        slot *s = &ra->slots[i];
        int wanted = 0;

        for (j = 0; j < count; j++)
            wanted |= jobs[j].index == s->job.index;
        if (s->state != SLOT_BUSY && !wanted)
            s->state = SLOT_FREE;
    }
    for (j = 0; j < count; j++) {
        if (find(ra, jobs[j].index) != NULL)
            continue;
        for (i = 0; i < ZMM_READAHEAD_DEPTH; i++)
            if (ra->slots[i].state == SLOT_FREE)
                break;
        if (i == ZMM_READAHEAD_DEPTH)
            break; /* the worker is still on an older block */
        ra->slots[i].job = jobs[j];
        ra->slots[i].state = SLOT_QUEUED;
        queued = 1;
    }
    if (queued && ra->pool->idle == 0)
        start_worker(ra->pool);
    if (queued)
        zmm_cond_signal(ra->pool->work);
    zmm_mutex_unlock(ra->pool->lock);
}

int zmm_readahead_take(zmm_readahead *ra, uint32_t index,
                       unsigned char **data, int wait)
{
    slot *s;
    int got = 0;

    zmm_mutex_lock(ra->pool->lock);
    s = find(ra, index);
    if (s != NULL) {
        /* Only the worker changes a BUSY slot, and only to DONE or
         * FAILED: s still holds this block when the wait ends. */
        while (wait && s->state == SLOT_BUSY)
            zmm_cond_wait(ra->pool->done, ra->pool->lock);
        if (s->state == SLOT_BUSY) {
            zmm_mutex_unlock(ra->pool->lock);
            return -1;
        }
        if (s->state == SLOT_DONE) {
            unsigned char *t = s->data;

            s->data = *data;
            *data = t;
            got = 1;
        }
        s->state = SLOT_FREE;
    }
    zmm_mutex_unlock(ra->pool->lock);
    return got;
}
