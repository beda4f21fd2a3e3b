/*
 * stream.c -- a member as a file: read, write, seek, truncate.
 *
 * Blocks are decoded into the stream's cache and changed there; a changed
 * ("dirty") block is encoded and appended when it leaves the cache, on flush
 * or on commit. Two invariants keep this simple:
 *   - a cached block's bytes past the member's end are zero, so growing the
 *     member needs no clearing;
 *   - only the last block is short, so before the length changes, a short
 *     last block (whose stored form encodes its old length) is decoded into
 *     the cache and marked dirty, to be stored again at its new length.
 */
#include <string.h>

#include "names.h"
#include "alloc.h"
#include "archive.h"
#include "block_cache.h"
#include "crc32.h"
#include "filter_pcm.h"
#include "metadata.h"
#include "readahead.h"
#include "stream.h"
#include "struct_size.h"
#include "thread.h"
#include "zmm.h"


static uint32_t block_size(const zmm_stream *s)
{
    return 1u << s->m->block_shift;
}

/* Appends a block the pool encoded and enters it in the block table. A
 * failure loses bytes the writer was told were written: no commit may
 * publish after it, as after a failed append. */
static zmm_result finish_encoded(zmm_stream *s, const zmm_encode_result *r)
{
    zmm_block_ref ref = r->ref;
    zmm_result rc = r->rc;

    if (rc == ZMM_OK)
        rc = zmm_archive_store_encoded(s->ar, r->stored, &ref);
    if (rc != ZMM_OK) {
        zmm_archive_latch_failure(s->ar, rc);
        return rc;
    }
    s->m->blocks[r->job.index] = ref;
    zmm_member_note_change(s->m, r->job.index);
    return ZMM_OK;
}

/* Appends the pool's finished blocks, oldest first; with `wait`, all of
 * them. Returns the first error. */
static zmm_result take_encoded(zmm_stream *s, int wait)
{
    zmm_encode_result r;
    zmm_result first = ZMM_OK, rc;

    if (s->encoders == NULL)
        return ZMM_OK;
    while (zmm_encode_pool_take(s->encoders, wait, &r)) {
        rc = finish_encoded(s, &r);
        if (first == ZMM_OK)
            first = rc;
    }
    return first;
}

/* Every block handed to the pool is stored and in the block table: before
 * the table is read, a block is stored on this thread, or a commit. */
static zmm_result settle(zmm_stream *s)
{
    return take_encoded(s, 1);
}

/* Whether to hand blocks to the pool, starting it if `may_start`. No
 * pool: this thread encodes. */
static int use_pool(zmm_stream *s, int may_start)
{
    if (s->encoders != NULL)
        return 1;
    if (s->threads < 2 || !may_start)
        return 0;
    s->encoders = zmm_encode_pool_new(s->threads, block_size(s));
    if (s->encoders == NULL)
        s->threads = 1; /* no memory or no thread: go on without */
    return s->encoders != NULL;
}

/* Hands dirty entry e's block to the pool (a copy), making room by storing
 * the oldest results first; the entry stays cached, clean. */
static zmm_result hand_over(zmm_stream *s, zmm_cache_entry *e)
{
    zmm_encode_job job;
    zmm_encode_result r;
    zmm_result rc;

    while (!zmm_encode_pool_has_room(s->encoders)) {
        (void)zmm_encode_pool_take(s->encoders, 1, &r);
        if ((rc = finish_encoded(s, &r)) != ZMM_OK)
            return rc;
    }
    memset(&job, 0, sizeof job);
    job.index = e->index;
    job.level = s->m->level;
    job.n = zmm_member_block_length(s->m, e->index);
    job.offset = (uint64_t)e->index << s->m->block_shift;
    job.use_pcm = (s->m->flags & ZMM_MEMBER_PCM) != 0;
    job.pcm = s->m->pcm;
    job.pcm_max_kind = s->pcm_max_kind;
    job.dict = s->dict; /* unchanged while blocks are pending: see settle */
    job.dict_len = s->dict_len;
    zmm_encode_pool_put(s->encoders, &job, e->data);
    e->dirty = 0;
    return take_encoded(s, 0);
}

/* Encodes a dirty block and appends it, or hands it to the pool (which
 * `may_start`); the entry stays cached, clean. Either way blocks reach the
 * file in the order of these calls, so the bytes do not depend on threads. */
static zmm_result store_entry(zmm_stream *s, zmm_cache_entry *e,
                              int may_start)
{
    zmm_block_ref ref;
    zmm_result rc;

    if (!e->dirty)
        return ZMM_OK;
    rc = zmm_stream_load_dictionary(s); /* a writer appending keeps it */
    if (rc != ZMM_OK)
        return rc;
    if (use_pool(s, may_start))
        return hand_over(s, e);
    rc = zmm_archive_store_block(s->ar, s->m->level, e->data,
                                 zmm_member_block_length(s->m, e->index),
                                 (s->m->flags & ZMM_MEMBER_PCM) ? &s->m->pcm
                                                                : NULL,
                                 (uint64_t)e->index << s->m->block_shift,
                                 s->pcm_max_kind, s->dict, s->dict_len,
                                 &ref);
    if (rc != ZMM_OK)
        return rc;
    s->m->blocks[e->index] = ref;
    zmm_member_note_change(s->m, e->index);
    e->dirty = 0;
    return ZMM_OK;
}

static void release_entry(zmm_stream *s, zmm_cache_entry *e)
{
    if (s->inflating == e)
        s->inflating = NULL;
    zmm_cache_release(e);
}

/* A cache entry to hold block `index`, storing the contents it evicts. */
static zmm_result take_entry(zmm_stream *s, uint32_t index,
                             zmm_cache_entry **out)
{
    zmm_cache_entry *e = zmm_cache_victim(&s->cache);
    zmm_result rc;

    if (e == NULL)
        return ZMM_ERR_NOMEM;
    if (e->index != ZMM_CACHE_FREE) {
        rc = store_entry(s, e, 1);
        if (rc != ZMM_OK)
            return rc;
        release_entry(s, e);
    }
    zmm_cache_assign(&s->cache, e, index);
    *out = e;
    return ZMM_OK;
}

zmm_result zmm_stream_read_stored(zmm_stream *s, const zmm_block_ref *ref,
                                  unsigned char *buf)
{
    zmm_result rc;

    if (s->ar != NULL) /* keeps the OS error for zmm_archive_os_error */
        rc = zmm_archive_read(s->ar, ref->offset, buf, ref->stored_size);
    else if (ref->stored_size == 0)
        rc = ZMM_OK;
    else
        rc = s->file->methods->read_at(s->file, ref->offset, buf,
                                       ref->stored_size);

    if (rc == ZMM_OK && zmm_crc32(0, buf, ref->stored_size) !=
                            ref->stored_crc)
        rc = ZMM_ERR_CORRUPT;
    return rc;
}

/* Reads a deflate or PCM block's stored bytes into s->stored, with the
 * member's dictionary ready for a deflate one. It takes the decoder and
 * s->stored, so no other entry can resume. */
static zmm_result fetch_block(zmm_stream *s, const zmm_block_ref *ref)
{
    zmm_result rc;

    s->inflating = NULL;
    if (ref->kind == ZMM_KIND_DEFLATE) {
        rc = zmm_stream_load_dictionary(s);
        if (rc != ZMM_OK)
            return rc;
    }
    return zmm_stream_read_stored(s, ref, s->stored);
}

/* Starts decoding a deflate or PCM block with the stream's decoder. */
static zmm_result begin_block(zmm_stream *s, const zmm_block_ref *ref,
                              uint32_t n)
{
    zmm_result rc = fetch_block(s, ref);

    if (rc != ZMM_OK)
        return rc;
    if (ZMM_KIND_IS_PCM(ref->kind))
        return zmm_codec_pcm_begin(s->decoder, ref->kind, s->stored,
                                   ref->stored_size, n);
    return zmm_codec_inflate_begin(s->decoder, s->stored, ref->stored_size);
}

/* Decodes a begun block further, to at least `want` of its n bytes: a PCM
 * block stops at the end of a group (past want), a deflate block at want. */
static zmm_result more_block(zmm_stream *s, const zmm_block_ref *ref,
                             unsigned char *out, uint32_t *valid,
                             uint32_t want, uint32_t n)
{
    if (ZMM_KIND_IS_PCM(ref->kind))
        return zmm_codec_pcm_more(s->decoder, out, valid, want, n);
    return zmm_codec_inflate_more(s->decoder, out, valid, want, n);
}

static void finish_entry(zmm_stream *s, zmm_cache_entry *e, uint32_t n)
{
    memset(e->data + n, 0, s->buf_size - n);
    e->valid = n;
    e->complete = 1;
    if (s->inflating == e)
        s->inflating = NULL;
}

/*
 * Decodes block `index`, which is not cached, straight into dst (its n
 * bytes): a read that covers a whole block skips the cache and the copy out
 * of it. Nothing is cached, so a cached block, the only place a dirty one
 * lives, never goes this way, and the block table holds the truth. Takes the
 * decoder: an entry left half inflated starts again when read further.
 */
static zmm_result decode_direct(zmm_stream *s, uint32_t index,
                                unsigned char *dst)
{
    const zmm_block_ref *ref = &s->m->blocks[index];
    uint32_t n = zmm_member_block_length(s->m, index);
    zmm_result rc;

    switch (ref->kind) {
    case ZMM_KIND_ZERO:
        memset(dst, 0, n);
        return ZMM_OK;
    case ZMM_KIND_RAW:
        return zmm_stream_read_stored(s, ref, dst);
    default: /* deflate or PCM, whole */
        if (s->shared != NULL &&
            zmm_shared_cache_get(s->shared, &s->file_id, ref, n, dst))
            return ZMM_OK;
        rc = fetch_block(s, ref);
        if (rc == ZMM_OK)
            rc = zmm_codec_decode_block(s->decoder, ref, s->stored, n, dst);
        if (rc == ZMM_OK && s->shared != NULL)
            zmm_shared_cache_put(s->shared, &s->file_id, ref, n, dst);
        return rc;
    }
}

/* Decodes block e->index until at least `want` logical bytes are valid. */
static zmm_result decode_entry(zmm_stream *s, zmm_cache_entry *e,
                               uint32_t want)
{
    const zmm_block_ref *ref = &s->m->blocks[e->index];
    uint32_t n = zmm_member_block_length(s->m, e->index);
    zmm_result rc = ZMM_OK;

    switch (ref->kind) {
    case ZMM_KIND_ZERO:
    case ZMM_KIND_RAW:
        rc = decode_direct(s, e->index, e->data); /* no prefix to stop at */
        break;
    case ZMM_KIND_PCM: /* decodes by prefixes too, a group at a time */
    case ZMM_KIND_PCM_CHAN:
    case ZMM_KIND_PCM_LPC:
    case ZMM_KIND_PCM_PLANAR:
    default:           /* deflate; the directory admits no other kind */
        if (s->inflating != e) {
            if (s->shared != NULL &&
                zmm_shared_cache_get(s->shared, &s->file_id, ref, n,
                                     e->data))
                break; /* decoded whole by another stream */
            rc = begin_block(s, ref, n);
            if (rc != ZMM_OK)
                break;
            s->inflating = e;
            e->valid = 0;
        } else {
            /* A second read past the inflated prefix: finish the block, so
             * a block is inflated in at most two steps. A first read (a
             * random one) stops at the bytes it asked for (in a PCM block,
             * at the end of the group holding the last); a block read
             * again needs no more inflating (or restarting, once another
             * block takes the decoder). */
            want = n;
        }
        /* But a member of one block on a share (a sound effect in an asset
         * pack) is inflated whole at once, into the shared cache: every
         * later open reading any part of it decodes nothing. */
        if (s->shared != NULL && s->m->block_count == 1)
            want = n;
        if (want > n)
            want = n;
        rc = more_block(s, ref, e->data, &e->valid, want, n);
        if (rc == ZMM_OK && e->valid == n &&
            zmm_crc32(0, e->data, n) != ref->logical_crc)
            rc = ZMM_ERR_CORRUPT;
        if (rc != ZMM_OK || e->valid < n)
            return rc; /* on error the caller releases the entry */
        if (s->shared != NULL)
            zmm_shared_cache_put(s->shared, &s->file_id, ref, n, e->data);
        break;
    }
    if (rc == ZMM_OK)
        finish_entry(s, e, n);
    return rc;
}

/* The cached block `index` with at least `want` valid bytes. `e` is what
 * zmm_cache_find() gave for it (NULL: not cached), so that callers on the
 * read and write paths look the block up once. */
static zmm_result load_block(zmm_stream *s, zmm_cache_entry *e,
                             uint32_t index, uint32_t want,
                             zmm_cache_entry **out)
{
    zmm_result rc;

    if (e != NULL && (e->complete || e->valid >= want)) {
        *out = e;
        return ZMM_OK;
    }
    rc = settle(s); /* the table's entry for it may be pending */
    if (rc != ZMM_OK)
        return rc;
    if (e == NULL) {
        rc = take_entry(s, index, &e);
        if (rc != ZMM_OK)
            return rc;
    }
    rc = decode_entry(s, e, want);
    if (rc != ZMM_OK) {
        release_entry(s, e);
        return rc;
    }
    *out = e;
    return ZMM_OK;
}

static zmm_result load_whole_block(zmm_stream *s, zmm_cache_entry *e,
                                   uint32_t index, zmm_cache_entry **out)
{
    return load_block(s, e, index, zmm_member_block_length(s->m, index), out);
}

/* Read-ahead starts after this many forward steps in a row: a block
 * entering right after the one before, either as the first block of a read
 * call or in a call that starts inside or at the end of the bytes the last
 * one read (sequential, or overlapping reads moving forward). Another step
 * (in a random read spanning two blocks) neither counts nor breaks a run:
 * else random reads, among their many spanning pairs, would soon meet a
 * third block in a row. */
#define READAHEAD_START_RUN 2

/* Blocks worth a worker: deflate and PCM. A zero block costs a memset and
 * a raw one a read and a CRC, about what handing a block over costs. */
static int worth_ahead(const zmm_stream *s, uint32_t index)
{
    unsigned kind = s->m->blocks[index].kind;

    return (kind == ZMM_KIND_DEFLATE || ZMM_KIND_IS_PCM(kind)) &&
           !zmm_cache_holds(&s->cache, index);
}

/* Asks the worker for the blocks after `index` worth it (above); on a jump
 * (forward_run 0) drops what it had queued instead. */
static void queue_ahead(zmm_stream *s, uint32_t index)
{
    zmm_readahead_job jobs[ZMM_READAHEAD_DEPTH];
    unsigned count = 0, d;

    for (d = 1; s->forward_run > 0 && d <= ZMM_READAHEAD_DEPTH; d++) {
        uint32_t next = index + d;

        if (next >= s->m->block_count)
            break;
        if (!worth_ahead(s, next))
            continue;
        jobs[count].index = next;
        jobs[count].n = zmm_member_block_length(s->m, next);
        jobs[count].ref = s->m->blocks[next];
        count++;
    }
    zmm_readahead_ahead(s->ra, jobs, count);
}

/* Puts the block the worker decoded (now in ra_spare) into the cache as
 * block `index`, by swapping buffers; NULL if no entry can be had. */
static zmm_cache_entry *install_ahead(zmm_stream *s, uint32_t index)
{
    zmm_cache_entry *e;
    unsigned char *t;

    if (take_entry(s, index, &e) != ZMM_OK)
        return NULL;
    t = e->data;
    e->data = s->ra_spare;
    s->ra_spare = t;
    e->valid = zmm_member_block_length(s->m, index);
    e->complete = 1; /* the worker zeroed the tail */
    s->ra_taken++;
    return e;
}

/* While the worker finishes the block the reader needs, the reader puts
 * the next one in the cache: from the worker if done, else decoding it
 * itself (a queued job is forgotten). Nonzero if it is now cached. An error
 * is dropped: the block is decoded again, and the error reported, when it
 * is read. */
static int help_next(zmm_stream *s, uint32_t next)
{
    zmm_cache_entry *e;
    int got;

    if (next >= s->m->block_count || !worth_ahead(s, next))
        return 0;
    got = zmm_readahead_take(s->ra, next, &s->ra_spare, 0);
    if (got < 0)
        return 0; /* the worker is on that one too */
    if (got > 0)
        return install_ahead(s, next) != NULL;
    if (take_entry(s, next, &e) != ZMM_OK)
        return 0;
    if (decode_entry(s, e, zmm_member_block_length(s->m, next)) != ZMM_OK) {
        release_entry(s, e);
        return 0;
    }
    return 1;
}

/*
 * Block `index` of a read-only stream, not cached, is about to be read
 * (`counts`: the step to it counts towards a forward run, above). Notes the
 * access pattern, starts the worker on a forward run, queues the blocks
 * after this one, and returns the block already decoded by the worker,
 * installed in the cache, or NULL (the caller decodes it). The decoded
 * buffer is swapped in through ra_spare, never copied.
 */
static zmm_cache_entry *block_entering(zmm_stream *s, uint32_t index,
                                       int counts)
{
    zmm_cache_entry *e = NULL;
    uint32_t last = index;
    int got;

    if (index == s->last_entered + 1 && index != 0)
        s->forward_run += counts ? 1 : 0;
    else
        s->forward_run = 0;
    s->last_entered = index;
    /* Started when the next block is worth it: a member of raw blocks
     * (incompressible data) never gets a thread. */
    if (s->ra == NULL && s->readahead_allowed &&
        s->forward_run >= READAHEAD_START_RUN &&
        index + 1 < s->m->block_count && worth_ahead(s, index + 1)) {
        /* The worker's decoder presets the member's dictionary too: loaded
         * now, it stays unchanged in s->dict until the stream is freed,
         * after the worker is joined. A damaged one: no read-ahead, and
         * the reader reports it as before. */
        s->ra_spare = zmm_malloc(s->buf_size);
        s->ra = s->ra_spare != NULL && zmm_stream_load_dictionary(s) == ZMM_OK
                    ? zmm_readahead_new(s->pool, s->file, s->buf_size,
                                        s->dict, s->dict_len)
                    : NULL;
        if (s->ra == NULL) { /* no memory, no thread, no read_shared or a
                              * damaged dictionary */
            zmm_free(s->ra_spare);
            s->ra_spare = NULL;
            s->readahead_allowed = 0;
        }
    }
    if (s->ra == NULL)
        return NULL;
    got = zmm_readahead_take(s->ra, index, &s->ra_spare, 0);
    if (got < 0) {
        if (s->forward_run > 0 && help_next(s, index + 1))
            last = index + 1;
        got = zmm_readahead_take(s->ra, index, &s->ra_spare, 1);
    }
    if (got > 0)
        e = install_ahead(s, index);
    if (last != index) { /* the next block entered too */
        s->last_entered = last;
        s->forward_run++;
    }
    queue_ahead(s, last);
    return e;
}

/* Sets the member's length, keeping the invariants above. */
static zmm_result set_length(zmm_stream *s, uint64_t length)
{
    zmm_member *m = s->m;
    uint32_t bs = block_size(s), i;
    zmm_cache_entry *e = NULL;
    zmm_result rc;

    if (length == m->length)
        return ZMM_OK;
    /* Pending blocks past the new end must not land in the table. */
    if (length < m->length && (rc = settle(s)) != ZMM_OK)
        return rc;
    if (length > m->length && (m->length & (bs - 1)) != 0) {
        uint32_t last = (uint32_t)(m->length >> m->block_shift);

        rc = load_whole_block(s, zmm_cache_find(&s->cache, last), last, &e);
        if (rc != ZMM_OK)
            return rc;
        e->dirty = 1;
    } else if (length < m->length && (length & (bs - 1)) != 0) {
        uint32_t last = (uint32_t)(length >> m->block_shift);

        rc = load_whole_block(s, zmm_cache_find(&s->cache, last), last, &e);
        if (rc != ZMM_OK)
            return rc;
    }
    rc = zmm_archive_resize_member(s->ar, m, length);
    if (rc != ZMM_OK)
        return rc;
    for (i = 0; i < s->cache.capacity; i++) {
        zmm_cache_entry *c = &s->cache.entries[i];

        if (c->index != ZMM_CACHE_FREE && c->index >= m->block_count)
            release_entry(s, c);
    }
    if (e != NULL && length < (uint64_t)e->index * bs + bs) {
        uint32_t keep = (uint32_t)(length & (bs - 1));

        memset(e->data + keep, 0, bs - keep);
        e->valid = keep;
        e->dirty = 1;
    }
    return ZMM_OK;
}

zmm_result zmm_stream_read(zmm_stream *s, void *buf, size_t len, size_t *got)
{
    unsigned char *out = buf;
    uint64_t pos = s->pos;
    size_t done = 0;
    int follows = pos >= s->read_start && pos <= s->read_end;

    *got = 0;
    if (s->writable) {
        zmm_result rc = settle(s);

        if (rc != ZMM_OK)
            return rc;
    }
    if (pos >= s->m->length)
        return ZMM_OK;
    if (len > s->m->length - pos)
        len = (size_t)(s->m->length - pos);
    while (done < len) {
        uint32_t index = (uint32_t)(pos >> s->m->block_shift);
        uint32_t offset = (uint32_t)(pos & (block_size(s) - 1));
        uint32_t count = block_size(s) - offset;
        zmm_cache_entry *e = zmm_cache_find(&s->cache, index);
        zmm_result rc;

        if (count > len - done)
            count = (uint32_t)(len - done);
        if (e == NULL && !s->writable)
            e = block_entering(s, index, done == 0 || follows);
        if (e == NULL && offset == 0 &&
            count == zmm_member_block_length(s->m, index)) {
            rc = decode_direct(s, index, out + done);
        } else {
            rc = load_block(s, e, index, offset + count, &e);
            if (rc == ZMM_OK)
                memcpy(out + done, e->data + offset, count);
        }
        if (rc != ZMM_OK)
            return rc;
        done += count;
        pos += count;
    }
    s->read_start = s->pos;
    s->read_end = pos;
    s->pos = pos;
    *got = done;
    return ZMM_OK;
}

/* The cached block `index` ready to be changed: whole, unless the caller
 * overwrites all of it anyway. */
static zmm_result block_for_write(zmm_stream *s, uint32_t index, int whole,
                                  zmm_cache_entry **out)
{
    zmm_cache_entry *e = zmm_cache_find(&s->cache, index);
    uint32_t n = zmm_member_block_length(s->m, index);
    zmm_result rc;

    if (!whole || (e != NULL && e->complete))
        return load_whole_block(s, e, index, out);
    if (e == NULL) {
        rc = take_entry(s, index, &e);
        if (rc != ZMM_OK)
            return rc;
    }
    if (s->inflating == e)
        s->inflating = NULL;
    finish_entry(s, e, n); /* its bytes are about to be overwritten */
    *out = e;
    return ZMM_OK;
}

zmm_result zmm_stream_write(zmm_stream *s, const void *buf, size_t len)
{
    const unsigned char *in = buf;
    uint64_t pos = s->pos;
    size_t done = 0;
    zmm_result rc;

    if (!s->writable)
        return ZMM_ERR_READ_ONLY;
    if (len == 0)
        return ZMM_OK;
    if (len > (uint64_t)INT64_MAX - pos)
        return ZMM_ERR_LIMIT;
    if (pos + len > s->m->length) {
        rc = set_length(s, pos + len);
        if (rc != ZMM_OK)
            return rc;
    }
    while (done < len) {
        uint32_t index = (uint32_t)(pos >> s->m->block_shift);
        uint32_t offset = (uint32_t)(pos & (block_size(s) - 1));
        uint32_t count = block_size(s) - offset;
        zmm_cache_entry *e;

        if (count > len - done)
            count = (uint32_t)(len - done);
        rc = block_for_write(
            s, index,
            offset == 0 && count == zmm_member_block_length(s->m, index), &e);
        if (rc != ZMM_OK) {
            s->pos = pos; /* what was written so far stays written */
            return rc;
        }
        memcpy(e->data + offset, in + done, count);
        e->dirty = 1;
        done += count;
        pos += count;
    }
    s->pos = pos;
    /* A recorder's checkpoint must not stall its write: with checkpoints
     * on, each block this write completed is stored now (it stays cached),
     * not all at once when the checkpoint flushes the cache. */
    if (zmm_archive_checkpointing(s->ar)) {
        uint32_t i = (uint32_t)((pos - len) >> s->m->block_shift);
        uint32_t end = (uint32_t)(pos >> s->m->block_shift);

        for (; i < end; i++) {
            zmm_cache_entry *e = zmm_cache_find(&s->cache, i);

            if (e != NULL && (rc = store_entry(s, e, 1)) != ZMM_OK)
                return rc;
        }
    }
    /* The write is in; now perhaps a checkpoint. At a block edge the blocks
     * before it are whole, so a sequential writer's checkpoint stores no
     * short block to be stored again at the next. */
    return zmm_archive_wrote(s->ar, len, ((pos - len) >> s->m->block_shift) !=
                                             (pos >> s->m->block_shift));
}

zmm_result zmm_stream_seek(zmm_stream *s, int64_t offset, int origin,
                           uint64_t *pos)
{
    int64_t base;

    switch (origin) {
    case ZMM_SEEK_SET: base = 0; break;
    case ZMM_SEEK_CUR: base = (int64_t)s->pos; break;
    case ZMM_SEEK_END: base = (int64_t)s->m->length; break;
    default: return ZMM_ERR_INVALID_ARG;
    }
    if ((offset < 0 && base + offset < 0) ||
        (offset > 0 && offset > INT64_MAX - base))
        return ZMM_ERR_INVALID_ARG;
    s->pos = (uint64_t)(base + offset);
    if (pos != NULL)
        *pos = s->pos;
    return ZMM_OK;
}

uint64_t zmm_stream_tell(const zmm_stream *s)
{
    return s->pos;
}

uint64_t zmm_stream_size(const zmm_stream *s)
{
    return s->m->length;
}

zmm_result zmm_stream_truncate(zmm_stream *s, uint64_t size)
{
    if (!s->writable)
        return ZMM_ERR_READ_ONLY;
    if (size > (uint64_t)INT64_MAX)
        return ZMM_ERR_LIMIT;
    return set_length(s, size);
}

zmm_result zmm_stream_flush(zmm_stream *s)
{
    uint32_t i, dirty = 0;
    zmm_result rc;

    for (i = 0; i < s->cache.capacity; i++)
        dirty += s->cache.entries[i].index != ZMM_CACHE_FREE &&
                 s->cache.entries[i].dirty;
    for (i = 0; i < s->cache.capacity; i++) {
        zmm_cache_entry *e = &s->cache.entries[i];

        /* One block is not worth starting threads for. */
        if (e->index != ZMM_CACHE_FREE &&
            (rc = store_entry(s, e, dirty > 1)) != ZMM_OK)
            return rc;
    }
    return settle(s);
}

static void stream_free(zmm_stream *s)
{

    /* First: the worker reads the archive's file and the stream's nothing
     * else, and must be gone before either is. */
    zmm_readahead_free(s->ra);
    zmm_readahead_pool_unref(s->pool);
    zmm_encode_pool_free(s->encoders); /* its threads read s->dict */
    zmm_free(s->ra_spare);
    if (s->ar != NULL) {
        zmm_archive_remove_stream(s->ar, s);
        zmm_archive_release_member(s->ar, s->m, s->writable);
    } else {
        /* A read-only file: closing it loses nothing. */
        (void)s->file->methods->close(s->file);
        zmm_snapshot_unref(s->snap);
        zmm_shared_cache_unref(s->shared);
    }
    zmm_cache_free(&s->cache);
    zmm_codec_free(s->decoder);
    zmm_free(s->stored);
    zmm_free(s->dict);
    zmm_free(s);
}

zmm_result zmm_stream_close(zmm_stream *s)
{
    zmm_result rc;

    if (s == NULL)
        return ZMM_OK;
    rc = s->writable ? zmm_stream_flush(s) : ZMM_OK;
    /* The blocks the flush could not store are lost with the stream. */
    if (rc != ZMM_OK && s->ar != NULL)
        zmm_archive_latch_failure(s->ar, rc);
    stream_free(s);
    return rc;
}

void zmm_stream_discard(zmm_stream *s)
{
    stream_free(s);
}

/* The buffers and decoder of a stream whose ar or snap, file, m and
 * writable are set. A read-only stream sizes its block buffers to the
 * member (a 20 KiB sound needs no 64 KiB buffers). */
static zmm_result stream_setup(zmm_stream *s, unsigned flags)
{
    uint64_t length = s->m->length != 0 ? s->m->length : 1;

    s->buf_size = block_size(s);
    if (!s->writable && length < s->buf_size)
        s->buf_size = (uint32_t)length;
    /* Writable streams read no blocks ahead: their blocks change under the
     * reader, and a block stored again moves; a worker holding an old
     * reference would need invalidating on every write. */
    s->readahead_allowed =
        !s->writable && !(flags & ZMM_STREAM_NO_READAHEAD);
    s->decoder = zmm_codec_new();
    s->stored = zmm_malloc(s->buf_size);
    return (s->decoder && s->stored) ? zmm_cache_init(&s->cache, s->buf_size)
                                     : ZMM_ERR_NOMEM;
}

static zmm_result check_options(const zmm_member_options *o,
                                unsigned *shift, int *level,
                                unsigned *threads, zmm_member_options *out)
{
    zmm_member_options full = {sizeof full, 0, -1, 0, 0, 0, 0, 0, 0};
    uint32_t size = ZMM_DEFAULT_BLOCK_SIZE;

    /* Fields past an older caller's struct_size keep their defaults. */
    if (o != NULL && zmm_struct_in(&full, sizeof full, o,
                                   ZMM_MEMBER_OPTIONS_V1) != ZMM_OK)
        return ZMM_ERR_INVALID_ARG;
    if (full.block_size != 0)
        size = full.block_size;
    *level = full.level != -1 ? full.level : ZMM_DEFAULT_LEVEL;
    if (size < ZMM_MIN_BLOCK_SIZE || size > ZMM_MAX_BLOCK_SIZE ||
        (size & (size - 1)) != 0 || *level < 0 || *level > 9 ||
        (full.threads > ZMM_ENCODE_MAX_THREADS &&
         full.threads != ZMM_THREADS_ALL) ||
        (full.pcm_max_kind != 0 && full.pcm_max_kind < ZMM_KIND_PCM_CHAN) ||
        full.pcm_max_kind > ZMM_KIND_PCM_PLANAR ||
        !zmm_meta_valid(full.meta,
                        (full.meta & ZMM_META_MTIME) ? full.mtime : 0,
                        (full.meta & ZMM_META_MTIME) ? full.mtime_nsec : 0,
                        (full.meta & ZMM_META_MODE) ? full.mode : 0))
        return ZMM_ERR_INVALID_ARG;
    *out = full;
    *threads = full.threads;
    if (*threads == ZMM_THREADS_ALL)
        *threads = zmm_cpu_count() < ZMM_ENCODE_MAX_THREADS
                       ? zmm_cpu_count()
                       : ZMM_ENCODE_MAX_THREADS;
    for (*shift = 0; (1u << *shift) < size; (*shift)++)
        ;
    return ZMM_OK;
}

zmm_result zmm_stream_open(zmm_archive *ar, const char *name, unsigned flags,
                           const zmm_member_options *options,
                           zmm_stream **out)
{
    unsigned shift, threads;
    int level;
    zmm_member_options opt;
    zmm_stream *s;
    zmm_member *m;
    zmm_result rc;

    *out = NULL;
    if ((flags & ~ZMM_STREAM_KNOWN_FLAGS) != 0 ||
        (!(flags & ZMM_STREAM_WRITE) &&
         (flags & (ZMM_STREAM_CREATE | ZMM_STREAM_TRUNCATE))))
        return ZMM_ERR_INVALID_ARG;
    if ((flags & ZMM_STREAM_WRITE) && !zmm_archive_writable(ar))
        return ZMM_ERR_READ_ONLY;
    rc = check_options(options, &shift, &level, &threads, &opt);
    if (rc != ZMM_OK)
        return rc;
    /* Reading takes any name a directory may hold (one written before the
     * UTF-8 rule too); creating or writing only a valid one. */
    if (name != NULL && name[0] != '\0' &&
        !((flags & ZMM_STREAM_WRITE) ? zmm_name_is_valid(name)
                                     : zmm_name_is_storable(name)))
        return ZMM_ERR_BAD_NAME;
    s = zmm_calloc(1, sizeof *s);
    if (s == NULL)
        return ZMM_ERR_NOMEM;
    rc = zmm_archive_open_member(ar, name, flags, shift, level, &m);
    if (rc != ZMM_OK) {
        zmm_free(s);
        return rc;
    }
    if (flags & ZMM_STREAM_WRITE)
        zmm_archive_set_member_meta(ar, m, opt.meta, opt.mtime,
                                    opt.mtime_nsec, opt.mode);
    s->ar = ar;
    s->file = zmm_archive_file(ar);
    s->m = m;
    s->writable = (flags & ZMM_STREAM_WRITE) != 0;
    s->threads = threads;
    s->pcm_max_kind = opt.pcm_max_kind != 0 ? opt.pcm_max_kind
                                            : ZMM_KIND_PCM_PLANAR;
    rc = zmm_archive_add_stream(ar, s);
    if (rc != ZMM_OK) {
        zmm_archive_release_member(ar, m, s->writable);
        zmm_free(s);
        return rc;
    }
    rc = stream_setup(s, flags);
    if (rc != ZMM_OK) {
        stream_free(s);
        return rc;
    }
    *out = s;
    return ZMM_OK;
}

zmm_result zmm_stream_open_snapshot(zmm_snapshot *snap, uint32_t index,
                                    zmm_file *file, zmm_shared_cache *shared,
                                    const zmm_file_id *id,
                                    zmm_readahead_pool *pool, unsigned flags,
                                    zmm_stream **out)
{
    zmm_stream *s = zmm_calloc(1, sizeof *s);
    zmm_result rc;

    *out = NULL;
    if (s == NULL) {
        (void)file->methods->close(file);
        zmm_snapshot_unref(snap);
        return ZMM_ERR_NOMEM;
    }
    s->snap = snap;
    s->file = file;
    zmm_snapshot_member_get(snap, index, &s->snap_member);
    s->m = &s->snap_member;
    if (shared != NULL) {
        zmm_shared_cache_ref(shared);
        s->shared = shared;
        s->file_id = *id;
    }
    if (pool != NULL) {
        zmm_readahead_pool_ref(pool);
        s->pool = pool;
    }
    rc = stream_setup(s, flags);
    if (rc != ZMM_OK) {
        stream_free(s);
        return rc;
    }
    *out = s;
    return ZMM_OK;
}

zmm_result zmm_stream_set_pcm_layout(zmm_stream *s,
                                     const zmm_pcm_layout *layout)
{
    zmm_pcm_layout full;

    if (!s->writable)
        return ZMM_ERR_READ_ONLY;
    memset(&full, 0, sizeof full);
    if (layout != NULL &&
        (zmm_struct_in(&full, sizeof full, layout, ZMM_PCM_LAYOUT_V1) !=
             ZMM_OK ||
         !zmm_pcm_layout_valid(&full)))
        return ZMM_ERR_INVALID_ARG;
    if (layout == NULL) {
        s->m->flags &= ~ZMM_MEMBER_PCM;
        memset(&s->m->pcm, 0, sizeof s->m->pcm);
    } else {
        s->m->flags |= ZMM_MEMBER_PCM;
        s->m->pcm = full;
    }
    zmm_archive_mark_modified(s->ar);
    return ZMM_OK;
}
