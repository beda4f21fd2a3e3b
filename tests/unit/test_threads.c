/*
 * test_threads.c -- blocks compressed on worker threads
 * (zmm_member_options.threads, issue 15).
 *
 * 1. The same writes give the same archive bytes with 1, 2, 3 and 8
 *    threads: members of many sizes and kinds (empty, short, one block,
 *    a block and a byte, more blocks than the stream's cache holds; zero,
 *    raw, deflate, PCM, a dictionary), in writes of random sizes, with an
 *    earlier byte rewritten (as mmioAscend does), a truncation, a read
 *    back in the middle, and a checkpointing stream. Each reads back.
 * 2. A write failing at each event of the file layer (fault_file) leaves
 *    the file with the same bytes whatever the number of threads, and the
 *    failure is reported by a call (a write, the stream's close or the
 *    archive's); the archive then opens at its last commit.
 * 3. Every allocation of the workers failing, then every allocation
 *    failing in turn (the caller's and the workers', as they come), while
 *    a member is written on 3 threads: a call reports
 *    ZMM_ERR_NOMEM, or all succeed; either way the archive opens at a
 *    commit, the earlier member whole and the new one whole or absent
 *    (and, under ASan, nothing leaks).
 * Behaviour only: no timing, no sleeps.
 */
#include <stdlib.h>
#include <string.h>

#include "archive_file.h"
#include "test_util.h"

typedef struct member_spec {
    const char *name;
    uint64_t size;
    int kind; /* a tu_data_kind, or -1: 16-bit stereo PCM */
    uint32_t block_size;
    int dict;
} member_spec;

static const member_spec specs[] = {
    {"empty", 0, TU_DATA_TEXT, 0, 0},
    {"short", 100, TU_DATA_TEXT, 0, 0},
    {"one", 65536, TU_DATA_TEXT, 0, 0},
    {"one+1", 65537, TU_DATA_MIXED, 0, 0},
    {"zeros", 300000, TU_DATA_ZEROS, 0, 0},
    {"raw", 500000, TU_DATA_RANDOM, 0, 0},
    {"text", 5u << 20, TU_DATA_TEXT, 0, 0}, /* past the 64-block cache */
    {"mixed4k", 1u << 20, TU_DATA_MIXED, 4096, 0},
    {"pcm", 3u << 20, -1, 0, 0},
    {"dict", 700000, TU_DATA_TEXT, 16384, 1},
};
#define SPEC_COUNT (sizeof specs / sizeof specs[0])

static void fill(const member_spec *m, unsigned char *buf, uint64_t seed)
{
    tu_rng r;
    uint64_t i;

    tu_rng_seed(&r, seed);
    if (m->kind >= 0) {
        tu_fill(&r, (tu_data_kind)m->kind, buf, (size_t)m->size);
        return;
    }
    /* A slow wave with a little noise: the PCM filter's kind of data. */
    for (i = 0; i + 4 <= m->size; i += 4) {
        int v = (int)((i / 4) % 400) * 40 - 8000 +
                (int)tu_rng_below(&r, 64);

        buf[i] = (unsigned char)(v & 0xff);
        buf[i + 1] = (unsigned char)((v >> 8) & 0xff);
        buf[i + 2] = buf[i];
        buf[i + 3] = buf[i + 1];
    }
}

/* Writes member m through stream s in random sizes from seed; with
 * `extras`, rewrites an early byte, reads back, truncates. */
static zmm_result write_member(zmm_stream *s, const member_spec *m,
                               const unsigned char *data, uint64_t seed)
{
    tu_rng r;
    uint64_t off = 0;
    zmm_result rc = ZMM_OK;

    tu_rng_seed(&r, seed ^ 0x77);
    if (m->kind < 0) {
        zmm_pcm_layout l;

        memset(&l, 0, sizeof l);
        l.struct_size = sizeof l;
        l.bits = 16;
        l.channels = 2;
        rc = zmm_stream_set_pcm_layout(s, &l);
    }
    if (rc == ZMM_OK && m->dict)
        rc = zmm_stream_set_dictionary(s, data, 4096);
    while (rc == ZMM_OK && off < m->size) {
        uint64_t n = tu_rng_range(&r, 1, 200000);

        if (n > m->size - off)
            n = m->size - off;
        rc = zmm_stream_write(s, data + off, (size_t)n);
        off += n;
    }
    if (rc == ZMM_OK && m->size > 8) { /* a RIFF size fixed up at the end */
        rc = zmm_stream_seek(s, 4, ZMM_SEEK_SET, NULL);
        if (rc == ZMM_OK)
            rc = zmm_stream_write(s, data + 4, 4);
    }
    return rc;
}

/* Builds the archive of all specs with `threads` into a new memory file
 * (returned); the members' data in bufs. */
static zmm_file *build(uint32_t threads, unsigned char **bufs)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    size_t i;

    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    for (i = 0; i < SPEC_COUNT; i++) {
        zmm_member_options o;
        zmm_stream *s = NULL;

        tu_set_context("threads %u, member %s", (unsigned)threads,
                       specs[i].name);
        memset(&o, 0, sizeof o);
        o.struct_size = sizeof o;
        o.block_size = specs[i].block_size;
        o.level = -1;
        o.threads = threads;
        CHECK_OK(zmm_stream_open(ar, specs[i].name,
                                 ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, &o,
                                 &s));
        CHECK_OK(write_member(s, &specs[i], bufs[i], i));
        if (strcmp(specs[i].name, "text") == 0) {
            /* A read in the middle sees every byte handed to the threads. */
            unsigned char got[1000];
            size_t n = 0;

            CHECK_OK(zmm_stream_seek(s, 70000, ZMM_SEEK_SET, NULL));
            CHECK_OK(zmm_stream_read(s, got, sizeof got, &n));
            CHECK(n == sizeof got && memcmp(got, bufs[i] + 70000, n) == 0);
            /* A truncation drops blocks still being encoded. */
            CHECK_OK(zmm_stream_truncate(s, specs[i].size - 300000));
            CHECK_OK(zmm_stream_seek(s, 0, ZMM_SEEK_END, NULL));
            CHECK_OK(zmm_stream_write(s, bufs[i] + specs[i].size - 300000,
                                      300000));
        }
        CHECK_OK(zmm_stream_close(s));
        if (i == 4)
            CHECK_OK(zmm_archive_commit(ar));
    }
    CHECK_OK(zmm_archive_close(ar));
    return mem;
}

/* A recorder with checkpoints: every block is handed over as a write
 * completes it, and each checkpoint publishes only stored blocks. */
static zmm_file *build_recording(uint32_t threads, const unsigned char *data,
                                 size_t len)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_checkpoint_policy p;
    zmm_member_options o;
    size_t off;

    tu_set_context("recording with checkpoints, threads %u",
                   (unsigned)threads);
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.bytes = 1u << 20;
    CHECK_OK(zmm_archive_set_checkpoints(ar, &p));
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.level = -1;
    o.threads = threads;
    CHECK_OK(zmm_stream_open(ar, "rec", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             &o, &s));
    for (off = 0; off < len; off += 16384) {
        size_t n = len - off < 16384 ? len - off : 16384;

        CHECK_OK(zmm_stream_write(s, data + off, n));
        if (off % (1u << 20) == 0 && off > 0) {
            /* A new opener now reads what was checkpointed. */
            size_t flen;
            const unsigned char *fb = zmm_memfile_data(mem, &flen);
            zmm_archive *r = NULL;
            zmm_stream *rs = NULL;
            unsigned char *got;
            size_t g = 0;
            uint64_t size;

            CHECK_OK(tu_open_bytes(fb, flen, ZMM_OPEN_READ, &r));
            if (zmm_stream_open(r, "rec", ZMM_STREAM_READ, NULL, &rs) ==
                ZMM_OK) {
                size = zmm_stream_size(rs);
                got = tu_xmalloc((size_t)size + 1);
                CHECK_OK(zmm_stream_read(rs, got, (size_t)size, &g));
                CHECK(g == size && memcmp(got, data, g) == 0);
                free(got);
                CHECK_OK(zmm_stream_close(rs));
            }
            CHECK_OK(zmm_archive_close(r));
        }
    }
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
    return mem;
}

static void check_reads_back(zmm_file *mem, unsigned char **bufs)
{
    size_t len, i;
    const unsigned char *bytes = zmm_memfile_data(mem, &len);
    zmm_archive *ar = NULL;

    CHECK_OK(tu_open_bytes(bytes, len, ZMM_OPEN_READ, &ar));
    for (i = 0; i < SPEC_COUNT; i++) {
        zmm_stream *s = NULL;
        unsigned char *got = tu_xmalloc((size_t)specs[i].size + 1);
        size_t n = 0;

        tu_set_context("reading member %s", specs[i].name);
        CHECK_OK(zmm_stream_open(ar, specs[i].name, ZMM_STREAM_READ, NULL,
                                 &s));
        CHECK_U64(zmm_stream_size(s), specs[i].size);
        CHECK_OK(zmm_stream_read(s, got, (size_t)specs[i].size + 1, &n));
        CHECK_U64(n, specs[i].size);
        CHECK(memcmp(got, bufs[i], n) == 0);
        free(got);
        CHECK_OK(zmm_stream_close(s));
    }
    CHECK_OK(zmm_archive_verify_member(ar, "text", NULL));
    CHECK_OK(zmm_archive_close(ar));
}

static void check_same(zmm_file *a, zmm_file *b, const char *what,
                       unsigned threads)
{
    size_t la, lb;
    const unsigned char *x = zmm_memfile_data(a, &la);
    const unsigned char *y = zmm_memfile_data(b, &lb);

    CHECKF(la == lb && memcmp(x, y, la) == 0,
           "%s: %u threads wrote other bytes than 1 (%lu vs %lu bytes)",
           what, threads, (unsigned long)lb, (unsigned long)la);
}

static void identical(void)
{
    static const uint32_t counts[] = {2, 3, 8, ZMM_THREADS_ALL};
    unsigned char *bufs[SPEC_COUNT];
    zmm_file *one, *rec_one;
    unsigned char *rec;
    size_t i, rec_len = (9u << 20) + 1234;

    for (i = 0; i < SPEC_COUNT; i++) {
        bufs[i] = tu_xmalloc((size_t)specs[i].size + 1);
        fill(&specs[i], bufs[i], i + 1);
    }
    one = build(1, bufs);
    check_reads_back(one, bufs);
    rec = tu_xmalloc(rec_len);
    {
        tu_rng r;

        tu_rng_seed(&r, 5);
        tu_fill(&r, TU_DATA_MIXED, rec, rec_len);
    }
    rec_one = build_recording(1, rec, rec_len);
    for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        zmm_file *t = build(counts[i], bufs);
        zmm_file *rt = build_recording(counts[i], rec, rec_len);

        check_same(one, t, "archive", counts[i]);
        check_same(rec_one, rt, "recording", counts[i]);
        t->methods->close(t);
        rt->methods->close(rt);
    }
    one->methods->close(one);
    rec_one->methods->close(rec_one);
    for (i = 0; i < SPEC_COUNT; i++)
        free(bufs[i]);
    free(rec);
}

/* The archive of a committed member "a", then member "big" written with
 * `threads` on a file whose event `fail_at` fails; the file's bytes after
 * everything is closed, and whether some call reported the failure. */
static unsigned char *failing(uint32_t threads, unsigned long fail_at,
                              const unsigned char *data, size_t len,
                              size_t *out_len, int *reported,
                              unsigned long *events)
{
    zmm_fault_plan plan;
    zmm_file *mem = zmm_memfile_new(NULL, 0), *ff;
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_member_options o;
    unsigned char *bytes;
    size_t off;

    memset(&plan, 0, sizeof plan);
    plan.fail_at = fail_at;
    ff = zmm_faultfile_new(tu_borrow_file(mem), &plan);
    *reported = 0;
    *events = 0;
    if (zmm_archive_open_file(ff, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar) !=
        ZMM_OK) {
        *reported = 1;
    } else {
        memset(&o, 0, sizeof o);
        o.struct_size = sizeof o;
        o.level = -1;
        o.threads = threads;
        if (zmm_stream_open(ar, "a", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                            &o, &s) == ZMM_OK) {
            *reported |= zmm_stream_write(s, data, 1000) != ZMM_OK;
            *reported |= zmm_stream_close(s) != ZMM_OK;
        } else {
            *reported = 1;
        }
        *reported |= zmm_archive_commit(ar) != ZMM_OK;
        if (zmm_stream_open(ar, "big", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                            &o, &s) == ZMM_OK) {
            for (off = 0; off < len; off += 100000) {
                size_t n = len - off < 100000 ? len - off : 100000;

                *reported |= zmm_stream_write(s, data + off, n) != ZMM_OK;
            }
            *reported |= zmm_stream_close(s) != ZMM_OK;
        } else {
            *reported = 1;
        }
        *events = zmm_faultfile_events(ff);
        *reported |= zmm_archive_close(ar) != ZMM_OK;
    }
    bytes = tu_memfile_copy(mem, out_len);
    mem->methods->close(mem);
    return bytes;
}

static void write_failures(void)
{
    size_t len = 6u << 20, la, lb;
    unsigned char *data = tu_xmalloc(len);
    unsigned long at, events;
    tu_rng r;
    int ra, rb;

    tu_rng_seed(&r, 11);
    tu_fill(&r, TU_DATA_MIXED, data, len);
    /* How many events there are before the close, failing none. */
    free(failing(1, 0, data, len, &la, &ra, &events));
    CHECK(!ra);
    CHECK(events > 50);
    /* Every event of the first few, then a spread over the rest, up to
     * those of the close's commit. */
    for (at = 1; at <= events + 2; at += at < 12 ? 1 : 7) {
        unsigned long ignored;
        unsigned char *a, *b;

        tu_set_context("write fails at event %lu of about %lu", at, events);
        a = failing(1, at, data, len, &la, &ra, &ignored);
        b = failing(8, at, data, len, &lb, &rb, &ignored);
        CHECK(ra && rb);
        CHECK(la == lb && memcmp(a, b, la) == 0);
        {   /* it opens at a commit: "big" whole or not there */
            zmm_archive *ar = NULL;
            zmm_stream *s = NULL;

            if (tu_open_bytes(b, lb, ZMM_OPEN_READ, &ar) == ZMM_OK) {
                if (zmm_stream_open(ar, "big", ZMM_STREAM_READ, NULL, &s) ==
                    ZMM_OK) {
                    unsigned char *got = tu_xmalloc(len);
                    size_t n = 0;

                    CHECK_OK(zmm_stream_read(s, got, len, &n));
                    CHECK(n == len && memcmp(got, data, len) == 0);
                    free(got);
                    CHECK_OK(zmm_stream_close(s));
                }
                CHECK_OK(zmm_archive_close(ar));
            }
        }
        free(a);
        free(b);
    }
    free(data);
}

/* Writes "big" (len bytes of data, on 3 threads) into a copy of `base`
 * with allocation `n` failing (n < 0: every allocation of the workers);
 * returns the file's bytes, *reported whether a call failed (each failure
 * must be ZMM_ERR_NOMEM). */
static unsigned char *alloc_failing(const unsigned char *base,
                                    size_t base_len, long n,
                                    const unsigned char *data, size_t len,
                                    size_t *out_len, int *reported)
{
    zmm_file *mem = zmm_memfile_new(base, base_len);
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_member_options o;
    zmm_result rc[4] = {ZMM_OK, ZMM_OK, ZMM_OK, ZMM_OK};
    unsigned char *bytes;
    size_t off, i;

    CHECK(mem != NULL);
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.level = -1;
    o.threads = 3;
    if (n >= 0)
        tu_alloc_fail_after(n);
    else
        tu_alloc_fail_elsewhere(); /* the workers' allocations only */
    rc[0] = zmm_archive_open_file(tu_borrow_file(mem), ZMM_OPEN_WRITE, &ar);
    if (rc[0] == ZMM_OK) {
        rc[1] = zmm_stream_open(ar, "big",
                                ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, &o, &s);
        for (off = 0; rc[1] == ZMM_OK && rc[2] == ZMM_OK && off < len;
             off += 70000)
            rc[2] = zmm_stream_write(s, data + off,
                                     len - off < 70000 ? len - off : 70000);
        if (rc[1] == ZMM_OK) {
            zmm_result c = zmm_stream_close(s);

            if (rc[2] == ZMM_OK)
                rc[2] = c;
        }
        rc[3] = zmm_archive_close(ar);
    }
    tu_alloc_fail_after(-1);
    *reported = 0;
    for (i = 0; i < 4; i++) {
        CHECKF(rc[i] == ZMM_OK || rc[i] == ZMM_ERR_NOMEM,
               "call %lu failed with %s", (unsigned long)i,
               tu_result_name(rc[i]));
        *reported |= rc[i] != ZMM_OK;
    }
    bytes = tu_memfile_copy(mem, out_len);
    mem->methods->close(mem);
    return bytes;
}

static void alloc_failures(void)
{
    size_t len = 600000, base_len, got_len;
    unsigned char *data = tu_xmalloc(len), *base;
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    long n, failed = 0;
    tu_rng r;

    tu_rng_seed(&r, 13);
    tu_fill(&r, TU_DATA_MIXED, data, len);
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    CHECK_OK(zmm_stream_open(ar, "a", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             NULL, &s));
    CHECK_OK(zmm_stream_write(s, data, 5000));
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
    base = tu_memfile_copy(mem, &base_len);
    mem->methods->close(mem);
    for (n = -1;; n += n < 60 ? 1 : 5) {
        int reported;
        unsigned char *got;
        zmm_archive *rd = NULL;
        zmm_stream *rs = NULL;
        unsigned char *back = tu_xmalloc(len);
        size_t k = 0;

        tu_set_context("3 threads, allocation %ld failing", n);
        got = alloc_failing(base, base_len, n, data, len, &got_len,
                            &reported);
        /* it opens at a commit: "a" whole, "big" whole or not there */
        CHECK_OK(tu_open_bytes(got, got_len, ZMM_OPEN_READ, &rd));
        CHECK_OK(zmm_stream_open(rd, "a", ZMM_STREAM_READ, NULL, &rs));
        CHECK_OK(zmm_stream_read(rs, back, 5000, &k));
        CHECK(k == 5000 && memcmp(back, data, k) == 0);
        CHECK_OK(zmm_stream_close(rs));
        if (zmm_stream_open(rd, "big", ZMM_STREAM_READ, NULL, &rs) ==
            ZMM_OK) {
            CHECK_OK(zmm_stream_read(rs, back, len, &k));
            CHECK(k == len && memcmp(back, data, len) == 0);
            CHECK_OK(zmm_stream_close(rs));
        } else {
            CHECKF(reported, "\"big\" is missing, but no call failed");
        }
        CHECK_OK(zmm_archive_close(rd));
        free(back);
        free(got);
        if (!reported && n >= 0)
            break;
        failed += reported;
    }
    CHECK(failed > 20); /* the failures reached the workers' allocations */
    printf("test_threads: %ld allocation failures on 3 threads each gave "
           "ZMM_ERR_NOMEM and left a committed state\n", failed);
    free(base);
    free(data);
}

int main(void)
{
    tu_init("test_threads");
    identical();
    write_failures();
    alloc_failures();
    return 0;
}
