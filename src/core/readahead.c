/*
 * readahead.c -- a worker thread decoding blocks ahead of a reader.
 *
 * Slots move FREE -> QUEUED -> BUSY -> DONE or FAILED -> FREE. The reader
 * changes any slot that is not BUSY; the worker changes only the slot it
 * took (BUSY), and while BUSY it alone touches that slot's buffer. Every
 * state change happens under `lock`.
 *
 * The worker takes the farthest queued block first. A reader that consumes
 * faster than one core inflates then finds the nearer block still queued,
 * takes it back and decodes it itself while the worker decodes the next
 * (and finding its block still being decoded, the reader decodes the one
 * after meanwhile: stream.c): sequential reading uses both cores. A slower
 * reader finds every block done.
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
    zmm_file *file;
    uint32_t block_size;
    zmm_mutex *lock;
    zmm_cond *work;   /* the worker waits here for a queued slot or stop */
    zmm_cond *done;   /* the reader waits here for a BUSY slot to finish */
    int stop;
    slot slots[ZMM_READAHEAD_DEPTH];
    /* The worker's own: no other thread touches these. */
    zmm_codec *decoder;
    unsigned char *stored;
    zmm_thread *thread;
};

/* Decodes a block whole into out, checking both CRCs, as the stream's
 * decode_direct() does, and zeroes the rest of the buffer. */
static zmm_result decode(zmm_readahead *ra, const zmm_readahead_job *job,
                         unsigned char *out)
{
    const zmm_block_ref *ref = &job->ref;
    uint32_t n = job->n;
    unsigned char *in = ref->kind == ZMM_KIND_RAW ? out : ra->stored;
    zmm_result rc;

    if (ref->kind == ZMM_KIND_ZERO || n > ra->block_size ||
        ref->stored_size > ra->block_size)
        return ZMM_ERR_INVALID_ARG; /* the reader's business */
    rc = ra->file->methods->read_shared(ra->file, ref->offset, in,
                                        ref->stored_size);
    if (rc == ZMM_OK && zmm_crc32(0, in, ref->stored_size) != ref->stored_crc)
        rc = ZMM_ERR_CORRUPT;
    if (rc == ZMM_OK && ref->kind == ZMM_KIND_RAW)
        rc = ref->stored_size == n ? ZMM_OK : ZMM_ERR_CORRUPT;
    else if (rc == ZMM_OK)
        rc = zmm_codec_decode_block(ra->decoder, ref, in, n, out);
    if (rc == ZMM_OK)
        memset(out + n, 0, ra->block_size - n);
    return rc;
}

/* The queued slot with the farthest block, or NULL. */
static slot *next_job(zmm_readahead *ra)
{
    slot *best = NULL;
    unsigned i;

    for (i = 0; i < ZMM_READAHEAD_DEPTH; i++) {
        slot *s = &ra->slots[i];

        if (s->state == SLOT_QUEUED &&
            (best == NULL || s->job.index > best->job.index))
            best = s;
    }
    return best;
}

static void worker(void *arg)
{
    zmm_readahead *ra = arg;

    zmm_mutex_lock(ra->lock);
    for (;;) {
        slot *s;
        zmm_readahead_job job;
        zmm_result rc;

        while (!ra->stop && (s = next_job(ra)) == NULL)
            zmm_cond_wait(ra->work, ra->lock);
        if (ra->stop)
            break;
        s->state = SLOT_BUSY;
        job = s->job;
        zmm_mutex_unlock(ra->lock);
        rc = decode(ra, &job, s->data);
        zmm_mutex_lock(ra->lock);
        s->state = rc == ZMM_OK ? SLOT_DONE : SLOT_FAILED;
        zmm_cond_broadcast(ra->done);
    }
    zmm_mutex_unlock(ra->lock);
}

zmm_readahead *zmm_readahead_new(zmm_file *file, uint32_t block_size,
                                 const unsigned char *dict,
                                 uint32_t dict_len)
{
    zmm_readahead *ra;
    unsigned i;
    int ok;

    if (file->methods->read_shared == NULL)
        return NULL;
    ra = zmm_calloc(1, sizeof *ra);
    if (ra == NULL)
        return NULL;
    ra->file = file;
    ra->block_size = block_size;
    ra->lock = zmm_mutex_new();
    ra->work = zmm_cond_new();
    ra->done = zmm_cond_new();
    ra->decoder = zmm_codec_new();
    ra->stored = zmm_malloc(block_size);
    ok = ra->lock && ra->work && ra->done && ra->decoder && ra->stored;
    if (ok && dict != NULL) /* before the thread starts, which sees it */
        zmm_codec_use_dictionary(ra->decoder, dict, dict_len);
    for (i = 0; ok && i < ZMM_READAHEAD_DEPTH; i++)
        ok = (ra->slots[i].data = zmm_malloc(block_size)) != NULL;
    if (ok)
        ra->thread = zmm_thread_start(worker, ra);
    if (ra->thread == NULL) {
        zmm_readahead_free(ra);
        return NULL;
    }
    return ra;
}

void zmm_readahead_free(zmm_readahead *ra)
{
    unsigned i;

    if (ra == NULL)
        return;
    if (ra->thread != NULL) {
        zmm_mutex_lock(ra->lock);
        ra->stop = 1;
        zmm_cond_signal(ra->work);
        zmm_mutex_unlock(ra->lock);
        zmm_thread_join(ra->thread);
    }
    for (i = 0; i < ZMM_READAHEAD_DEPTH; i++)
        zmm_free(ra->slots[i].data);
    zmm_free(ra->stored);
    zmm_codec_free(ra->decoder);
    zmm_cond_free(ra->done);
    zmm_cond_free(ra->work);
    zmm_mutex_free(ra->lock);
    zmm_free(ra);
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
    zmm_mutex_lock(ra->lock);
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
    if (queued)
        zmm_cond_signal(ra->work);
    zmm_mutex_unlock(ra->lock);
}

int zmm_readahead_take(zmm_readahead *ra, uint32_t index,
                       unsigned char **data, int wait)
{
    slot *s;
    int got = 0;

    zmm_mutex_lock(ra->lock);
    s = find(ra, index);
    if (s != NULL) {
        /* Only the worker changes a BUSY slot, and only to DONE or
         * FAILED: s still holds this block when the wait ends. */
        while (wait && s->state == SLOT_BUSY)
            zmm_cond_wait(ra->done, ra->lock);
        if (s->state == SLOT_BUSY) {
            zmm_mutex_unlock(ra->lock);
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
    zmm_mutex_unlock(ra->lock);
    return got;
}
