/*
 * test_readahead.c -- read-only streams with read-ahead return exactly the
 * bytes and the errors they return without it.
 *
 * An archive in memory holds members of every block kind (deflate, raw,
 * zero, PCM), of several block sizes, each with a short last block. Every
 * member is read in many patterns (sequential with several read sizes, a
 * window moving forward, random, seeking back, reads spanning blocks, reads
 * at and past the end), with read-ahead on (the default) and off
 * (ZMM_STREAM_NO_READAHEAD), and every byte is compared with the plain data.
 * White-box checks (stream.h) make sure the worker really started where it
 * should, and never started where it must not (random reads, writable
 * streams, the opt-out flag, the allocation hook). That the worker's
 * decoded blocks reach the reader is checked without racing it
 * (check_worker_blocks): the archive's file reports each block the worker
 * starts reading, and the reader waits for that before it reads the block.
 * Then: a damaged stored block of each kind gives the same results, call by
 * call, with read-ahead as without; streams opened and closed quickly (the
 * worker started and joined at once, or left to the archive's close); a
 * reader with read-ahead while another stream of the same archive appends.
 *
 * usage: test_readahead [SEED]
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "archive_file.h"
#include "directory.h"
#include "stream.h"
#include "test_util.h"
#include "thread.h"

typedef struct member {
    const char *name;
    uint32_t block_size;
    unsigned char *data;
    size_t len;
} member;

enum { NMEMBERS = 6 };
static member members[NMEMBERS];
static unsigned char *archive;
static size_t archive_len;
static uint64_t total_taken;

/* ---- building the archive ------------------------------------------------ */

static zmm_stream *create(zmm_archive *ar, const char *name, uint32_t bs)
{
    zmm_member_options o;
    zmm_stream *s = NULL;

    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = bs;
    o.level = -1;
    CHECK_OK(zmm_stream_open(ar, name, ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             &o, &s));
    return s;
}

/* 16-bit stereo: slow triangle waves plus a little noise, which the PCM
 * filter's predictor codes smaller than deflate alone. */
static void fill_pcm(tu_rng *r, unsigned char *p, size_t len)
{
    size_t i;
    int a = 0, da = 37, b = 0, db = -23;

    for (i = 0; i + 4 <= len; i += 4) {
        int l = a + (int)tu_rng_below(r, 9) - 4;
        int rr = b + (int)tu_rng_below(r, 9) - 4;

        p[i] = (unsigned char)(l & 0xff);
        p[i + 1] = (unsigned char)((l >> 8) & 0xff);
        p[i + 2] = (unsigned char)(rr & 0xff);
        p[i + 3] = (unsigned char)((rr >> 8) & 0xff);
        a += da;
        b += db;
        if (a > 20000 || a < -20000)
            da = -da;
        if (b > 15000 || b < -15000)
            db = -db;
    }
    for (; i < len; i++)
        p[i] = 0;
}

static void build(uint64_t seed)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    zmm_pcm_layout layout;
    tu_rng r;
    size_t i;

    CHECK(mem != NULL);
    tu_rng_seed(&r, seed);
    members[0].name = "text";
    members[0].block_size = 65536;
    members[0].len = 5 * 65536 / 2 * 16 + 1234; /* 40 blocks + a short one */
    members[1].name = "mixed";
    members[1].block_size = 4096;
    members[1].len = 1000 * 1024 + 77;
    members[2].name = "random";
    members[2].block_size = 16384;
    members[2].len = 600 * 1024 + 5;
    members[3].name = "sparse";
    members[3].block_size = 4096;
    members[3].len = 400 * 1024 + 3;
    members[4].name = "pcm.wav";
    members[4].block_size = 8192;
    members[4].len = 700 * 1024 + 2;
    members[5].name = "dict.txt"; /* deflate with a preset dictionary */
    members[5].block_size = 65536;
    members[5].len = 24 * 65536 + 99;
    for (i = 0; i < NMEMBERS; i++)
        members[i].data = tu_xcalloc(members[i].len);
    tu_fill(&r, TU_DATA_TEXT, members[0].data, members[0].len);
    tu_fill(&r, TU_DATA_MIXED, members[1].data, members[1].len);
    tu_fill(&r, TU_DATA_RANDOM, members[2].data, members[2].len);
    /* sparse: islands of text among zeros, some never written */
    tu_fill(&r, TU_DATA_TEXT, members[3].data, 10000);
    tu_fill(&r, TU_DATA_RANDOM, members[3].data + 100 * 1024, 5000);
    tu_fill(&r, TU_DATA_TEXT, members[3].data + 200 * 1024, 40000);
    members[3].data[members[3].len - 1] = 7;
    fill_pcm(&r, members[4].data, members[4].len);
    tu_fill(&r, TU_DATA_TEXT, members[5].data, members[5].len);

    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    for (i = 0; i < NMEMBERS; i++) {
        zmm_stream *s = create(ar, members[i].name, members[i].block_size);

        if (i == 4) {
            memset(&layout, 0, sizeof layout);
            layout.struct_size = sizeof layout;
            layout.offset = 0;
            layout.length = members[4].len;
            layout.bits = 16;
            layout.channels = 2;
            CHECK_OK(zmm_stream_set_pcm_layout(s, &layout));
        }
        if (i == 5) { /* text like the member's, not the same bytes */
            unsigned char dict[16384];

            tu_fill(&r, TU_DATA_TEXT, dict, sizeof dict);
            CHECK_OK(zmm_stream_set_dictionary(s, dict, sizeof dict));
        }
        if (i == 3) { /* seeks past the end leave zero blocks */
            const member *m = &members[3];
            CHECK_OK(zmm_stream_write(s, m->data, 10000));
            CHECK_OK(zmm_stream_seek(s, 100 * 1024, ZMM_SEEK_SET, NULL));
            CHECK_OK(zmm_stream_write(s, m->data + 100 * 1024, 5000));
            CHECK_OK(zmm_stream_seek(s, 200 * 1024, ZMM_SEEK_SET, NULL));
            CHECK_OK(zmm_stream_write(s, m->data + 200 * 1024, 40000));
            CHECK_OK(zmm_stream_seek(s, (int64_t)m->len - 1, ZMM_SEEK_SET,
                                     NULL));
            CHECK_OK(zmm_stream_write(s, m->data + m->len - 1, 1));
        } else {
            CHECK_OK(zmm_stream_write(s, members[i].data, members[i].len));
        }
        CHECK_OK(zmm_stream_close(s));
    }
    CHECK_OK(zmm_archive_close(ar));
    archive = tu_memfile_copy(mem, &archive_len);
    mem->methods->close(mem);
}

/* Every block kind is there, or the test proves less than it says. */
static void check_kinds(void)
{
    tu_fmt_archive a;
    const char *why = tu_fmt_parse(archive, archive_len, 1, &a);
    unsigned seen[4] = {0, 0, 0, 0};
    uint32_t i, b;

    CHECKF(why == NULL, "archive: %s", why);
    for (i = 0; i < a.member_count; i++)
        for (b = 0; b < a.members[i].block_count; b++)
            seen[a.members[i].blocks[b].kind < 3
                     ? a.members[i].blocks[b].kind
                     : ZMM_KIND_PCM]++; /* kinds 3 to 6 */
    CHECKF(seen[ZMM_KIND_ZERO] && seen[ZMM_KIND_RAW] &&
               seen[ZMM_KIND_DEFLATE] && seen[ZMM_KIND_PCM],
           "kinds: zero %u raw %u deflate %u pcm %u", seen[0], seen[1],
           seen[2], seen[3]);
    tu_fmt_free(&a);
}

/* ---- reading ------------------------------------------------------------- */

static zmm_archive *open_bytes(const unsigned char *bytes, size_t len,
                               unsigned flags)
{
    zmm_archive *ar = NULL;

    CHECK_OK(tu_open_bytes(bytes, len, flags, &ar));
    return ar;
}

static zmm_stream *open_stream(zmm_archive *ar, const member *m,
                               unsigned flags)
{
    zmm_stream *s = NULL;

    CHECK_OK(zmm_stream_open(ar, m->name, flags, NULL, &s));
    return s;
}

static unsigned char *buf;

/* Reads len bytes at pos and compares them with the member's. */
static void read_check(zmm_stream *s, const member *m, uint64_t pos,
                       size_t len)
{
    size_t want = pos >= m->len ? 0
                  : len > m->len - pos ? (size_t)(m->len - pos)
                                       : len;
    size_t got = 12345;

    tu_set_context("member %s pos %llu len %lu", m->name,
                   (unsigned long long)pos, (unsigned long)len);
    CHECK_OK(zmm_stream_seek(s, (int64_t)pos, ZMM_SEEK_SET, NULL));
    CHECK_OK(zmm_stream_read(s, buf, len, &got));
    CHECK_U64(got, want);
    if (want > 0)
        CHECK_MEM(buf, m->data + pos, want);
    CHECK_U64(zmm_stream_tell(s), pos + want);
}

enum {
    P_SEQ_BLOCK, P_SEQ_4K, P_SEQ_ODD, P_WINDOW, P_RANDOM, P_SEEK_BACK,
    P_SPANNING, P_EOF, P_COUNT
};

static const char *const pattern_names[P_COUNT] = {
    "sequential blocks", "sequential 4 KiB", "sequential odd sizes",
    "forward window", "random", "seek back", "spanning", "end of member",
};

static void run_pattern(zmm_stream *s, const member *m, int p, tu_rng *r)
{
    uint64_t bs = m->block_size, pos = 0;
    size_t i;

    switch (p) {
    case P_SEQ_BLOCK:
    case P_SEQ_4K:
    case P_SEQ_ODD:
        while (pos < m->len) {
            size_t n = p == P_SEQ_BLOCK ? (size_t)bs
                       : p == P_SEQ_4K  ? 4096
                                        : (size_t)tu_rng_range(r, 1, 3 * bs);
            read_check(s, m, pos, n);
            pos += n;
        }
        read_check(s, m, pos, 100); /* at the end: 0 bytes */
        break;
    case P_WINDOW: { /* a player scrubbing: 16 blocks, moving forward */
        uint64_t w = 16 * bs, start = 0, step = bs / 16;
        unsigned k = 0;

        while (start + 4096 < m->len) {
            uint64_t span = start + w > m->len ? m->len - start : w;
            uint64_t at = start + tu_rng_below(r, span);

            read_check(s, m, at, 4096);
            if (++k % 8 == 0)
                start += step;
        }
        break;
    }
    case P_RANDOM:
        for (i = 0; i < 300; i++)
            read_check(s, m, tu_rng_below(r, m->len + 100),
                       (size_t)tu_rng_range(r, 1, 2 * bs));
        break;
    case P_SEEK_BACK:
        for (pos = 0; pos < m->len / 2; pos += bs)
            read_check(s, m, pos, (size_t)bs);
        pos = pos > 3 * bs ? pos - 3 * bs : 0;
        for (; pos < m->len; pos += 5000)
            read_check(s, m, pos, 5000);
        read_check(s, m, 0, (size_t)(2 * bs));
        read_check(s, m, bs / 2, (size_t)(3 * bs));
        break;
    case P_SPANNING:
        for (pos = bs - 100; pos < m->len; pos += bs)
            read_check(s, m, pos, (size_t)bs + 200);
        break;
    case P_EOF:
        read_check(s, m, m->len - 10, 100);
        read_check(s, m, m->len, 1);
        read_check(s, m, m->len + 1000, 10);
        read_check(s, m, m->len - 1, 1);
        read_check(s, m, 0, m->len + 10); /* the whole member at once */
        break;
    }
}

static void check_patterns(uint64_t seed)
{
    zmm_archive *ar = open_bytes(archive, archive_len, ZMM_OPEN_READ);
    int p, mi, off;

    for (mi = 0; mi < NMEMBERS; mi++) {
        const member *m = &members[mi];
        uint64_t taken = 0;

        for (p = 0; p < P_COUNT; p++)
            for (off = 0; off < 2; off++) {
                zmm_stream *s = open_stream(
                    ar, m, off ? ZMM_STREAM_NO_READAHEAD : ZMM_STREAM_READ);
                tu_rng r;

                tu_rng_seed(&r, seed * 100 + (uint64_t)p);
                run_pattern(s, m, p, &r);
                tu_set_context("member %s pattern %s read-ahead %s", m->name,
                               pattern_names[p], off ? "off" : "on");
                if (off || mi == 2) /* random: raw blocks need none */
                    CHECK(s->ra == NULL);
                else if (p <= P_SEQ_ODD || p == P_SEEK_BACK ||
                         p == P_SPANNING)
                    CHECK(s->ra != NULL); /* forward runs: it started */
                taken += s->ra_taken;
                CHECK_OK(zmm_stream_close(s));
            }
        /* Members with deflate or PCM blocks: the worker's blocks reached
         * the reader (it decoded them right, with the dictionary too),
         * not only the reader's own decodes. */
        /* How many of the worker's blocks reached the reader here depends
         * on the scheduler (a reader finding its block still queued
         * decodes it itself): counted, never asserted. check_worker_blocks
         * proves they do reach it. */
        total_taken += taken;
    }
    CHECK_OK(zmm_archive_close(ar));
}

/* ---- the worker's blocks reach the reader, deterministically -------------- */

/* A file that forwards to an in-memory one and reports every read_shared
 * (only the read-ahead worker calls it: the reader uses read_at) under a
 * mutex, so the test can wait until the worker has started on a block. */
typedef struct watched_file {
    zmm_file base;
    zmm_file *inner;
    zmm_mutex *lock;
    zmm_cond *changed;
    uint64_t offsets[64]; /* the stored offsets read_shared was asked for */
    unsigned count;
} watched_file;

static zmm_result w_read_at(zmm_file *f, uint64_t off, void *b, size_t n)
{
    zmm_file *in = ((watched_file *)f)->inner;

    return in->methods->read_at(in, off, b, n);
}

static zmm_result w_write_at(zmm_file *f, uint64_t off, const void *b,
                             size_t n)
{
    zmm_file *in = ((watched_file *)f)->inner;

    return in->methods->write_at(in, off, b, n);
}

static zmm_result w_size(zmm_file *f, uint64_t *size)
{
    zmm_file *in = ((watched_file *)f)->inner;

    return in->methods->size(in, size);
}

static zmm_result w_truncate(zmm_file *f, uint64_t size)
{
    zmm_file *in = ((watched_file *)f)->inner;

    return in->methods->truncate(in, size);
}

static zmm_result w_sync(zmm_file *f)
{
    zmm_file *in = ((watched_file *)f)->inner;

    return in->methods->sync(in);
}

static zmm_result w_close(zmm_file *f)
{
    watched_file *w = (watched_file *)f;
    zmm_result rc = w->inner->methods->close(w->inner);

    zmm_cond_free(w->changed);
    zmm_mutex_free(w->lock);
    free(w);
    return rc;
}

static zmm_result w_read_shared(zmm_file *f, uint64_t off, void *b, size_t n)
{
    watched_file *w = (watched_file *)f;

    zmm_mutex_lock(w->lock);
    if (w->count < sizeof w->offsets / sizeof w->offsets[0])
        w->offsets[w->count++] = off;
    zmm_cond_broadcast(w->changed);
    zmm_mutex_unlock(w->lock);
    return w->inner->methods->read_shared(w->inner, off, b, n);
}

static const zmm_file_methods watched_methods = {
    w_read_at, w_write_at, w_size, w_truncate, w_sync, w_close,
    w_read_shared, NULL};

/* Waits until the worker has called read_shared for the stored bytes at
 * `offset`: from then on the block is the worker's (being decoded, or
 * done), and the reader reaching it waits for it or takes it. No time
 * limit of our own: a worker that never comes is CTest's timeout. */
static void wait_worker_started(watched_file *w, uint64_t offset)
{
    unsigned i;
    int seen = 0;

    zmm_mutex_lock(w->lock);
    while (!seen) {
        for (i = 0; i < w->count && !seen; i++)
            seen = w->offsets[i] == offset;
        if (!seen)
            zmm_cond_wait(w->changed, w->lock);
    }
    zmm_mutex_unlock(w->lock);
}

/* For each member with deflate or PCM blocks: read blocks 0, 1, 2... until
 * the forward run starts the worker, which is asked for the next worthwhile
 * blocks; wait until the worker has started reading the first of those,
 * then read on: that block, and each later one the worker was asked for,
 * comes from the worker (s->ra_taken), decoded right (every byte compared;
 * the dictionary member too). Raw and sparse members are left out: no
 * worker for them (check_patterns checks that). */
static void check_worker_blocks(void)
{
    static const int worthy[] = {0, 1, 4, 5}; /* text, mixed, pcm, dict */
    size_t k;

    for (k = 0; k < sizeof worthy / sizeof worthy[0]; k++) {
        const member *m = &members[worthy[k]];
        watched_file *w = tu_xcalloc(sizeof *w);
        zmm_archive *ar = NULL;
        zmm_stream *s;
        uint32_t b, cur, first = 0;

        w->base.methods = &watched_methods;
        w->inner = zmm_memfile_new(archive, archive_len);
        w->lock = zmm_mutex_new();
        w->changed = zmm_cond_new();
        CHECK(w->inner != NULL && w->lock != NULL && w->changed != NULL);
        CHECK_OK(zmm_archive_open_file(&w->base, ZMM_OPEN_READ, &ar));
        s = open_stream(ar, m, ZMM_STREAM_READ);
        tu_set_context("worker blocks: member %s", m->name);
        /* reading forward, block by block, until the worker starts (a run
         * of 2 steps with a worthwhile next block) */
        for (cur = 0; cur + 4 < s->m->block_count && s->ra == NULL; cur++)
            read_check(s, m, (uint64_t)cur * m->block_size, m->block_size);
        CHECK(s->ra != NULL);
        /* the first block after the last one read worth a worker (deflate
         * or PCM): it was queued */
        for (b = cur; b < cur + ZMM_READAHEAD_DEPTH && first == 0; b++)
            if (b < s->m->block_count &&
                (s->m->blocks[b].kind == ZMM_KIND_DEFLATE ||
                 s->m->blocks[b].kind == ZMM_KIND_PCM))
                first = b;
        CHECKF(first != 0, "member %s: no deflate or PCM block in %u..%u",
               m->name, (unsigned)cur,
               (unsigned)(cur + ZMM_READAHEAD_DEPTH - 1));
        wait_worker_started(w, s->m->blocks[first].offset);
        CHECK_U64(s->ra_taken, 0);
        for (b = cur; b <= first; b++)
            read_check(s, m, (uint64_t)b * m->block_size, m->block_size);
        CHECKF(s->ra_taken >= 1,
               "block %u was the worker's, but the reader decoded it itself",
               (unsigned)first);
        CHECK_OK(zmm_stream_close(s));
        CHECK_OK(zmm_archive_close(ar)); /* closes w */
    }
}

/* Jumps with at most two blocks in a row, and the other streams that must
 * never read ahead. */
static void check_no_start(void)
{
    static const uint32_t jumps[] = {10, 3, 7, 20, 4, 5, 30, 12, 13, 1,
                                     25, 26, 2, 35, 36, 0, 18};
    const member *m = &members[0];
    zmm_archive *ar = open_bytes(archive, archive_len, ZMM_OPEN_READ);
    zmm_stream *s = open_stream(ar, m, ZMM_STREAM_READ);
    size_t i;

    for (i = 0; i < sizeof jumps / sizeof jumps[0]; i++)
        read_check(s, m, (uint64_t)jumps[i] * m->block_size + 100, 4096);
    tu_set_context("random jumps");
    CHECK(s->ra == NULL);
    CHECK_OK(zmm_stream_close(s));

    /* uniform random 4 KiB reads, many spanning two blocks: those pairs
     * must not add up to a forward run (a fixed seed: the start does not
     * depend on timing) */
    {
        const member *mx = &members[1];
        tu_rng r;

        tu_rng_seed(&r, 99);
        s = open_stream(ar, mx, ZMM_STREAM_READ);
        for (i = 0; i < 5000; i++)
            read_check(s, mx, tu_rng_below(&r, mx->len), 4096);
        tu_set_context("uniform random reads");
        CHECK(s->ra == NULL);
        CHECK_OK(zmm_stream_close(s));
    }

    /* every allocation of the worker fails (its stored-bytes buffer and
     * inflate's state, made when it takes its first block): the reader
     * decodes each block itself and reads right */
    tu_alloc_fail_elsewhere();
    s = open_stream(ar, m, ZMM_STREAM_READ);
    for (i = 0; s->ra == NULL && i < m->len / m->block_size; i++)
        read_check(s, m, (uint64_t)i * m->block_size, m->block_size);
    tu_set_context("the worker's allocations failing");
    CHECK(s->ra != NULL);
    /* the worker has taken a queued block and failed to allocate */
    printf("%s: %lu allocations of the worker failed\n", tu_test_name,
           tu_alloc_wait_failed_elsewhere());
    for (; i < m->len / m->block_size; i++)
        read_check(s, m, (uint64_t)i * m->block_size, m->block_size);
    CHECK_U64(s->ra_taken, 0);
    CHECK_OK(zmm_stream_close(s));
    tu_alloc_fail_after(-1);
    CHECK_OK(zmm_archive_close(ar));

    /* writable streams never */
    ar = open_bytes(archive, archive_len, ZMM_OPEN_WRITE);
    s = open_stream(ar, m, ZMM_STREAM_WRITE);
    for (i = 0; i < 8; i++)
        read_check(s, m, (uint64_t)i * m->block_size, m->block_size);
    tu_set_context("writable stream");
    CHECK(s->ra == NULL);
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
}

/* ---- damage -------------------------------------------------------------- */

/* What one read call gave. */
typedef struct outcome {
    int rc;
    size_t got;
    uint32_t sum;
} outcome;

static uint32_t checksum(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* Reads the member in `step`-byte reads (skipping one block on an error),
 * recording each call. Returns the number of calls. */
static size_t read_all(const unsigned char *bytes, size_t len,
                       const member *m, unsigned flags, size_t step,
                       outcome *out, size_t max, int *errors)
{
    zmm_archive *ar = open_bytes(bytes, len, ZMM_OPEN_READ);
    zmm_stream *s = open_stream(ar, m, flags);
    uint64_t pos = 0;
    size_t calls = 0;

    *errors = 0;
    while (pos < m->len && calls < max) {
        outcome o;

        CHECK_OK(zmm_stream_seek(s, (int64_t)pos, ZMM_SEEK_SET, NULL));
        o.got = 0;
        o.rc = zmm_stream_read(s, buf, step, &o.got);
        o.sum = checksum(buf, o.got);
        if (o.rc == ZMM_OK && o.got > 0)
            CHECK_MEM(buf, m->data + pos, o.got); /* never a wrong byte */
        out[calls++] = o;
        if (o.rc != ZMM_OK) {
            (*errors)++;
            pos = (pos / m->block_size + 1) * m->block_size;
        } else {
            pos += o.got;
        }
    }
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
    return calls;
}

static void check_damage(void)
{
    tu_fmt_archive a;
    const char *why = tu_fmt_parse(archive, archive_len, 0, &a);
    unsigned char *bad = tu_xmalloc(archive_len);
    size_t max = 4096;
    outcome *on = tu_xcalloc(max * sizeof *on);
    outcome *off = tu_xcalloc(max * sizeof *off);
    unsigned kinds_damaged = 0;
    uint32_t i, b;

    CHECKF(why == NULL, "archive: %s", why);
    for (i = 0; i < a.member_count; i++) {
        const member *m = NULL;
        int mi, kind;

        for (mi = 0; mi < NMEMBERS; mi++)
            if (strcmp(members[mi].name, a.members[i].name) == 0)
                m = &members[mi];
        CHECK(m != NULL);
        for (kind = ZMM_KIND_RAW; kind <= ZMM_KIND_PCM; kind++) {
            const tu_fmt_block *blk = NULL;
            size_t steps[2], si;

            /* the first block of this kind with three before it, so that
             * the worker reaches it before the reader */
            for (b = 3; b < a.members[i].block_count && blk == NULL; b++)
                if (a.members[i].blocks[b].kind == (unsigned)kind)
                    blk = &a.members[i].blocks[b];
            if (blk == NULL)
                continue;
            kinds_damaged |= 1u << kind;
            memcpy(bad, archive, archive_len);
            bad[blk->offset + blk->stored_size / 2] ^= 0x10;
            steps[0] = m->block_size;
            steps[1] = 4096;
            for (si = 0; si < 2; si++) {
                int errors_on, errors_off;
                size_t n_on, n_off, k;

                tu_set_context("damaged %s block kind %d, reads of %lu",
                               m->name, kind, (unsigned long)steps[si]);
                n_on = read_all(bad, archive_len, m, ZMM_STREAM_READ,
                                steps[si], on, max, &errors_on);
                n_off = read_all(bad, archive_len, m,
                                 ZMM_STREAM_NO_READAHEAD, steps[si], off, max,
                                 &errors_off);
                CHECK_U64(n_on, n_off);
                CHECK(errors_off > 0); /* the damage is seen */
                CHECK_U64(errors_on, errors_off);
                for (k = 0; k < n_on; k++) {
                    CHECK_U64(on[k].rc, off[k].rc);
                    CHECK_U64(on[k].got, off[k].got);
                    CHECK_U64(on[k].sum, off[k].sum);
                }
            }
        }
    }
    tu_set_context("damage");
    CHECK_U64(kinds_damaged, (1u << ZMM_KIND_RAW) | (1u << ZMM_KIND_DEFLATE) |
                                 (1u << ZMM_KIND_PCM));
    tu_fmt_free(&a);
    free(bad);
    free(on);
    free(off);
}

/* ---- threads: start, stop, join ------------------------------------------ */

static void check_churn(uint64_t seed)
{
    zmm_archive *ar = open_bytes(archive, archive_len, ZMM_OPEN_READ);
    zmm_stream *s[NMEMBERS];
    tu_rng r;
    int i, k, mi;

    tu_rng_seed(&r, seed);
    /* opened, a few blocks read (the worker just started), closed */
    for (i = 0; i < 300; i++) {
        const member *m = &members[tu_rng_below(&r, NMEMBERS)];
        zmm_stream *t = open_stream(ar, m, ZMM_STREAM_READ);
        int blocks = (int)tu_rng_range(&r, 0, 6);

        for (k = 0; k < blocks; k++)
            read_check(t, m, (uint64_t)k * m->block_size, m->block_size);
        CHECK_OK(zmm_stream_close(t));
    }
    /* several streams reading ahead at once, left open for the archive's
     * close to stop */
    for (i = 0; i < 20; i++) {
        for (mi = 0; mi < NMEMBERS; mi++)
            s[mi] = open_stream(ar, &members[mi], ZMM_STREAM_READ);
        for (k = 0; k < 5; k++)
            for (mi = 0; mi < NMEMBERS; mi++)
                read_check(s[mi], &members[mi],
                           (uint64_t)k * members[mi].block_size + 1,
                           members[mi].block_size);
        if (i % 2 == 0)
            for (mi = 0; mi < NMEMBERS; mi++)
                CHECK_OK(zmm_stream_close(s[mi]));
        else {
            CHECK_OK(zmm_archive_close(ar));
            ar = open_bytes(archive, archive_len, ZMM_OPEN_READ);
        }
    }
    CHECK_OK(zmm_archive_close(ar));
}

/* A reader with read-ahead while another stream appends to the same file
 * (which moves the memory file's bytes). */
static void check_concurrent_writer(uint64_t seed)
{
    zmm_archive *ar = open_bytes(archive, archive_len, ZMM_OPEN_WRITE);
    const member *m = &members[0];
    zmm_stream *rd = open_stream(ar, m, ZMM_STREAM_READ);
    zmm_stream *wr = create(ar, "out", 4096);
    unsigned char *junk = tu_xmalloc(100000);
    uint64_t pos;
    unsigned k = 0;
    tu_rng r;

    tu_rng_seed(&r, seed);
    for (pos = 0; pos < m->len; pos += 4096) {
        read_check(rd, m, pos, 4096);
        if (++k % 16 == 0) {
            tu_fill(&r, TU_DATA_RANDOM, junk, 100000);
            CHECK_OK(zmm_stream_write(wr, junk, 100000));
            CHECK_OK(zmm_stream_flush(wr));
        }
    }
    tu_set_context("concurrent writer");
    CHECK(rd->ra != NULL);
    CHECK_OK(zmm_stream_close(rd));
    CHECK_OK(zmm_stream_close(wr));
    CHECK_OK(zmm_archive_close(ar));
    free(junk);
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    int i;

    tu_init("test_readahead");
    if (argc > 1 && !tu_parse_u64(argv[1], &seed)) {
        fprintf(stderr, "usage: test_readahead [SEED]\n");
        return 2;
    }
    buf = tu_xmalloc(4u << 20);
    build(seed);
    check_kinds();
    check_patterns(seed);
    check_worker_blocks();
    check_no_start();
    check_damage();
    check_churn(seed);
    check_concurrent_writer(seed);
    for (i = 0; i < NMEMBERS; i++)
        free(members[i].data);
    free(archive);
    free(buf);
    printf("test_readahead: ok (%llu blocks from the worker)\n",
           (unsigned long long)total_taken);
    return 0;
}
