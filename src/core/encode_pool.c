/*
 * encode_pool.c -- a writer's blocks encoded on worker threads, results in
 * order (encode_pool.h).
 *
 * The slots form a ring: the caller fills them in order at `tail`, the
 * threads take queued ones in the same order at `next`, and the caller
 * takes results back at `head`. A slot is FREE, QUEUED, BUSY or DONE.
 */
#include <string.h>

#include "alloc.h"
#include "codec.h"
#include "encode_pool.h"
#include "thread.h"

enum { SLOT_FREE, SLOT_QUEUED, SLOT_BUSY, SLOT_DONE };

/* Slots a thread: one being encoded while the caller fills the next. */
#define SLOTS_PER_THREAD 2u

typedef struct encode_slot {
    int state;
    zmm_encode_job job;
    unsigned char *in;  /* the block's logical bytes */
    unsigned char *out; /* room for its stored bytes */
    zmm_result rc;
    zmm_block_ref ref;
    const unsigned char *stored;
} encode_slot;

typedef struct encode_worker {
    zmm_encode_pool *pool;
    zmm_codec *codec;
    zmm_thread *thread;
} encode_worker;

struct zmm_encode_pool {
    zmm_mutex *mutex;
    zmm_cond *queued; /* a slot became QUEUED, or stop */
    zmm_cond *done;   /* a slot became DONE */
    int stop;
    encode_slot *slots;
    unsigned count;            /* slots */
    unsigned head, next, tail; /* ring positions, counting up */
    encode_worker *workers;
    unsigned threads; /* started */
};

/* Encodes slot `s` with the worker's codec, outside the mutex: the slot
 * is BUSY, so nobody else touches it. */
static void encode_slot_now(encode_worker *w, encode_slot *s)
{
    const unsigned char *stored = NULL;

    zmm_codec_use_dictionary(w->codec, s->job.dict, s->job.dict_len);
    s->rc = zmm_codec_encode(w->codec, s->job.level, s->in, s->job.n,
                             s->job.use_pcm ? &s->job.pcm : NULL,
                             s->job.offset, s->job.pcm_max_kind, s->out,
                             &s->ref, &stored);
    /* The codec's own buffer is reused by its next block: keep a copy. */
    if (s->rc == ZMM_OK && stored != NULL && stored != s->out)
        memcpy(s->out, stored, s->ref.stored_size);
    s->stored = stored != NULL ? s->out : NULL;
}

static void worker_main(void *arg)
{
    encode_worker *w = arg;
    zmm_encode_pool *p = w->pool;

    zmm_mutex_lock(p->mutex);
    for (;;) {
        encode_slot *s;

        while (!p->stop && p->next == p->tail)
            zmm_cond_wait(p->queued, p->mutex);
        if (p->stop)
            break;
        s = &p->slots[p->next++ % p->count];
        s->state = SLOT_BUSY;
        zmm_mutex_unlock(p->mutex);
        encode_slot_now(w, s);
        zmm_mutex_lock(p->mutex);
        s->state = SLOT_DONE;
        zmm_cond_broadcast(p->done);
    }
    zmm_mutex_unlock(p->mutex);
}

zmm_encode_pool *zmm_encode_pool_new(unsigned threads, uint32_t block_size)
{
    zmm_encode_pool *p = zmm_calloc(1, sizeof *p);
    unsigned i;

    if (p == NULL)
        return NULL;
    p->count = threads * SLOTS_PER_THREAD;
    p->mutex = zmm_mutex_new();
    p->queued = zmm_cond_new();
    p->done = zmm_cond_new();
    p->slots = zmm_calloc(p->count, sizeof *p->slots);
    p->workers = zmm_calloc(threads, sizeof *p->workers);
    if (!p->mutex || !p->queued || !p->done || !p->slots || !p->workers)
        goto fail;
    for (i = 0; i < p->count; i++) {
        p->slots[i].in = zmm_malloc(block_size);
        p->slots[i].out = zmm_malloc(block_size);
        if (p->slots[i].in == NULL || p->slots[i].out == NULL)
            goto fail;
    }
    /* Codecs are made here, so that running out of memory shows now. */
    for (i = 0; i < threads; i++) {
        p->workers[i].pool = p;
        p->workers[i].codec = zmm_codec_new();
        if (p->workers[i].codec == NULL)
            goto fail;
    }
    for (p->threads = 0; p->threads < threads; p->threads++) {
        encode_worker *w = &p->workers[p->threads];

        w->thread = zmm_thread_start(worker_main, w);
        if (w->thread == NULL)
            goto fail;
    }
    return p;
fail:
    zmm_encode_pool_free(p);
    return NULL;
}

void zmm_encode_pool_free(zmm_encode_pool *p)
{
    unsigned i;

    if (p == NULL)
        return;
    if (p->threads > 0) {
        zmm_mutex_lock(p->mutex);
        p->stop = 1;
        zmm_cond_broadcast(p->queued);
        zmm_mutex_unlock(p->mutex);
        for (i = 0; i < p->threads; i++)
            zmm_thread_join(p->workers[i].thread);
    }
    if (p->workers != NULL)
        for (i = 0; i < p->count / SLOTS_PER_THREAD; i++)
            zmm_codec_free(p->workers[i].codec);
    if (p->slots != NULL)
        for (i = 0; i < p->count; i++) {
            zmm_free(p->slots[i].in);
            zmm_free(p->slots[i].out);
        }
    zmm_free(p->workers);
    zmm_free(p->slots);
    zmm_cond_free(p->done);
    zmm_cond_free(p->queued);
    zmm_mutex_free(p->mutex);
    zmm_free(p);
}

int zmm_encode_pool_has_room(const zmm_encode_pool *p)
{
    /* Only the caller moves head and tail. */
    return p->tail - p->head < p->count;
}

unsigned zmm_encode_pool_pending(const zmm_encode_pool *p)
{
    return p->tail - p->head;
}

void zmm_encode_pool_put(zmm_encode_pool *p, const zmm_encode_job *job,
                         const unsigned char *data)
{
    encode_slot *s = &p->slots[p->tail % p->count];

    /* The slot is FREE (has_room): no thread looks at it until queued. */
    s->job = *job;
    memcpy(s->in, data, job->n);
    zmm_mutex_lock(p->mutex);
    s->state = SLOT_QUEUED;
    p->tail++;
    zmm_cond_signal(p->queued);
    zmm_mutex_unlock(p->mutex);
}

int zmm_encode_pool_take(zmm_encode_pool *p, int wait,
                         zmm_encode_result *out)
{
    encode_slot *s = &p->slots[p->head % p->count];

    if (p->head == p->tail)
        return 0;
    zmm_mutex_lock(p->mutex);
    while (wait && s->state != SLOT_DONE)
        zmm_cond_wait(p->done, p->mutex);
    if (s->state != SLOT_DONE) {
        zmm_mutex_unlock(p->mutex);
        return 0;
    }
    s->state = SLOT_FREE;
    p->head++;
    zmm_mutex_unlock(p->mutex);
    out->job = s->job;
    out->rc = s->rc;
    out->ref = s->ref;
    out->stored = s->stored;
    return 1;
}
