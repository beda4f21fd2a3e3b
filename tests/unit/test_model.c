/*
 * test_model.c -- a seeded model-based test of member streams.
 *
 * Random operations (read, write, seek SET/CUR/END, tell, size, truncate
 * shrinking and growing, flush, commit, closing and reopening a stream or
 * the whole archive, read-only views) run on four members of one archive in
 * an in-memory file, and the same operations on a plain growable byte array
 * per member: every result and every byte read must agree. The members use
 * block sizes of 4, 16 and 64 KiB and levels 0, 1, 6, so small writes land
 * inside deflated, raw and zero blocks alike; writes past the end leave gaps
 * that must read as zeros. Two members have PCM layouts (16-bit stereo,
 * 24-bit 6 channels, changed and cleared now and then) and get smooth
 * sample-like writes, so pokes land in PCM blocks too and re-encode them.
 * A writable archive checkpoints every few KiB (a policy drawn at each
 * open), so writes, pokes and truncations are published as delta records
 * too; after a quarter of the checkpoints, the file as a new opener sees it
 * must equal the model (a checkpoint commits everything written so far).
 *
 * usage: test_model [--ops N] [SEED...]
 * Each seed runs N operations (default 100000). On a mismatch the program
 * prints the seed, the operation's index and the operation, plus the last
 * operations before it, and exits with 1: rerun with that seed to replay.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "archive_file.h"
#include "test_util.h"

#define NMEMBERS 4
#define HISTORY 24

typedef struct member {
    const char *name;
    uint32_t block_size;
    int level;
    size_t cap;           /* the model keeps the member below this size */
    unsigned char *ref;   /* the reference bytes */
    size_t len;
    size_t ref_cap;
    zmm_stream *s;        /* the open write stream, or NULL */
    uint64_t pos;
    int has_pcm;          /* the member's PCM layout, as the model has it */
    zmm_pcm_layout pcm;
} member;

static const struct {
    const char *name;
    uint32_t block_size;
    int level;
} layout[NMEMBERS] = {
    {"a.wav", 4096, 6},
    {"sub/b.bin", 16384, 6},
    {"c.txt", 65536, 1},
    {"d.raw", 4096, 0},
};

typedef struct world {
    uint64_t seed;
    unsigned long op;
    tu_rng r;
    zmm_file *mem;
    zmm_archive *ar;
    member m[NMEMBERS];
    unsigned char *buf;   /* scratch for reads and writes */
    unsigned char *buf2;
    size_t buf_cap;
    unsigned long counts[16];
    unsigned long rebuilds;
    unsigned long pcm_blocks; /* PCM blocks seen by check_archive, in all */
    uint64_t checkpoints;     /* the open archive's, when last looked at */
    unsigned long checkpoint_checks;
} world;

enum {
    OP_READ, OP_WRITE, OP_POKE, OP_SEEK, OP_TRUNCATE, OP_FLUSH, OP_COMMIT,
    OP_REOPEN_STREAM, OP_READERS, OP_REOPEN_ARCHIVE, OP_FULL_CHECK, OP_KINDS
};
static const char *const op_names[OP_KINDS] = {
    "read", "write", "poke", "seek", "truncate", "flush", "commit",
    "reopen-stream", "readers", "reopen-archive", "full-check"};

static world *the_world;
static char history[HISTORY][160];
static unsigned long history_next;

static void print_history(void)
{
    unsigned long i, start = history_next > HISTORY ? history_next - HISTORY : 0;
    fprintf(stderr, "  seed %llu; the last operations were:\n",
            (unsigned long long)the_world->seed);
    for (i = start; i < history_next; i++)
        fprintf(stderr, "    %s\n", history[i % HISTORY]);
    fprintf(stderr, "  replay: test_model %llu\n",
            (unsigned long long)the_world->seed);
}

/* Records and shows (as the failure context) the current operation. */
static void describe(world *w, const char *fmt, ...) TU_PRINTF(2, 3);

static void describe(world *w, const char *fmt, ...)
{
    char text[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    snprintf(history[history_next % HISTORY], sizeof history[0],
             "op %lu: %s", w->op, text);
    history_next++;
    tu_set_context("seed %llu, op %lu: %s", (unsigned long long)w->seed,
                   w->op, text);
}

static void ensure_ref(member *m, size_t len)
{
    if (len > m->ref_cap) {
        size_t cap = m->ref_cap ? m->ref_cap : 4096;
        while (cap < len)
            cap *= 2;
        m->ref = tu_xrealloc(m->ref, cap);
        m->ref_cap = cap;
    }
}

static void ensure_buf(world *w, size_t len)
{
    if (len > w->buf_cap) {
        w->buf = tu_xrealloc(w->buf, len);
        w->buf2 = tu_xrealloc(w->buf2, len);
        w->buf_cap = len;
    }
}

static zmm_member_options options_of(const member *m)
{
    zmm_member_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = m->block_size;
    o.level = m->level;
    return o;
}

static void open_streams(world *w, int create)
{
    int i;
    for (i = 0; i < NMEMBERS; i++) {
        member *m = &w->m[i];
        zmm_member_options o = options_of(m);
        CHECK(m->s == NULL);
        CHECK_OK(zmm_stream_open(w->ar, m->name,
                                 ZMM_STREAM_WRITE |
                                     (create ? ZMM_STREAM_CREATE : 0),
                                 &o, &m->s));
        m->pos = 0;
        CHECK_U64(zmm_stream_size(m->s), create ? 0 : m->len);
        CHECK_U64(zmm_stream_tell(m->s), 0);
        if (create && m->has_pcm)
            CHECK_OK(zmm_stream_set_pcm_layout(m->s, &m->pcm));
    }
}

/* Smooth sample-like bytes: a random walk of `bits`-bit little-endian
 * samples, which the PCM filter shrinks far better than deflate alone. */
static void fill_samples(world *w, const member *m, unsigned char *buf,
                         size_t len)
{
    unsigned bytes = m->has_pcm ? m->pcm.bits / 8 : 2, q;
    int64_t v = (int64_t)tu_rng_below(&w->r, 2000) - 1000;
    size_t i = 0;

    while (i < len) {
        v += (int64_t)tu_rng_below(&w->r, 41) - 20;
        for (q = 0; q < bytes && i < len; q++)
            buf[i++] = (unsigned char)((uint64_t)v >> (8 * q));
    }
}

/* The image the model says the archive holds. */
static void model_image(world *w, tu_image *img)
{
    int i;
    img->count = 0;
    img->members = NULL;
    for (i = 0; i < NMEMBERS; i++)
        tu_image_put(img, w->m[i].name, w->m[i].ref, w->m[i].len, i == 0);
}

/* Reopens the archive read-only and compares everything with the model,
 * also through the test's own decoder of the format. */
static void check_archive(world *w)
{
    zmm_archive *ar = NULL;
    tu_image got, want;
    char why[200];
    tu_fmt_archive fa;
    const char *err;
    size_t flen = 0;
    const unsigned char *file;
    int i;

    CHECK_OK(zmm_archive_open_file(tu_borrow_file(w->mem), ZMM_OPEN_READ,
                                   &ar));
    CHECK_OK(tu_image_read(ar, &got));
    model_image(w, &want);
    CHECKF(tu_image_equal(&got, &want, why, sizeof why),
           "archive differs from the model: %s", why);
    for (i = 0; i < NMEMBERS; i++) {
        const member *m = &w->m[i];
        zmm_member_info mi;
        size_t at;
        memset(&mi, 0, sizeof mi);
        mi.struct_size = sizeof mi;
        CHECK_OK(zmm_archive_find(ar, m->name, &at));
        CHECK_OK(zmm_archive_member_info(ar, at, &mi));
        CHECK_U64((mi.flags & ZMM_MEMBER_PCM) != 0, m->has_pcm);
        CHECK_U64(mi.pcm_offset, m->has_pcm ? m->pcm.offset : 0);
        CHECK_U64(mi.pcm_length, m->has_pcm ? m->pcm.length : 0);
        CHECK_U64(mi.pcm_bits, m->has_pcm ? m->pcm.bits : 0);
        CHECK_U64(mi.pcm_channels, m->has_pcm ? m->pcm.channels : 0);
    }
    tu_image_free(&got);
    tu_image_free(&want);
    CHECK_OK(zmm_archive_close(ar));

    file = zmm_memfile_data(w->mem, &flen);
    err = tu_fmt_parse(file, flen, 1, &fa);
    CHECKF(err == NULL, "the archive breaks docs/FORMAT.md: %s", err);
    CHECK_U64(fa.member_count, NMEMBERS);
    for (i = 0; i < NMEMBERS; i++) {
        uint32_t j, k;
        for (j = 0; j < fa.member_count; j++)
            if (strcmp(fa.members[j].name, w->m[i].name) == 0) {
                unsigned char *bytes =
                    tu_fmt_member_bytes(file, &fa.members[j]);
                CHECK_U64(fa.members[j].length, w->m[i].len);
                CHECK_MEM(bytes, w->m[i].ref, w->m[i].len);
                free(bytes);
                for (k = 0; k < fa.members[j].block_count; k++)
                    w->pcm_blocks += fa.members[j].blocks[k].kind == 3 ||
                                     fa.members[j].blocks[k].kind == 4;
                break;
            }
        CHECKF(j < fa.member_count, "member %s missing", w->m[i].name);
    }
    tu_fmt_free(&fa);
}

static void open_archive(world *w, unsigned flags)
{
    CHECK(w->ar == NULL);
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(w->mem), flags, &w->ar));
    w->checkpoints = 0;
    if (flags & ZMM_OPEN_WRITE) {
        zmm_checkpoint_policy p;
        memset(&p, 0, sizeof p);
        p.struct_size = sizeof p;
        p.bytes = tu_rng_range(&w->r, 2000, 200000);
        CHECK_OK(zmm_archive_set_checkpoints(w->ar, &p));
    }
}

/* The state a checkpoint published, as a new reader opens it: the model. */
static void check_checkpoint(world *w)
{
    zmm_archive *ar = NULL;
    tu_image got, want;
    char why[200];
    size_t flen = 0;
    const unsigned char *file = zmm_memfile_data(w->mem, &flen);

    CHECK_OK(tu_open_bytes(file, flen, ZMM_OPEN_READ, &ar));
    CHECK_OK(tu_image_read(ar, &got));
    model_image(w, &want);
    CHECKF(tu_image_equal(&got, &want, why, sizeof why),
           "the checkpoint differs from the model: %s", why);
    tu_image_free(&got);
    tu_image_free(&want);
    CHECK_OK(zmm_archive_close(ar));
    w->checkpoint_checks++;
}

static void close_archive(world *w)
{
    int i;
    /* Closing the archive closes (and flushes) the streams still open. */
    CHECK_OK(zmm_archive_close(w->ar));
    w->ar = NULL;
    for (i = 0; i < NMEMBERS; i++)
        w->m[i].s = NULL;
}

/* A fresh archive holding the model's current contents: keeps the in-memory
 * file from growing without bound (compaction works on paths only). */
static void rebuild(world *w)
{
    int i;
    if (w->ar)
        close_archive(w);
    w->mem->methods->close(w->mem);
    w->mem = zmm_memfile_new(NULL, 0);
    CHECK(w->mem != NULL);
    open_archive(w, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE);
    open_streams(w, 1);
    for (i = 0; i < NMEMBERS; i++) {
        member *m = &w->m[i];
        if (m->len)
            CHECK_OK(zmm_stream_write(m->s, m->ref, m->len));
        m->pos = m->len;
    }
    CHECK_OK(zmm_archive_commit(w->ar));
    w->rebuilds++;
}

/* A length: mostly small, sometimes a few blocks. */
static size_t pick_len(world *w, const member *m)
{
    uint64_t x = tu_rng_below(&w->r, 100);
    if (x < 82)
        return (size_t)tu_rng_range(&w->r, 0, 300);
    if (x < 97)
        return (size_t)tu_rng_range(&w->r, 1, m->block_size + 100);
    return (size_t)tu_rng_range(&w->r, 1, 3 * (uint64_t)m->block_size);
}

static void check_position(world *w, member *m)
{
    CHECK_U64(zmm_stream_tell(m->s), m->pos);
    CHECK_U64(zmm_stream_size(m->s), m->len);
    (void)w;
}

static void op_read(world *w, member *m)
{
    size_t len = pick_len(w, m), got = 12345, want;
    describe(w, "read %s at %llu, %llu bytes (size %llu)", m->name,
             (unsigned long long)m->pos, (unsigned long long)len,
             (unsigned long long)m->len);
    ensure_buf(w, len + 1);
    CHECK_OK(zmm_stream_read(m->s, w->buf, len, &got));
    want = m->pos >= m->len ? 0
                            : (len < m->len - m->pos ? len
                                                     : (size_t)(m->len - m->pos));
    CHECK_U64(got, want);
    if (want)
        CHECK_MEM(w->buf, m->ref + m->pos, want);
    m->pos += want;
}

static void model_write(member *m, const unsigned char *data, size_t len)
{
    size_t end = (size_t)m->pos + len;
    if (len == 0)
        return;
    ensure_ref(m, end);
    if (m->pos > m->len)
        memset(m->ref + m->len, 0, (size_t)m->pos - m->len);
    memcpy(m->ref + m->pos, data, len);
    if (end > m->len)
        m->len = end;
    m->pos = end;
}

static void op_write(world *w, member *m)
{
    size_t len = pick_len(w, m);
    tu_data_kind kind = (tu_data_kind)tu_rng_below(&w->r, TU_DATA_KINDS);
    if (m->pos >= m->cap) {
        /* Too far out: come back inside (a seek keeps this bounded). */
        m->pos = tu_rng_below(&w->r, m->len + 1);
        describe(w, "seek %s to %llu (before a write)", m->name,
                 (unsigned long long)m->pos);
        CHECK_OK(zmm_stream_seek(m->s, (int64_t)m->pos, ZMM_SEEK_SET, NULL));
    }
    if (len > m->cap - m->pos)
        len = (size_t)(m->cap - m->pos);
    if (len == 0 && m->pos > m->len)
        len = 1; /* whether an empty write extends is not specified */
    describe(w, "write %s at %llu, %llu %s bytes (size %llu)", m->name,
             (unsigned long long)m->pos, (unsigned long long)len,
             tu_data_kind_name(kind), (unsigned long long)m->len);
    ensure_buf(w, len + 1);
    if (m->pcm.bits != 0 && tu_rng_chance(&w->r, 1, 2))
        fill_samples(w, m, w->buf, len);
    else
        tu_fill(&w->r, kind, w->buf, len);
    CHECK_OK(zmm_stream_write(m->s, w->buf, len));
    model_write(m, w->buf, len);
}

/* Overwrites 1..8 bytes somewhere inside the member: the read-modify-write
 * of a block that is already compressed. */
static void op_poke(world *w, member *m)
{
    size_t len = (size_t)tu_rng_range(&w->r, 1, 8);
    if (m->len < len) {
        op_write(w, m);
        return;
    }
    m->pos = tu_rng_below(&w->r, m->len - len + 1);
    describe(w, "poke %s at %llu, %llu bytes (size %llu)", m->name,
             (unsigned long long)m->pos, (unsigned long long)len,
             (unsigned long long)m->len);
    CHECK_OK(zmm_stream_seek(m->s, (int64_t)m->pos, ZMM_SEEK_SET, NULL));
    ensure_buf(w, len);
    tu_rng_bytes(&w->r, w->buf, len);
    CHECK_OK(zmm_stream_write(m->s, w->buf, len));
    model_write(m, w->buf, len);
}

static void op_seek(world *w, member *m)
{
    int origin = (int)tu_rng_below(&w->r, 3);
    int64_t base = origin == ZMM_SEEK_SET ? 0
                   : origin == ZMM_SEEK_CUR ? (int64_t)m->pos
                                            : (int64_t)m->len;
    int64_t target, offset;
    uint64_t pos = 777;
    zmm_result expect;
    uint64_t x = tu_rng_below(&w->r, 100);
    if (x < 80) /* inside */
        target = (int64_t)tu_rng_below(&w->r, m->len + 1);
    else if (x < 95) /* past the end: a later write leaves a gap */
        target = (int64_t)(m->len + tu_rng_range(&w->r, 1,
                                                  2 * (uint64_t)m->block_size));
    else /* before the start */
        target = -(int64_t)tu_rng_range(&w->r, 1, 100000);
    offset = target - base;
    expect = target < 0 ? ZMM_ERR_INVALID_ARG : ZMM_OK;
    describe(w, "seek %s %s %lld (target %lld, pos %llu, size %llu)", m->name,
             origin == 0 ? "SET" : origin == 1 ? "CUR" : "END",
             (long long)offset, (long long)target, (unsigned long long)m->pos,
             (unsigned long long)m->len);
    CHECK_RES(zmm_stream_seek(m->s, offset, origin,
                              tu_rng_chance(&w->r, 1, 4) ? NULL : &pos),
              expect);
    if (expect == ZMM_OK) {
        if (pos != 777)
            CHECK_U64(pos, target);
        m->pos = (uint64_t)target;
    }
}

static void op_truncate(world *w, member *m)
{
    uint64_t size;
    if (tu_rng_chance(&w->r, 1, 2) || m->len >= m->cap)
        size = tu_rng_below(&w->r, m->len + 1);
    else
        size = m->len + tu_rng_range(&w->r, 0, m->cap - m->len);
    describe(w, "truncate %s to %llu (size %llu, pos %llu)", m->name,
             (unsigned long long)size, (unsigned long long)m->len,
             (unsigned long long)m->pos);
    CHECK_OK(zmm_stream_truncate(m->s, size));
    if (size > m->len) {
        ensure_ref(m, (size_t)size);
        memset(m->ref + m->len, 0, (size_t)(size - m->len));
    }
    m->len = (size_t)size;
}

static void op_flush(world *w, member *m)
{
    static const unsigned bits[] = {8, 16, 24, 32};

    /* Now and then a member with samples gets another layout, or none:
     * blocks stored under the old one must still read back right. */
    if (m->pcm.bits != 0 && tu_rng_chance(&w->r, 1, 5)) {
        if (tu_rng_chance(&w->r, 1, 4)) {
            m->has_pcm = 0;
            describe(w, "clear the PCM layout of %s", m->name);
            CHECK_OK(zmm_stream_set_pcm_layout(m->s, NULL));
            memset(&m->pcm, 0, sizeof m->pcm);
            m->pcm.bits = 16; /* keep writing samples */
            return;
        }
        m->has_pcm = 1;
        m->pcm.struct_size = sizeof m->pcm;
        m->pcm.bits = bits[tu_rng_below(&w->r, 4)];
        m->pcm.channels = (unsigned)tu_rng_range(&w->r, 1, 8);
        m->pcm.offset = tu_rng_below(&w->r, 100);
        m->pcm.length = tu_rng_below(&w->r, 2 * (uint64_t)m->cap);
        describe(w, "PCM layout of %s: %u-bit %uch @%llu+%llu", m->name,
                 m->pcm.bits, m->pcm.channels,
                 (unsigned long long)m->pcm.offset,
                 (unsigned long long)m->pcm.length);
        CHECK_OK(zmm_stream_set_pcm_layout(m->s, &m->pcm));
        return;
    }
    describe(w, "flush %s", m->name);
    CHECK_OK(zmm_stream_flush(m->s));
}

static void op_commit(world *w)
{
    zmm_archive_info before, after;
    memset(&before, 0, sizeof before);
    before.struct_size = sizeof before;
    after = before;
    describe(w, "commit");
    CHECK_OK(zmm_archive_get_info(w->ar, &before));
    CHECK_OK(zmm_archive_commit(w->ar));
    CHECK_OK(zmm_archive_get_info(w->ar, &after));
    CHECK(after.generation == before.generation ||
          after.generation == before.generation + 1);
    CHECK_U64(after.member_count, NMEMBERS);
    CHECK_U64(after.live_bytes + after.garbage_bytes, after.file_size);
}

static void op_reopen_stream(world *w, member *m)
{
    zmm_member_options o = options_of(m);
    describe(w, "close and reopen %s", m->name);
    CHECK_OK(zmm_stream_close(m->s));
    m->s = NULL;
    CHECK_OK(zmm_stream_open(w->ar, m->name, ZMM_STREAM_WRITE, &o, &m->s));
    m->pos = 0;
}

/* Closes the writer, reads through two read-only streams at once, checks
 * the BUSY rules, reopens the writer. */
static void op_readers(world *w, member *m)
{
    zmm_stream *r1 = NULL, *r2 = NULL, *x = NULL;
    zmm_member_options o = options_of(m);
    int i;
    describe(w, "readers on %s (size %llu)", m->name,
             (unsigned long long)m->len);
    CHECK_RES(zmm_stream_open(w->ar, m->name, ZMM_STREAM_READ, NULL, &x),
              ZMM_ERR_BUSY);
    CHECK(x == NULL);
    CHECK_OK(zmm_stream_close(m->s));
    m->s = NULL;
    CHECK_OK(zmm_stream_open(w->ar, m->name, ZMM_STREAM_READ, NULL, &r1));
    CHECK_OK(zmm_stream_open(w->ar, m->name, ZMM_STREAM_READ, NULL, &r2));
    CHECK_RES(zmm_stream_open(w->ar, m->name, ZMM_STREAM_WRITE, &o, &x),
              ZMM_ERR_BUSY);
    CHECK_U64(zmm_stream_size(r1), m->len);
    for (i = 0; i < 6; i++) {
        zmm_stream *s = (i & 1) ? r2 : r1;
        uint64_t off = tu_rng_below(&w->r, m->len + 10);
        size_t len = pick_len(w, m), got = 0, want;
        want = off >= m->len ? 0
                             : (len < m->len - off ? len
                                                   : (size_t)(m->len - off));
        ensure_buf(w, len + 1);
        CHECK_OK(zmm_stream_seek(s, (int64_t)off, ZMM_SEEK_SET, NULL));
        CHECK_OK(zmm_stream_read(s, w->buf, len, &got));
        CHECK_U64(got, want);
        if (want)
            CHECK_MEM(w->buf, m->ref + off, want);
    }
    CHECK_RES(zmm_stream_write(r1, "x", 1), ZMM_ERR_READ_ONLY);
    CHECK_RES(zmm_stream_truncate(r2, 0), ZMM_ERR_READ_ONLY);
    CHECK_U64(zmm_stream_size(r2), m->len);
    CHECK_OK(zmm_stream_close(r1));
    CHECK_OK(zmm_stream_close(r2));
    CHECK_OK(zmm_stream_open(w->ar, m->name, ZMM_STREAM_WRITE, &o, &m->s));
    m->pos = 0;
}

static void op_reopen_archive(world *w)
{
    size_t flen = 0;
    describe(w, "close, check and reopen the archive");
    /* Leave some streams open: closing the archive must flush them. */
    if (tu_rng_chance(&w->r, 1, 2)) {
        int i;
        for (i = 0; i < NMEMBERS; i++)
            if (tu_rng_chance(&w->r, 1, 2)) {
                CHECK_OK(zmm_stream_close(w->m[i].s));
                w->m[i].s = NULL;
            }
    }
    close_archive(w);
    check_archive(w);
    zmm_memfile_data(w->mem, &flen);
    if (flen > ((size_t)24 << 20)) {
        describe(w, "rebuild the archive (%llu bytes)",
                 (unsigned long long)flen);
        rebuild(w);
        return;
    }
    open_archive(w, ZMM_OPEN_WRITE);
    open_streams(w, 0);
}

static void op_full_check(world *w, member *m)
{
    size_t got = 0;
    uint64_t pos = m->pos;
    describe(w, "full check of %s (size %llu)", m->name,
             (unsigned long long)m->len);
    ensure_buf(w, m->len + 1);
    CHECK_OK(zmm_stream_seek(m->s, 0, ZMM_SEEK_SET, NULL));
    CHECK_OK(zmm_stream_read(m->s, w->buf, m->len + 1, &got));
    CHECK_U64(got, m->len);
    CHECK_MEM(w->buf, m->ref, m->len);
    CHECK_OK(zmm_stream_seek(m->s, (int64_t)pos, ZMM_SEEK_SET, NULL));
}

static int run_seed(uint64_t seed, unsigned long ops)
{
    world w;
    int i;
    double t0 = tu_seconds();
    size_t flen = 0;
    memset(&w, 0, sizeof w);
    the_world = &w;
    history_next = 0;
    tu_fail_hook = print_history;
    w.seed = seed;
    tu_rng_seed(&w.r, seed);
    for (i = 0; i < NMEMBERS; i++) {
        w.m[i].name = layout[i].name;
        w.m[i].block_size = layout[i].block_size;
        w.m[i].level = layout[i].level;
        w.m[i].cap = (size_t)layout[i].block_size * 10;
        if (w.m[i].cap > 400000)
            w.m[i].cap = 400000;
    }
    /* a.wav: 16-bit stereo after a 44-byte header; sub/b.bin: 18-byte
     * frames that straddle its 16 KiB blocks. */
    w.m[0].has_pcm = 1;
    w.m[0].pcm.struct_size = sizeof w.m[0].pcm;
    w.m[0].pcm.offset = 44;
    w.m[0].pcm.length = (uint64_t)1 << 40;
    w.m[0].pcm.bits = 16;
    w.m[0].pcm.channels = 2;
    w.m[1].has_pcm = 1;
    w.m[1].pcm = w.m[0].pcm;
    w.m[1].pcm.offset = 7;
    w.m[1].pcm.length = 200000;
    w.m[1].pcm.bits = 24;
    w.m[1].pcm.channels = 6;
    w.mem = zmm_memfile_new(NULL, 0);
    CHECK(w.mem != NULL);
    describe(&w, "create the archive");
    open_archive(&w, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE);
    open_streams(&w, 1);

    for (w.op = 0; w.op < ops; w.op++) {
        member *m = &w.m[tu_rng_below(&w.r, NMEMBERS)];
        uint64_t x = tu_rng_below(&w.r, 1000);
        int kind;
        if (x < 330) kind = OP_READ;
        else if (x < 540) kind = OP_WRITE;
        else if (x < 660) kind = OP_POKE;
        else if (x < 906) kind = OP_SEEK;
        else if (x < 946) kind = OP_TRUNCATE;
        else if (x < 961) kind = OP_FLUSH;
        else if (x < 971) kind = OP_COMMIT;
        else if (x < 986) kind = OP_REOPEN_STREAM;
        else if (x < 996) kind = OP_READERS;
        else if (x < 997) kind = OP_REOPEN_ARCHIVE;
        else kind = OP_FULL_CHECK;
        w.counts[kind]++;
        switch (kind) {
        case OP_READ: op_read(&w, m); break;
        case OP_WRITE: op_write(&w, m); break;
        case OP_POKE: op_poke(&w, m); break;
        case OP_SEEK: op_seek(&w, m); break;
        case OP_TRUNCATE: op_truncate(&w, m); break;
        case OP_FLUSH: op_flush(&w, m); break;
        case OP_COMMIT: op_commit(&w); break;
        case OP_REOPEN_STREAM: op_reopen_stream(&w, m); break;
        case OP_READERS: op_readers(&w, m); break;
        case OP_REOPEN_ARCHIVE: op_reopen_archive(&w); break;
        default: op_full_check(&w, m); break;
        }
        if (kind != OP_REOPEN_ARCHIVE)
            check_position(&w, m);
        if (w.ar != NULL && zmm_archive_checkpoints(w.ar) != w.checkpoints) {
            w.checkpoints = zmm_archive_checkpoints(w.ar);
            if (tu_rng_chance(&w.r, 1, 4))
                check_checkpoint(&w);
        }
    }
    describe(&w, "final close and check");
    close_archive(&w);
    check_archive(&w);
    zmm_memfile_data(w.mem, &flen);
    printf("%s: seed %llu: %lu operations passed in %.2f s (", tu_test_name,
           (unsigned long long)seed, ops, tu_seconds() - t0);
    for (i = 0; i < OP_KINDS; i++)
        printf("%s%s %lu", i ? ", " : "", op_names[i], w.counts[i]);
    printf("; %lu rebuilds; final file %llu bytes; %lu PCM blocks checked; "
           "%lu checkpoints checked)\n", w.rebuilds,
           (unsigned long long)flen, w.pcm_blocks, w.checkpoint_checks);
    CHECKF(w.pcm_blocks > 0, "no PCM block was ever checked");
    CHECKF(w.checkpoint_checks > 0, "no checkpoint was ever checked");
    w.mem->methods->close(w.mem);
    for (i = 0; i < NMEMBERS; i++)
        free(w.m[i].ref);
    free(w.buf);
    free(w.buf2);
    tu_fail_hook = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long ops = 100000, total = 0;
    int i, nseeds = 0;
    tu_init("test_model");
    for (i = 1; i < argc; i++) {
        uint64_t v;
        if (strcmp(argv[i], "--ops") == 0 && i + 1 < argc &&
            tu_parse_u64(argv[i + 1], &v)) {
            ops = (unsigned long)v;
            i++;
        } else if (!tu_parse_u64(argv[i], &v)) {
            fprintf(stderr, "usage: test_model [--ops N] [SEED...]\n");
            return 2;
        }
    }
    for (i = 1; i < argc; i++) {
        uint64_t v;
        if (strcmp(argv[i], "--ops") == 0) {
            i++;
            continue;
        }
        tu_parse_u64(argv[i], &v);
        run_seed(v, ops);
        total += ops;
        nseeds++;
    }
    if (nseeds == 0) {
        run_seed(1, ops);
        total += ops;
        nseeds = 1;
    }
    printf("%s: %lu operations over %d seed(s): all matched the model\n",
           tu_test_name, total, nseeds);
    return 0;
}
