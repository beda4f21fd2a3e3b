/*
 * test_damage.c -- damaged archives give an error or the right bytes, never
 * a crash, a hang, wrong bytes or a huge allocation.
 *
 * A small archive with two committed states (S2 in slot 1, the newer S3 in
 * slot 0; deflate, raw and zero blocks; in S3 a member with a preset
 * dictionary, whose stored bytes count as the member's) is damaged in every way below, and
 * the library's view is compared with what docs/FORMAT.md makes the only
 * right outcome, worked out from the bytes that changed:
 *   - the newest slot and its directory intact → state S3; else the other
 *     slot and its directory intact → S2 (the newest state's directory cut
 *     or changed: the info says ZMM_ARCHIVE_NEWEST_LOST); else the open
 *     fails;
 *   - otherwise the open succeeds with that state's member list, every member
 *     whose live stored bytes are untouched reads back exactly, and every
 *     member with a changed stored byte fails when read whole (its CRC).
 * Bytes read before an error must be right too. Cases: (a) every truncation
 * length; (b) every bit of both slots' 64 bytes and of the directory, and a
 * sample of bits in block data; (c) seeded random garbage regions.
 * Then allocation-failure sweeps (tu_alloc_fail_after: an allocator passed
 * to the core; read-ahead workers run and count too) around open + read
 * and around write + commit: ZMM_ERR_NOMEM or success, never a crash, a leak
 * (LSan) or a damaged archive.
 *
 * usage: test_damage [SEED]
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "alloc.h"
#include "archive_file.h"
#include "test_util.h"

typedef struct range {
    uint64_t start, end; /* [start, end) */
} range;

typedef struct state_desc {
    uint64_t generation;
    int slot;
    range directory;
    tu_image image;
    /* Live stored ranges per member, in image order. */
    size_t *nranges;
    range **ranges;
} state_desc;

static unsigned char *base;      /* the intact archive */
static size_t base_len;
static state_desc states[2];     /* [0] = S3 (newest), [1] = S2 */
static unsigned long cases, opened, member_errors, rule_fallbacks;
static unsigned long newest_lost; /* cases opened at S2 past a sound slot */

/* ---- building the archive ------------------------------------------------ */

static void write_member(zmm_archive *ar, const char *name, uint32_t bs,
                         int level, const unsigned char *data, size_t len,
                         uint64_t at)
{
    zmm_member_options o;
    zmm_stream *s = NULL;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = bs;
    o.level = level;
    CHECK_OK(zmm_stream_open(ar, name, ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             &o, &s));
    CHECK_OK(zmm_stream_seek(s, (int64_t)at, ZMM_SEEK_SET, NULL));
    CHECK_OK(zmm_stream_write(s, data, len));
    CHECK_OK(zmm_stream_close(s));
}

/* A member with a preset dictionary: its deflate blocks need it. */
static void write_dict_member(zmm_archive *ar, const char *name,
                              const unsigned char *dict, size_t dict_len,
                              const unsigned char *data, size_t len)
{
    zmm_member_options o;
    zmm_stream *s = NULL;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = 4096;
    o.level = 6;
    CHECK_OK(zmm_stream_open(ar, name, ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             &o, &s));
    CHECK_OK(zmm_stream_set_dictionary(s, dict, dict_len));
    CHECK_OK(zmm_stream_write(s, data, len));
    CHECK_OK(zmm_stream_close(s));
}

static void describe_state(const unsigned char *file, size_t len,
                           state_desc *st, int slot_wanted)
{
    tu_fmt_archive a;
    const char *err;
    unsigned char *copy = tu_xmalloc(len);
    size_t i;
    zmm_archive *ar = NULL;
    zmm_archive_info info;

    /* Parse the state that `slot_wanted` holds: hide the other slot. */
    memcpy(copy, file, len);
    memset(copy + 4096 * (1 - slot_wanted), 0, 64);
    err = tu_fmt_parse(copy, len, 1, &a);
    CHECKF(err == NULL, "test archive breaks FORMAT.md: %s", err);
    CHECK(a.slot == slot_wanted);
    st->generation = a.generation;
    st->slot = slot_wanted;
    st->directory.start = a.directory_offset;
    st->directory.end = a.directory_offset + a.directory_length;

    CHECK_OK(tu_open_bytes(copy, len, ZMM_OPEN_READ, &ar));
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK_OK(zmm_archive_get_info(ar, &info));
    CHECK_U64(info.generation, a.generation);
    CHECK_OK(tu_image_read(ar, &st->image));
    CHECK_OK(zmm_archive_close(ar));

    st->nranges = tu_xcalloc(st->image.count * sizeof *st->nranges);
    st->ranges = tu_xcalloc(st->image.count * sizeof *st->ranges);
    for (i = 0; i < st->image.count; i++) {
        uint32_t j, k;
        for (j = 0; j < a.member_count; j++)
            if (strcmp(a.members[j].name, st->image.members[i].name) == 0)
                break;
        CHECK(j < a.member_count);
        st->ranges[i] = tu_xcalloc((a.members[j].block_count + 1) *
                                   sizeof(range));
        if (a.members[j].flags & 4u) { /* the dictionary is its bytes too */
            const tu_fmt_block *b = &a.members[j].dict;
            st->ranges[i][0].start = b->offset;
            st->ranges[i][0].end = b->offset + b->stored_size;
            st->nranges[i] = 1;
        }
        for (k = 0; k < a.members[j].block_count; k++) {
            const tu_fmt_block *b = &a.members[j].blocks[k];
            if (b->kind == 0)
                continue;
            st->ranges[i][st->nranges[i]].start = b->offset;
            st->ranges[i][st->nranges[i]].end = b->offset + b->stored_size;
            st->nranges[i]++;
        }
    }
    tu_fmt_free(&a);
    free(copy);
}

static void build_archive(void)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    unsigned char *text = tu_xmalloc(4 * 4096), *rnd = tu_xmalloc(3 * 4096);
    unsigned char *mixed = tu_xcalloc(5 * 4096);
    tu_rng r;
    tu_fmt_archive a;
    const char *err;
    int kinds[3] = {0, 0, 0};
    uint32_t i, j;

    tu_set_context("building the test archive");
    tu_rng_seed(&r, 42);
    tu_fill(&r, TU_DATA_TEXT, text, 4 * 4096);
    tu_fill(&r, TU_DATA_RANDOM, rnd, 3 * 4096);
    /* mixed: text block, zero block, random block, zeros, a short text tail */
    tu_fill(&r, TU_DATA_TEXT, mixed, 4096);
    tu_fill(&r, TU_DATA_RANDOM, mixed + 2 * 4096, 4096);
    tu_fill(&r, TU_DATA_TEXT, mixed + 4 * 4096, 1000);

    CHECK(mem != NULL);
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    write_member(ar, "a.txt", 4096, 6, text, 3 * 4096 + 2000, 0);
    write_member(ar, "b.bin", 4096, 1, rnd, 2 * 4096 + 100, 0);
    write_member(ar, "c/mixed.dat", 4096, 9, mixed, 4 * 4096 + 1000, 0);
    CHECK_OK(zmm_archive_commit(ar)); /* S2: generation 2, slot 1 */
    /* S3: a few bytes inside a deflated block, an append, a new member. */
    write_member(ar, "a.txt", 4096, 6, (const unsigned char *)"PATCH", 5,
                 4096 + 17);
    write_member(ar, "b.bin", 4096, 1, rnd + 2 * 4096, 4096, 2 * 4096 + 100);
    write_member(ar, "d", 4096, 6, text, 300, 0);
    /* the dictionary: text like the member's, not the same bytes */
    write_dict_member(ar, "t.dict", text + 3 * 4096 + 2000, 2000,
                      text + 1000, 2 * 4096 + 700);
    CHECK_OK(zmm_archive_commit(ar)); /* S3: generation 3, slot 0 */
    CHECK_OK(zmm_archive_close(ar));
    base = tu_memfile_copy(mem, &base_len);
    mem->methods->close(mem);

    err = tu_fmt_parse(base, base_len, 1, &a);
    CHECKF(err == NULL, "test archive breaks FORMAT.md: %s", err);
    CHECK(a.slot_valid[0] && a.slot_valid[1]);
    CHECK_U64(a.slot_generation[0], 3);
    CHECK_U64(a.slot_generation[1], 2);
    CHECK_U64(a.directory_offset + a.directory_length, base_len);
    for (i = 0; i < a.member_count; i++)
        for (j = 0; j < a.members[i].block_count; j++)
            kinds[a.members[i].blocks[j].kind]++;
    CHECKF(kinds[0] && kinds[1] && kinds[2],
           "the test archive needs zero, raw and deflate blocks (%d/%d/%d)",
           kinds[0], kinds[1], kinds[2]);
    tu_fmt_free(&a);
    describe_state(base, base_len, &states[0], 0);
    describe_state(base, base_len, &states[1], 1);
    CHECK_U64(states[0].image.count, 5);
    CHECK_U64(states[1].image.count, 3);
    free(text);
    free(rnd);
    free(mixed);
    printf("%s: test archive of %llu bytes (S2: %llu members, S3: %llu)\n",
           tu_test_name, (unsigned long long)base_len,
           (unsigned long long)states[1].image.count,
           (unsigned long long)states[0].image.count);
}

/* ---- the oracle ---------------------------------------------------------- */

typedef struct damage {
    range changed[1024]; /* the bytes that differ from `base` (or are gone) */
    int n;
} damage;

static int touches(const damage *d, range r)
{
    int i;
    for (i = 0; i < d->n; i++)
        if (d->changed[i].start < r.end && r.start < d->changed[i].end)
            return 1;
    return 0;
}

static int acceptable_open_error(zmm_result r)
{
    return r == ZMM_ERR_CORRUPT || r == ZMM_ERR_NOT_ARCHIVE ||
           r == ZMM_ERR_LIMIT || r == ZMM_ERR_UNSUPPORTED;
}

/* Reads member `name` whole in odd pieces; every byte returned must match
 * `want`. Returns the error that stopped it, or ZMM_OK. */
static zmm_result read_member(zmm_archive *ar, const char *name,
                              const tu_member_image *want)
{
    static const size_t pieces[] = {1, 4095, 4097, 65536, 333, 8192};
    unsigned char *buf = tu_xmalloc(65536);
    zmm_stream *s = NULL;
    size_t done = 0, k = 0;
    zmm_result r = zmm_stream_open(ar, name, ZMM_STREAM_READ, NULL, &s);
    if (r != ZMM_OK) {
        free(buf);
        return r;
    }
    CHECK_U64(zmm_stream_size(s), want->size);
    for (;;) {
        size_t n = pieces[k++ % 6], got = 0;
        r = zmm_stream_read(s, buf, n, &got);
        if (r != ZMM_OK)
            break;
        CHECKF(got <= want->size - done, "read past the member's end");
        CHECKF(got == n || done + got == want->size,
               "short read in the middle of the member");
        CHECK_MEM(buf, want->data + done, got);
        done += got;
        if (got == 0)
            break;
    }
    if (r == ZMM_OK)
        CHECK_U64(done, want->size);
    zmm_stream_close(s);
    free(buf);
    return r;
}

/* Opens the damaged bytes and checks the outcome against the damage. */
static void check_case(const unsigned char *file, size_t len,
                       const damage *d)
{
    range slot0 = {0, 64}, slot1 = {4096, 4160};
    const state_desc *st = NULL;
    zmm_archive *ar = NULL;
    zmm_archive_info info;
    zmm_result r;
    size_t i;
    int must_fail, newest_slot_ok;

    cases++;
    /* Which state the format says a reader must take: the newest whose
     * slot and directory pass (FORMAT.md, "Opening"). */
    newest_slot_ok = !touches(d, states[0].slot == 0 ? slot0 : slot1);
    if (newest_slot_ok && !touches(d, states[0].directory))
        st = &states[0];
    else if (!touches(d, states[1].slot == 0 ? slot0 : slot1) &&
             !touches(d, states[1].directory))
        st = &states[1];
    must_fail = !st;

    r = tu_open_bytes(file, len, ZMM_OPEN_READ, &ar);
    if (must_fail) {
        CHECKF(r != ZMM_OK, "the archive opened, but the state the format "
               "says a reader must take is damaged");
        CHECKF(acceptable_open_error(r), "open failed with %s (%s)",
               tu_result_name(r), zmm_strerror(r));
        return;
    }
    CHECKF(r == ZMM_OK,
           "open failed with %s (%s) but state S%llu is intact",
           tu_result_name(r), zmm_strerror(r),
           (unsigned long long)st->generation);
    opened++;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK_OK(zmm_archive_get_info(ar, &info));
    CHECK_U64(info.generation, st->generation);
    {
        /* The slot not taken is reported when it has the magic but fails
         * its checks (a torn commit or damage). */
        static const unsigned char magic[8] = {0x89, 'Z', 'M', 'M',
                                               0x0d, 0x0a, 0x1a, 0x0a};
        range other = st->slot == 0 ? slot1 : slot0;
        int damaged = touches(d, other) &&
                      memcmp(file + other.start, magic, 8) == 0;
        CHECKF(!(info.flags & ZMM_ARCHIVE_SLOT_DAMAGED) == !damaged,
               "info.flags 0x%x, but the other slot is %s", info.flags,
               damaged ? "damaged" : "intact or no slot");
        /* Falling back past a sound newest slot is said so; past a
         * damaged one too when the file goes on past the older state
         * (FORMAT.md, "Opening", step 6). */
        range newest = states[0].slot == 0 ? slot0 : slot1;
        int newest_torn = touches(d, newest) &&
                          memcmp(file + newest.start, magic, 8) == 0;

        damaged = st == &states[1] &&
                  (newest_slot_ok ||
                   (newest_torn && len > states[1].directory.end));
        CHECKF(!(info.flags & ZMM_ARCHIVE_NEWEST_LOST) == !damaged,
               "info.flags 0x%x, but the newest state was %s", info.flags,
               damaged ? "lost" : "not lost past a sound slot");
        if (damaged)
            newest_lost++;
    }
    CHECK_U64(zmm_archive_member_count(ar), st->image.count);
    for (i = 0; i < st->image.count; i++) {
        const tu_member_image *m = &st->image.members[i];
        int hit = 0;
        size_t k, index = 0;
        CHECK_OK(zmm_archive_find(ar, m->name, &index));
        for (k = 0; k < st->nranges[i]; k++)
            hit |= touches(d, st->ranges[i][k]);
        r = read_member(ar, m->name, m);
        if (hit) {
            CHECKF(r != ZMM_OK, "member %s has damaged stored bytes but "
                   "read back without an error", m->name);
            CHECKF(r == ZMM_ERR_CORRUPT, "member %s: read failed with %s",
                   m->name, tu_result_name(r));
            member_errors++;
        } else {
            CHECKF(r == ZMM_OK, "member %s is intact but reading it failed "
                   "with %s", m->name, tu_result_name(r));
        }
    }
    CHECK_OK(zmm_archive_close(ar));
}

/* Records the runs of bytes where `file` differs from base in [lo, hi). */
static void diff_runs(const unsigned char *file, size_t len, damage *d,
                      size_t lo, size_t hi)
{
    size_t i = lo;
    d->n = 0;
    if (hi > base_len)
        hi = base_len;
    while (i < hi) {
        size_t start;
        if (i < len && file[i] == base[i]) {
            i++;
            continue;
        }
        start = i;
        while (i < hi && (i >= len || file[i] != base[i]))
            i++;
        CHECK(d->n < 1024);
        d->changed[d->n].start = start;
        d->changed[d->n].end = i;
        d->n++;
    }
}

/* ---- the cases ----------------------------------------------------------- */

static void truncations(void)
{
    size_t L;
    unsigned long before = cases;
    damage d;
    for (L = 0; L <= base_len; L++) {
        tu_set_context("truncated to %llu of %llu bytes",
                       (unsigned long long)L, (unsigned long long)base_len);
        d.n = L < base_len;
        d.changed[0].start = L;
        d.changed[0].end = base_len;
        check_case(base, L, &d);
    }
    printf("%s: (a) %lu truncations\n", tu_test_name, cases - before);
}

static void flip(unsigned char *file, size_t bit, damage *d)
{
    file[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    d->n = 1;
    d->changed[0].start = bit / 8;
    d->changed[0].end = bit / 8 + 1;
}

static void flip_range(unsigned char *file, range r, const char *what)
{
    size_t bit;
    damage d;
    for (bit = (size_t)r.start * 8; bit < (size_t)r.end * 8; bit++) {
        tu_set_context("bit %llu (byte %llu) flipped in %s",
                       (unsigned long long)(bit % 8),
                       (unsigned long long)(bit / 8), what);
        flip(file, bit, &d);
        check_case(file, base_len, &d);
        flip(file, bit, &d);
    }
}

static void bit_flips(tu_rng *r)
{
    unsigned char *file = tu_xmalloc(base_len);
    range slot0 = {0, 64}, slot1 = {4096, 4160}, pad = {64, 96};
    unsigned long before = cases;
    size_t i, k;
    memcpy(file, base, base_len);
    flip_range(file, slot0, "slot 0");
    flip_range(file, slot1, "slot 1");
    flip_range(file, pad, "slot 0's padding");
    flip_range(file, states[0].directory, "the S3 directory");
    flip_range(file, states[1].directory, "the S2 directory (garbage)");
    /* A sample of bits in every stored block of both states. */
    for (i = 0; i < 2; i++)
        for (k = 0; k < states[i].image.count; k++) {
            size_t b;
            for (b = 0; b < states[i].nranges[k]; b++) {
                range rg = states[i].ranges[k][b];
                int n;
                for (n = 0; n < 12; n++) {
                    size_t bit = (size_t)(rg.start * 8 +
                                          tu_rng_below(r, (rg.end - rg.start) * 8));
                    damage d;
                    if (n == 0)
                        bit = (size_t)rg.start * 8;
                    if (n == 1)
                        bit = (size_t)rg.end * 8 - 1;
                    tu_set_context("bit %llu of byte %llu flipped in block "
                                   "data of S%llu member %s",
                                   (unsigned long long)(bit % 8),
                                   (unsigned long long)(bit / 8),
                                   (unsigned long long)states[i].generation,
                                   states[i].image.members[k].name);
                    flip(file, bit, &d);
                    check_case(file, base_len, &d);
                    flip(file, bit, &d);
                }
            }
        }
    CHECK_MEM(file, base, base_len);
    free(file);
    printf("%s: (b) %lu single-bit flips\n", tu_test_name, cases - before);
}

static void garbage(tu_rng *r, unsigned long count, uint64_t seed)
{
    unsigned char *file = tu_xmalloc(base_len);
    unsigned long n, before = cases;
    for (n = 0; n < count; n++) {
        uint64_t where = tu_rng_below(r, 10), off, len;
        unsigned fill = (unsigned)tu_rng_below(r, 4);
        damage d;
        memcpy(file, base, base_len);
        /* Aim at the slots and the directory often: most bytes are data. */
        if (where < 2)
            off = tu_rng_below(r, 64);
        else if (where < 3)
            off = 4096 + tu_rng_below(r, 64);
        else if (where < 5)
            off = states[0].directory.start +
                  tu_rng_below(r, states[0].directory.end -
                                      states[0].directory.start);
        else
            off = tu_rng_below(r, base_len);
        len = tu_rng_chance(r, 1, 2) ? tu_rng_range(r, 1, 16)
                                     : tu_rng_range(r, 1, 600);
        if (len > base_len - off)
            len = base_len - off;
        if (fill == 0)
            tu_rng_bytes(r, file + off, (size_t)len);
        else if (fill == 1)
            memset(file + off, 0, (size_t)len);
        else if (fill == 2)
            memset(file + off, 0xFF, (size_t)len);
        else /* a copy of other bytes of the file: plausible-looking junk */
            memcpy(file + off, base + tu_rng_below(r, base_len - len + 1),
                   (size_t)len);
        diff_runs(file, base_len, &d, (size_t)off, (size_t)(off + len));
        tu_set_context("seed %llu, garbage case %lu: %llu bytes of %s at %llu",
                       (unsigned long long)seed, n, (unsigned long long)len,
                       fill == 0 ? "random" : fill == 1 ? "zeros"
                       : fill == 2 ? "0xff" : "copied bytes",
                       (unsigned long long)off);
        check_case(file, base_len, &d);
    }
    free(file);
    printf("%s: (c) %lu garbage regions (seed %llu)\n", tu_test_name,
           cases - before, (unsigned long long)seed);
}

/* ---- (d) broken rules under valid CRCs ------------------------------------ */

static void put16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xFFFF);
    put16(p + 2, v >> 16);
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Recomputes the newest slot's directory_crc and slot_crc, so that only the
 * rule itself can catch the change. */
static void reseal(unsigned char *file, size_t len)
{
    unsigned char *slot = file + 4096 * states[0].slot;
    uint64_t off = states[0].directory.start;
    uint32_t dlen = get32(slot + 40);
    if (off + dlen <= len) /* else the slot's own rules are what is tested */
        put32(slot + 44,
              (uint32_t)crc32(crc32(0L, Z_NULL, 0), file + off, dlen));
    put32(slot + 60, (uint32_t)crc32(crc32(0L, Z_NULL, 0), slot, 60));
}

typedef struct rule_case {
    const char *rule;
    int fallback_ok; /* a slot rule: the older slot may be used instead */
} rule_case;

static void check_rule(unsigned char *file, size_t len, const char *rule,
                       int fallback_ok)
{
    zmm_archive *ar = NULL;
    zmm_result r;
    tu_set_context("(d) a directory or slot that breaks: %s", rule);
    reseal(file, len);
    r = tu_open_bytes(file, len, ZMM_OPEN_READ, &ar);
    cases++;
    /* The newest state breaks a rule; the older one (S2) is intact, so a
     * reader takes it (FORMAT.md, "Opening") and, when the newest slot
     * itself was sound, says the newest state was lost. */
    CHECKF(r == ZMM_OK, "open returned %s, expected the older state",
           tu_result_name(r));
    {
        zmm_archive_info info;
        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        CHECK_OK(zmm_archive_get_info(ar, &info));
        CHECK_U64(info.generation, states[1].generation);
        CHECKF(fallback_ok || (info.flags & ZMM_ARCHIVE_NEWEST_LOST),
               "info.flags 0x%x: the lost newest state not reported",
               info.flags);
        CHECK_OK(zmm_archive_close(ar));
        if (fallback_ok)
            printf("%s: (d) %s: the older slot was taken\n", tu_test_name,
                   rule);
        rule_fallbacks++;
    }
}

static void rule_violations(void)
{
    unsigned char *f = tu_xmalloc(base_len + 1);
    unsigned char *slot = NULL, *d, *rec[5], *blk, *dr;
    tu_fmt_archive a;
    unsigned long before = cases;
    size_t i, dlen;
    uint32_t j;
    int raw = -1, defl = -1, zero = -1, m_raw = 0, m_defl = 0, m_zero = 0;

    CHECK(tu_fmt_parse(base, base_len, 0, &a) == NULL);
    CHECK(a.slot == states[0].slot && a.member_count == 5);
    CHECK(a.members[4].flags == 4u); /* t.dict, the dictionary's member */
    d = f + a.directory_offset;
    dlen = a.directory_length;
    for (i = 0; i < 5; i++)
        rec[i] = f + a.members[i].record_offset;
    dr = f + a.members[4].dict_record_offset;
    /* A block of each kind, for the block rules. */
    for (i = 0; i < 4; i++)
        for (j = 0; j < a.members[i].block_count; j++) {
            unsigned k = a.members[i].blocks[j].kind;
            if (k == 1 && raw < 0) { raw = (int)j; m_raw = (int)i; }
            if (k == 2 && defl < 0) { defl = (int)j; m_defl = (int)i; }
            if (k == 0 && zero < 0) { zero = (int)j; m_zero = (int)i; }
        }
    CHECK(raw >= 0 && defl >= 0 && zero >= 0);
#define ENTRY(m, b)                                                          \
    (rec[m] + 20 + strlen(a.members[m].name) + 20 * (size_t)(b))
#define RESET() (memcpy(f, base, base_len), slot = f + 4096 * a.slot)

    RESET(); d[0] = 'z';
    check_rule(f, base_len, "directory magic", 0);
    RESET(); put32(d + 4, 6);
    check_rule(f, base_len, "member_count too high", 0);
    RESET(); put32(d + 4, 4);
    check_rule(f, base_len, "member_count too low (bytes left over)", 0);
    RESET(); put32(d + 4, 70000);
    check_rule(f, base_len, "member_count over 65535", 0);
    RESET(); put32(d + 8, 1);
    check_rule(f, base_len, "directory flags not 0", 0);
    RESET(); put32(d + 12, 1);
    check_rule(f, base_len, "directory reserved not 0", 0);
    RESET(); put16(rec[1], 0);
    check_rule(f, base_len, "name_length 0", 0);
    RESET(); put16(rec[1], 256);
    check_rule(f, base_len, "name_length 256", 0);
    RESET(); put16(rec[3], (uint32_t)strlen(a.members[3].name) + 1);
    check_rule(f, base_len, "name_length 1 too long (records misaligned)", 0);
    RESET(); rec[1][2] = 11;
    check_rule(f, base_len, "block_shift 11", 0);
    RESET(); rec[1][2] = 21;
    check_rule(f, base_len, "block_shift 21", 0);
    RESET(); rec[1][2] = 13;
    check_rule(f, base_len, "block_shift changed (block_count no longer "
               "matches)", 0);
    RESET(); rec[1][3] = 10;
    check_rule(f, base_len, "level 10", 0);
    RESET(); put32(rec[1] + 4, 2);
    check_rule(f, base_len, "member flags bit 1", 0);
    RESET(); put64(rec[1] + 8, a.members[1].length + 4096);
    check_rule(f, base_len, "length without the blocks for it", 0);
    RESET(); put64(rec[1] + 8, (uint64_t)1 << 62);
    check_rule(f, base_len, "length 2^62", 0);
    RESET(); put32(rec[1] + 16, a.members[1].block_count + 1);
    check_rule(f, base_len, "block_count one too many", 0);
    RESET(); put32(rec[1] + 16, 0xFFFFFFFFu);
    check_rule(f, base_len, "block_count 2^32-1", 0);
    RESET(); rec[1][20] = 0x01;
    check_rule(f, base_len, "a control byte in a name", 0);
    RESET(); rec[1][20] = 0x7f;
    check_rule(f, base_len, "DEL in a name", 0);
    RESET(); rec[1][21] = 0;
    check_rule(f, base_len, "a NUL byte in a name", 0);
    for (i = 1; i < 4; i++)
        if (strlen(a.members[i].name) == strlen(a.members[0].name)) {
            RESET();
            memcpy(rec[i] + 20, a.members[0].name, strlen(a.members[0].name));
            check_rule(f, base_len, "two members of one name", 0);
            break;
        }
    CHECK(i < 4);
    RESET();
    for (i = 0; i < 4; i++)
        put32(rec[i] + 4, 1);
    check_rule(f, base_len, "two default members", 0);

    RESET(); blk = ENTRY(m_raw, raw); blk[11] = 3;
    check_rule(f, base_len, "block kind 3", 0);
    RESET(); blk = ENTRY(m_raw, raw); blk[11] = 4;
    check_rule(f, base_len, "block kind 4", 0);
    RESET(); blk = ENTRY(m_raw, raw); blk[11] = 5;
    check_rule(f, base_len, "block kind 5", 0);
    RESET(); blk = ENTRY(m_raw, raw); blk[11] = 6;
    check_rule(f, base_len, "block kind 6", 0);
    /* a deflate block's sizes would do for kinds 2 to 6: the kind alone */
    RESET(); blk = ENTRY(m_defl, defl); blk[11] = 7;
    check_rule(f, base_len, "block kind 7", 0);
    RESET(); blk = ENTRY(m_zero, zero); put64(blk, 8192);
    check_rule(f, base_len, "zero block with an offset", 0);
    RESET(); blk = ENTRY(m_zero, zero); put32(blk + 16, 1);
    check_rule(f, base_len, "zero block with a CRC", 0);
    RESET(); blk = ENTRY(m_zero, zero); put32(blk + 8, 5);
    check_rule(f, base_len, "zero block with a stored_size", 0);
    RESET(); blk = ENTRY(m_raw, raw); put32(blk + 8, (1u << 24) | 100);
    check_rule(f, base_len, "raw block shorter than n_i", 0);
    RESET(); blk = ENTRY(m_raw, raw); put32(blk + 16, get32(blk + 16) ^ 1);
    check_rule(f, base_len, "raw block with stored_crc != logical_crc", 0);
    RESET(); blk = ENTRY(m_defl, defl); put32(blk + 8, (2u << 24) | 4096);
    check_rule(f, base_len, "deflate block of stored_size >= n_i", 0);
    RESET(); blk = ENTRY(m_defl, defl); put32(blk + 8, 2u << 24);
    check_rule(f, base_len, "deflate block of stored_size 0", 0);
    RESET(); blk = ENTRY(m_raw, raw); put64(blk, 4096);
    check_rule(f, base_len, "block inside the header", 0);
    RESET(); blk = ENTRY(m_raw, raw);
    put64(blk, a.directory_offset - 100);
    check_rule(f, base_len, "block running into its directory", 0);
    RESET(); blk = ENTRY(m_raw, raw); put64(blk, (uint64_t)-4096);
    check_rule(f, base_len, "block offset near 2^64", 0);

    /* The dictionary record (member 4). */
    RESET(); put32(rec[3] + 4, 4);
    check_rule(f, base_len, "flags bit 2 without a dictionary record", 0);
    RESET(); put32(rec[4] + 4, 0);
    check_rule(f, base_len, "a dictionary record without flags bit 2", 0);
    RESET(); put32(rec[4] + 4, 0xC);
    check_rule(f, base_len, "member flags bit 3", 0);
    RESET(); put32(dr, 0);
    check_rule(f, base_len, "dict_length 0", 0);
    RESET(); put32(dr, 32769);
    check_rule(f, base_len, "dict_length 32769", 0);
    RESET(); put32(dr, get32(dr + 12) & 0xFFFFFFu);
    check_rule(f, base_len, "dict_length = its deflated stored_size", 0);
    RESET(); put32(dr + 12, get32(dr + 12) & 0xFFFFFFu);
    check_rule(f, base_len, "dictionary of kind 0", 0);
    RESET(); put32(dr + 12, (get32(dr + 12) & 0xFFFFFFu) | (3u << 24));
    check_rule(f, base_len, "dictionary of kind 3", 0);
    RESET(); put32(dr + 12, (get32(dr + 12) & 0xFFFFFFu) | (1u << 24));
    check_rule(f, base_len, "raw dictionary of stored_size != length", 0);
    RESET(); put64(dr + 4, 4096);
    check_rule(f, base_len, "dictionary inside the header", 0);
    RESET(); put64(dr + 4, a.directory_offset - 10);
    check_rule(f, base_len, "dictionary running into its directory", 0);
    RESET(); put64(dr + 4, (uint64_t)-4096);
    check_rule(f, base_len, "dictionary offset near 2^64", 0);
    RESET(); put32(slot + 12, 1);
    {
        zmm_archive *ar = NULL;
        reseal(f, base_len);
        /* Without bit 0x2 a reader that knows it may refuse the file or
         * read it; one that did not know it would never get here. What it
         * must not do is crash or return wrong bytes: check it reads. */
        if (tu_open_bytes(f, base_len, ZMM_OPEN_READ, &ar) == ZMM_OK)
            zmm_archive_close(ar);
    }
    RESET(); put32(slot + 12, 4);
    /* The delta bit on a slot that points at a directory. */
    check_rule(f, base_len, "incompat bit 0x4 (delta) without a delta record",
               0);
    RESET(); put32(slot + 12, 0x40); /* the first bit not known */
    reseal(f, base_len);
    {
        zmm_archive *ar = NULL;
        tu_set_context("incompat bit 0x40");
        CHECK_RES(tu_open_bytes(f, base_len, ZMM_OPEN_READ, &ar),
                  ZMM_ERR_UNSUPPORTED);
    }

    /* A byte after the last record. */
    RESET(); f[base_len] = 0; put32(slot + 40, (uint32_t)dlen + 1);
    check_rule(f, base_len + 1, "a byte after the last record", 0);
    /* The slot's own field rules (the older slot may be taken instead). */
    RESET(); put32(slot + 40, 15);
    check_rule(f, base_len, "directory_length 15", 1);
    RESET(); put32(slot + 40, (64u << 20) + 1);
    check_rule(f, base_len, "directory_length over 64 MiB", 1);
    RESET(); put64(slot + 32, 4096);
    check_rule(f, base_len, "directory_offset in the header", 1);
    RESET(); put64(slot + 32, (uint64_t)-16);
    check_rule(f, base_len, "directory_offset near 2^64", 1);
    RESET(); put64(slot + 24, 0);
    check_rule(f, base_len, "generation 0", 1);
    RESET(); slot[8] = 0;
    check_rule(f, base_len, "format_version 0", 1);
#undef ENTRY
#undef RESET
    tu_fmt_free(&a);
    free(f);
    printf("%s: (d) %lu broken rules under valid CRCs: the older state taken\n",
           tu_test_name, cases - before);
}

/* verify_member names the damaged block. */
static void verify_finds_block(void)
{
    const state_desc *st = &states[0];
    size_t i;
    for (i = 0; i < st->image.count; i++) {
        size_t k;
        for (k = 0; k < st->nranges[i]; k++) {
            unsigned char *file = tu_xmalloc(base_len);
            zmm_archive *ar = NULL;
            uint32_t bad = 0xFFFFFFFFu, b;
            tu_fmt_archive a;
            uint64_t off = st->ranges[i][k].start;
            memcpy(file, base, base_len);
            file[off + (st->ranges[i][k].end - off) / 2] ^= 0x10;
            /* Which block index that is, by our own decoder. */
            CHECK(tu_fmt_parse(base, base_len, 0, &a) == NULL);
            {
                uint32_t j;
                b = 0xFFFFFFFFu;
                for (j = 0; j < a.member_count; j++)
                    if (strcmp(a.members[j].name, st->image.members[i].name)
                        == 0) {
                        uint32_t q;
                        for (q = 0; q < a.members[j].block_count; q++)
                            if (a.members[j].blocks[q].kind != 0 &&
                                a.members[j].blocks[q].offset == off)
                                b = q;
                    }
            }
            /* No block there: the member's dictionary, which the first
             * deflate block needs. */
            if (b == 0xFFFFFFFFu) {
                uint32_t j, q;
                for (j = 0; j < a.member_count; j++)
                    if (strcmp(a.members[j].name, st->image.members[i].name)
                        == 0)
                        for (q = a.members[j].block_count; q-- > 0;)
                            if (a.members[j].blocks[q].kind == 2)
                                b = q;
                CHECK(b != 0xFFFFFFFFu);
            }
            tu_fmt_free(&a);
            tu_set_context("verify_member %s with block %u damaged",
                           st->image.members[i].name, (unsigned)b);
            CHECK_OK(tu_open_bytes(file, base_len, ZMM_OPEN_READ, &ar));
            CHECK_RES(zmm_archive_verify_member(ar, st->image.members[i].name,
                                                &bad),
                      ZMM_ERR_CORRUPT);
            CHECK_U64(bad, b);
            CHECK_OK(zmm_archive_close(ar));
            free(file);
        }
    }
}

/* ---- allocation failures ------------------------------------------------- */

static void alloc_sweep_read(void)
{
    long n;
    for (n = 0;; n++) {
        zmm_file *mem = zmm_memfile_new(base, base_len);
        zmm_archive *ar = NULL;
        tu_image img;
        zmm_result r;
        char why[200];
        CHECK(mem != NULL);
        tu_set_context("open + read with allocation %ld failing", n);
        tu_alloc_fail_after(n);
        r = zmm_archive_open_file(mem, ZMM_OPEN_READ, &ar);
        if (r == ZMM_OK) {
            r = tu_image_read(ar, &img);
            if (r == ZMM_OK) {
                tu_alloc_fail_after(-1);
                CHECKF(tu_image_equal(&img, &states[0].image, why, sizeof why),
                       "read the wrong state: %s", why);
                tu_image_free(&img);
            }
            zmm_archive_close(ar);
        } else {
            CHECK(ar == NULL);
        }
        tu_alloc_fail_after(-1);
        CHECKF(r == ZMM_OK || r == ZMM_ERR_NOMEM, "failed with %s",
               tu_result_name(r));
        if (r == ZMM_OK)
            break;
    }
    printf("%s: open + read: %ld allocation failures each gave "
           "ZMM_ERR_NOMEM\n", tu_test_name, n);
}

/* The changes of the write sweep, and the state they lead to. */
static zmm_result apply_changes(zmm_archive *ar, const unsigned char *extra,
                                size_t extra_len)
{
    zmm_stream *s = NULL;
    zmm_result r;
    r = zmm_stream_open(ar, "a.txt", ZMM_STREAM_WRITE, NULL, &s);
    if (r) return r;
    r = zmm_stream_seek(s, 4096 * 2 + 5, ZMM_SEEK_SET, NULL);
    if (r) { zmm_stream_close(s); return r; }
    r = zmm_stream_write(s, "overwritten", 11);
    if (r) { zmm_stream_close(s); return r; }
    r = zmm_stream_close(s);
    if (r) return r;
    r = zmm_stream_open(ar, "e.new", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                        NULL, &s);
    if (r) return r;
    r = zmm_stream_write(s, extra, extra_len);
    if (r) { zmm_stream_close(s); return r; }
    r = zmm_stream_close(s);
    if (r) return r;
    r = zmm_archive_remove(ar, "d");
    if (r) return r;
    /* an append to the dictionary's member: its new blocks use it */
    r = zmm_stream_open(ar, "t.dict", ZMM_STREAM_WRITE, NULL, &s);
    if (r) return r;
    r = zmm_stream_seek(s, 0, ZMM_SEEK_END, NULL);
    if (r) { zmm_stream_close(s); return r; }
    r = zmm_stream_write(s, extra, 5000);
    if (r) { zmm_stream_close(s); return r; }
    r = zmm_stream_close(s);
    if (r) return r;
    return zmm_archive_commit(ar);
}

static int same_member(const tu_member_image *a, const tu_member_image *b)
{
    return a && b && a->size == b->size &&
           (a->size == 0 || memcmp(a->data, b->data, a->size) == 0);
}

/* After a failed sequence each change is in or out, but whole: a member is
 * as before or as after (a created member may be empty if its write
 * failed), and no member vanishes but the removed one. */
static void check_old_or_new(const tu_image *img, const tu_image *next)
{
    const tu_image *old = &states[0].image;
    size_t i;
    for (i = 0; i < img->count; i++) {
        const tu_member_image *m = &img->members[i];
        int ok = same_member(m, tu_image_find(old, m->name)) ||
                 same_member(m, tu_image_find(next, m->name)) ||
                 (strcmp(m->name, "e.new") == 0 && m->size == 0);
        CHECKF(ok, "member %s (%llu bytes) is neither as before nor as after",
               m->name, (unsigned long long)m->size);
    }
    for (i = 0; i < old->count; i++)
        CHECKF(tu_image_find(img, old->members[i].name) ||
                   strcmp(old->members[i].name, "d") == 0,
               "member %s vanished", old->members[i].name);
}

static void alloc_sweep_write(void)
{
    long n;
    size_t extra_len = 70000;
    unsigned char *extra = tu_xmalloc(extra_len);
    tu_image next;
    tu_rng r;
    const tu_member_image *a3 = NULL, *t3 = NULL;
    size_t i;

    /* The state the changes lead to. */
    tu_rng_seed(&r, 7);
    tu_fill(&r, TU_DATA_MIXED, extra, extra_len);
    next.count = 0;
    next.members = NULL;
    for (i = 0; i < states[0].image.count; i++) {
        const tu_member_image *m = &states[0].image.members[i];
        if (strcmp(m->name, "a.txt") == 0)
            a3 = m;
        else if (strcmp(m->name, "t.dict") == 0)
            t3 = m;
        else if (strcmp(m->name, "d") != 0)
            tu_image_put(&next, m->name, m->data, m->size, m->is_default);
    }
    CHECK(a3 != NULL);
    tu_image_put(&next, "a.txt", a3->data, a3->size, a3->is_default);
    memcpy(next.members[next.count - 1].data + 4096 * 2 + 5, "overwritten",
           11);
    tu_image_put(&next, "e.new", extra, extra_len, 0);
    CHECK(t3 != NULL);
    {
        unsigned char *t = tu_xmalloc(t3->size + 5000);
        memcpy(t, t3->data, t3->size);
        memcpy(t + t3->size, extra, 5000);
        tu_image_put(&next, "t.dict", t, t3->size + 5000, t3->is_default);
        free(t);
    }

    for (n = 0;; n++) {
        zmm_file *mem = zmm_memfile_new(base, base_len);
        zmm_archive *ar = NULL;
        zmm_result res, rc;
        tu_image img;
        char why[200];
        CHECK(mem != NULL);
        tu_set_context("write + commit with allocation %ld failing", n);
        tu_alloc_fail_after(n);
        res = zmm_archive_open_file(tu_borrow_file(mem), ZMM_OPEN_WRITE, &ar);
        if (res == ZMM_OK)
            res = apply_changes(ar, extra, extra_len);
        /* Close under the same failing allocator: a failed sequence must
         * not commit half of it. */
        rc = ar ? zmm_archive_close(ar) : ZMM_OK;
        tu_alloc_fail_after(-1);
        CHECKF(res == ZMM_OK || res == ZMM_ERR_NOMEM, "failed with %s",
               tu_result_name(res));
        CHECKF(rc == ZMM_OK || rc == ZMM_ERR_NOMEM || rc == ZMM_ERR_STATE,
               "close returned %s", tu_result_name(rc));
        if (res == ZMM_OK)
            CHECKF(rc == ZMM_OK, "close after a good commit returned %s",
                   tu_result_name(rc));
        /* What is in the file now: the old state or the new one. */
        ar = NULL;
        CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem), ZMM_OPEN_READ,
                                       &ar));
        CHECK_OK(tu_image_read(ar, &img));
        CHECK_OK(zmm_archive_close(ar));
        check_old_or_new(&img, &next);
        if (res == ZMM_OK)
            CHECKF(tu_image_equal(&img, &next, why, sizeof why),
                   "a successful commit did not publish: %s", why);
        tu_image_free(&img);
        mem->methods->close(mem);
        if (res == ZMM_OK && rc == ZMM_OK)
            break;
    }
    tu_image_free(&next);
    free(extra);
    printf("%s: write + commit: %ld allocation failures each gave "
           "ZMM_ERR_NOMEM and left the old or the new state\n",
           tu_test_name, n);
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    tu_rng r;
    double t0;
    size_t i;
    tu_init("test_damage");
    if (argc > 2 || (argc == 2 && !tu_parse_u64(argv[1], &seed))) {
        fprintf(stderr, "usage: test_damage [SEED]\n");
        return 2;
    }
    t0 = tu_seconds();
    tu_rng_seed(&r, seed);
    build_archive();
    truncations();
    bit_flips(&r);
    garbage(&r, 4000, seed);
    rule_violations();
    verify_finds_block();
    printf("%s: %lu damaged-input cases (%lu opened, %lu of them at the "
           "older state with the newest lost, %lu member reads refused) in "
           "%.2f s\n",
           tu_test_name, cases, opened, newest_lost, member_errors,
           tu_seconds() - t0);
    CHECK(newest_lost > 0); /* the cut and damaged newest directories */
    alloc_sweep_read();
    alloc_sweep_write();
    for (i = 0; i < 2; i++) {
        size_t k;
        for (k = 0; k < states[i].image.count; k++)
            free(states[i].ranges[k]);
        free(states[i].ranges);
        free(states[i].nranges);
        tu_image_free(&states[i].image);
    }
    free(base);
    printf("%s: passed in %.2f s\n", tu_test_name, tu_seconds() - t0);
    return 0;
}
