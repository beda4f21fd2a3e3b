/*
 * test_metadata.c -- members' modification times and modes (FORMAT.md,
 * "Metadata"): through the API and back, by the independent spec reader
 * (tu_fmt_parse) and the shared snapshot parser; kept by writes, truncation,
 * renames, removals, checkpoints' delta records and compaction; an archive
 * without any has no table; unknown compat bits are cleared; a damaged or
 * hostile table (bad sizes, offsets, counts, fields) is refused as damage,
 * by both parsers, never with a crash or a large allocation, and a newer
 * state whose table is damaged falls back to the older one.
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "archive_file.h"
#include "snapshot.h"
#include "state.h"
#include "struct_size.h"
#include "test_util.h"

#define APOLLO (-14182940) /* 1969-07-20 20:17:40 UTC */

static void fill_meta(zmm_member_options *o, unsigned meta, int64_t mtime,
                      uint32_t nsec, unsigned mode)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->block_size = 4096;
    o->level = 6;
    o->meta = meta;
    o->mtime = mtime;
    o->mtime_nsec = nsec;
    o->mode = mode;
}

static void put(zmm_archive *ar, const char *name, const zmm_member_options *o,
                size_t len)
{
    zmm_stream *s = NULL;
    unsigned char buf[10000];
    size_t i;

    for (i = 0; i < len && i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 7 + name[0]);
    CHECK_OK(zmm_stream_open(ar, name,
                             ZMM_STREAM_WRITE | ZMM_STREAM_CREATE |
                                 ZMM_STREAM_TRUNCATE,
                             o, &s));
    CHECK_OK(zmm_stream_write(s, buf, len));
    CHECK_OK(zmm_stream_close(s));
}

/* The three members every test starts from: "a" with both (before 1970,
 * half a second, set-user-ID), "b" with none, "c" with a time only (far
 * past 2038, the largest nanoseconds). */
static void put_three(zmm_archive *ar)
{
    zmm_member_options o;

    fill_meta(&o, ZMM_META_MTIME | ZMM_META_MODE, APOLLO, 500000000, 04755);
    put(ar, "a", &o, 5000);
    put(ar, "b", NULL, 100);
    fill_meta(&o, ZMM_META_MTIME, (int64_t)1 << 40, 999999999, 0);
    put(ar, "c", &o, 10);
}

static void expect(zmm_archive *ar, const char *name, unsigned meta,
                   int64_t mtime, uint32_t nsec, unsigned mode)
{
    zmm_member_info mi;
    size_t at = 0;

    tu_set_context("member %s", name);
    CHECK_OK(zmm_archive_find(ar, name, &at));
    memset(&mi, 0, sizeof mi);
    mi.struct_size = sizeof mi;
    CHECK_OK(zmm_archive_member_info(ar, at, &mi));
    CHECK_U64(mi.meta, meta);
    CHECK_U64((uint64_t)mi.mtime, (uint64_t)mtime);
    CHECK_U64(mi.mtime_nsec, nsec);
    CHECK_U64(mi.mode, mode);
}

static void expect_three(zmm_archive *ar)
{
    expect(ar, "a", ZMM_META_MTIME | ZMM_META_MODE, APOLLO, 500000000,
           04755);
    expect(ar, "b", 0, 0, 0, 0);
    expect(ar, "c", ZMM_META_MTIME, (int64_t)1 << 40, 999999999, 0);
}

/* The spec reader and the snapshot parser see what the library says. */
static void cross_check(const unsigned char *file, size_t len)
{
    tu_fmt_archive fa;
    const char *err = tu_fmt_parse(file, len, 1, &fa);
    zmm_archive *ar = NULL;
    zmm_file *f;
    zmm_slot_bytes slots;
    zmm_snapshot *snap = NULL;
    uint32_t i;

    CHECKF(err == NULL, "spec reader: %s", err);
    CHECK_OK(tu_open_bytes(file, len, ZMM_OPEN_READ, &ar));
    f = zmm_memfile_new(file, len);
    CHECK(f != NULL);
    CHECK_OK(zmm_state_read_slots(f, len, &slots));
    CHECK_OK(zmm_snapshot_load(f, len, &slots, &snap));
    f->methods->close(f);
    for (i = 0; i < fa.member_count; i++) {
        const tu_fmt_member *m = &fa.members[i];
        zmm_member sm;

        expect(ar, m->name, m->meta, m->mtime, m->mtime_nsec, m->mode);
        zmm_snapshot_member_get(snap, i, &sm);
        CHECK(strcmp(sm.name, m->name) == 0);
        CHECK_U64(sm.meta, m->meta);
        CHECK_U64((uint64_t)sm.mtime, (uint64_t)m->mtime);
        CHECK_U64(sm.mtime_nsec, m->mtime_nsec);
        CHECK_U64(sm.mode, m->mode);
    }
    zmm_snapshot_unref(snap);
    zmm_archive_close(ar);
    tu_fmt_free(&fa);
}

static unsigned char *three_on_memfile(size_t *len)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    unsigned char *bytes;

    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    put_three(ar);
    CHECK_OK(zmm_archive_close(ar));
    bytes = tu_memfile_copy(mem, len);
    mem->methods->close(mem);
    return bytes;
}

static void test_round_trip(void)
{
    size_t len;
    unsigned char *file = three_on_memfile(&len);
    zmm_archive *ar = NULL;
    zmm_member_info mi;
    unsigned char *p;

    tu_set_context("round trip");
    cross_check(file, len);
    CHECK_OK(tu_open_bytes(file, len, ZMM_OPEN_READ, &ar));
    expect_three(ar);
    /* A caller built before metadata gets none of its bytes written. */
    memset(&mi, 0xEE, sizeof mi);
    mi.struct_size = ZMM_SIZE_THROUGH(zmm_member_info, dict_length);
    CHECK_OK(zmm_archive_member_info(ar, 0, &mi));
    for (p = (unsigned char *)&mi.meta; p < (unsigned char *)(&mi + 1); p++)
        CHECK(*p == 0xEE);
    zmm_archive_close(ar);
    free(file);
}

static void test_options(void)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_member_options o;

    tu_set_context("options");
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    fill_meta(&o, ZMM_META_MTIME, 0, 1000000000, 0);
    CHECK_RES(zmm_stream_open(ar, "x", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                              &o, &s), ZMM_ERR_INVALID_ARG);
    fill_meta(&o, ZMM_META_MODE, 0, 0, 010000);
    CHECK_RES(zmm_stream_open(ar, "x", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                              &o, &s), ZMM_ERR_INVALID_ARG);
    fill_meta(&o, 0x4, 0, 0, 0);
    CHECK_RES(zmm_stream_open(ar, "x", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                              &o, &s), ZMM_ERR_INVALID_ARG);
    /* Values of fields whose bit is not given are not looked at. */
    fill_meta(&o, ZMM_META_MODE, 12345, 2000000000, 0644);
    CHECK_OK(zmm_stream_open(ar, "x", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             &o, &s));
    CHECK_OK(zmm_stream_close(s));
    expect(ar, "x", ZMM_META_MODE, 0, 0, 0644);
    /* An older struct_size: the metadata fields are not read. */
    fill_meta(&o, ZMM_META_MTIME, 77, 0, 0);
    o.struct_size = ZMM_SIZE_THROUGH(zmm_member_options, threads);
    CHECK_OK(zmm_stream_open(ar, "y", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             &o, &s));
    CHECK_OK(zmm_stream_close(s));
    expect(ar, "y", 0, 0, 0, 0);
    CHECK_OK(zmm_archive_close(ar));
    mem->methods->close(mem);
}

/* Writes, truncation, rename, the default flag and removing others keep
 * each member's metadata; giving a mode keeps the time. */
static void test_kept(void)
{
    size_t len, len2;
    unsigned char *file = three_on_memfile(&len), *after;
    zmm_file *mem = zmm_memfile_new(file, len);
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_member_options o;

    tu_set_context("kept by edits");
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem), ZMM_OPEN_WRITE, &ar));
    CHECK_OK(zmm_stream_open(ar, "a", ZMM_STREAM_WRITE | ZMM_STREAM_TRUNCATE,
                             NULL, &s));
    CHECK_OK(zmm_stream_write(s, "new", 3));
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_rename(ar, "a", "z"));
    CHECK_OK(zmm_archive_remove(ar, "b"));
    CHECK_OK(zmm_archive_set_default(ar, "c"));
    fill_meta(&o, ZMM_META_MODE, 0, 0, 0600);
    CHECK_OK(zmm_stream_open(ar, "c", ZMM_STREAM_WRITE, &o, &s));
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
    after = tu_memfile_copy(mem, &len2);
    mem->methods->close(mem);
    cross_check(after, len2);
    CHECK_OK(tu_open_bytes(after, len2, ZMM_OPEN_READ, &ar));
    CHECK_U64(zmm_archive_member_count(ar), 2);
    expect(ar, "z", ZMM_META_MTIME | ZMM_META_MODE, APOLLO, 500000000,
           04755);
    expect(ar, "c", ZMM_META_MTIME | ZMM_META_MODE, (int64_t)1 << 40,
           999999999, 0600);
    zmm_archive_close(ar);
    free(after);
    free(file);
}

/* The slot a file's newest state is published in. */
static zmm_slot newest_slot(const unsigned char *file, size_t len)
{
    zmm_slot slot;
    int index, other;

    memset(&slot, 0, sizeof slot);
    CHECK_OK(zmm_header_choose(file, file + 4096, len, &slot, &index,
                               &other));
    return slot;
}

/* A checkpoint's delta record points at the same table; the close's whole
 * directory gets a new one. */
static void test_checkpoint(void)
{
    size_t len, mid_len, end_len;
    unsigned char *file = three_on_memfile(&len), *mid, *end;
    zmm_file *mem = zmm_memfile_new(file, len);
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_checkpoint_policy p;
    static unsigned char more[8192];

    tu_set_context("checkpoints");
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.bytes = 1;
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem), ZMM_OPEN_WRITE, &ar));
    CHECK_OK(zmm_archive_set_checkpoints(ar, &p));
    CHECK_OK(zmm_stream_open(ar, "a", ZMM_STREAM_WRITE, NULL, &s));
    CHECK_OK(zmm_stream_seek(s, 0, ZMM_SEEK_END, NULL));
    CHECK_OK(zmm_stream_write(s, more, sizeof more));
    CHECK(zmm_archive_checkpoints(ar) >= 1);
    mid = tu_memfile_copy(mem, &mid_len);
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_close(ar));
    end = tu_memfile_copy(mem, &end_len);
    mem->methods->close(mem);
    CHECK(newest_slot(mid, mid_len).incompat_features & ZMM_INCOMPAT_DELTA);
    CHECK(newest_slot(mid, mid_len).compat_features & ZMM_COMPAT_META);
    CHECK_OK(tu_open_bytes(mid, mid_len, ZMM_OPEN_READ, &ar));
    expect_three(ar);
    zmm_archive_close(ar);
    cross_check(end, end_len);
    free(mid);
    free(end);
    free(file);
}

static void test_compact(void)
{
    char path[256];
    zmm_archive *ar = NULL;
    zmm_archive_info ai;
    unsigned char *bytes;
    size_t len;

    tu_set_context("compact");
    tu_temp_path(path, sizeof path, "meta.zmm");
    remove(path);
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                              NULL));
    put_three(ar);
    CHECK_OK(zmm_archive_commit(ar));
    put(ar, "b", NULL, 200); /* garbage to drop */
    CHECK_OK(zmm_archive_close(ar));
    CHECK_OK(zmm_compact(path, NULL));
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_READ, &ar, NULL));
    memset(&ai, 0, sizeof ai);
    ai.struct_size = sizeof ai;
    CHECK_OK(zmm_archive_get_info(ar, &ai));
    CHECK_U64(ai.garbage_bytes, 0); /* the table counts as live */
    expect_three(ar);
    zmm_archive_close(ar);
    bytes = tu_read_file(path, &len);
    CHECK(bytes != NULL);
    cross_check(bytes, len);
    free(bytes);
    remove(path);
}

/* No metadata: no table, compat 0, bytes 48..59 zero, as before. */
static void test_none(void)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    unsigned char *file;
    size_t len, i;
    tu_fmt_archive fa;

    tu_set_context("no metadata");
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    put(ar, "b", NULL, 100);
    CHECK_OK(zmm_archive_close(ar));
    file = tu_memfile_copy(mem, &len);
    mem->methods->close(mem);
    CHECK(tu_fmt_parse(file, len, 1, &fa) == NULL);
    CHECK_U64(fa.compat_features, 0);
    for (i = 48; i < 60; i++)
        CHECK(file + 4096 * fa.slot != NULL && file[4096 * fa.slot + i] == 0);
    tu_fmt_free(&fa);
    free(file);
}

static void reseal_slot(unsigned char *slot)
{
    uint32_t c = (uint32_t)crc32(0, slot, 60);

    slot[60] = (unsigned char)c;
    slot[61] = (unsigned char)(c >> 8);
    slot[62] = (unsigned char)(c >> 16);
    slot[63] = (unsigned char)(c >> 24);
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* A compat bit this version does not know: ignored, then cleared by the
 * next commit. */
static void test_unknown_compat(void)
{
    size_t len, len2;
    unsigned char *file = three_on_memfile(&len), *after;
    tu_fmt_archive fa;
    zmm_file *mem;
    zmm_archive *ar = NULL;

    tu_set_context("an unknown compat bit");
    CHECK(tu_fmt_parse(file, len, 0, &fa) == NULL);
    file[4096 * fa.slot + 19] |= 0x80; /* bit 31 */
    reseal_slot(file + 4096 * fa.slot);
    tu_fmt_free(&fa);
    mem = zmm_memfile_new(file, len);
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem), ZMM_OPEN_WRITE, &ar));
    expect_three(ar);
    CHECK_OK(zmm_archive_remove(ar, "b"));
    CHECK_OK(zmm_archive_close(ar));
    after = tu_memfile_copy(mem, &len2);
    mem->methods->close(mem);
    /* The commit's slot (the other keeps the bit: it was not rewritten). */
    CHECK_U64(newest_slot(after, len2).compat_features, ZMM_COMPAT_META);
    free(after);
    free(file);
}

/* Opening `file` fails as damage, through the archive and the snapshot. */
static void expect_damaged(const unsigned char *file, size_t len,
                           const char *what)
{
    zmm_archive *ar = NULL;
    zmm_file *f;
    zmm_slot_bytes slots;
    zmm_snapshot *snap = NULL;

    tu_set_context("damaged table: %s", what);
    CHECK_RES(tu_open_bytes(file, len, ZMM_OPEN_READ, &ar), ZMM_ERR_CORRUPT);
    CHECK(ar == NULL);
    f = zmm_memfile_new(file, len);
    CHECK(f != NULL);
    CHECK_OK(zmm_state_read_slots(f, len, &slots));
    CHECK_RES(zmm_snapshot_load(f, len, &slots, &snap), ZMM_ERR_CORRUPT);
    f->methods->close(f);
}

static void test_damage(void)
{
    char path[256];
    zmm_archive *ar = NULL;
    unsigned char *good, *bad, *t, *slot;
    size_t len, i;
    tu_fmt_archive fa;
    uint32_t records;

    /* One state in slot 0, none to fall back to: compacted. */
    tu_temp_path(path, sizeof path, "damage.zmm");
    remove(path);
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                              NULL));
    put_three(ar);
    CHECK_OK(zmm_archive_close(ar));
    CHECK_OK(zmm_compact(path, NULL));
    good = tu_read_file(path, &len);
    remove(path);
    CHECK(good != NULL && tu_fmt_parse(good, len, 0, &fa) == NULL);
    CHECK_U64(fa.slot, 0);
    CHECK_U64(fa.meta_length, 16 + 3 * 16);
    bad = tu_xmalloc(len);
    slot = bad;
    t = bad + fa.meta_offset;
    records = fa.meta_length - 16;

    /* Every bit of the table: refused, never read as metadata. */
    for (i = 0; i < fa.meta_length * 8; i++) {
        char what[64];

        memcpy(bad, good, len);
        t[i / 8] ^= (unsigned char)(1u << (i % 8));
        snprintf(what, sizeof what, "bit %u of byte %u flipped",
                 (unsigned)(i % 8), (unsigned)(i / 8));
        expect_damaged(bad, len, what);
    }
    /* Hostile slot fields, the slot resealed. */
#define SLOT_CASE(what, stmt)                                                \
    do {                                                                     \
        memcpy(bad, good, len);                                              \
        stmt;                                                                \
        reseal_slot(slot);                                                   \
        expect_damaged(bad, len, what);                                      \
    } while (0)
    SLOT_CASE("meta_length 4 GiB - 1", put32(slot + 56, 0xFFFFFFFFu));
    SLOT_CASE("meta_length 65 MiB", put32(slot + 56, 65u << 20));
    SLOT_CASE("meta_length 0", put32(slot + 56, 0));
    SLOT_CASE("meta_offset 0", put64(slot + 48, 0));
    SLOT_CASE("meta_offset past the directory",
              put64(slot + 48, fa.directory_offset - 8));
    SLOT_CASE("meta_offset 2^64 - 1", put64(slot + 48, UINT64_MAX));
    SLOT_CASE("meta_length one short", put32(slot + 56, fa.meta_length - 1));
    /* A sound table, but after the directory (in a tail past the state,
     * where FORMAT.md does not allow it): damage, not metadata. */
    {
        size_t big = len + fa.meta_length;
        unsigned char *tail = tu_xmalloc(big);

        memcpy(tail, good, len);
        memcpy(tail + len, good + fa.meta_offset, fa.meta_length);
        put64(tail + 48, len);
        reseal_slot(tail);
        expect_damaged(tail, big, "a sound table after the directory");
        free(tail);
    }
    /* Hostile tables whose CRC holds. */
#define TABLE_CASE(what, stmt)                                               \
    do {                                                                     \
        memcpy(bad, good, len);                                              \
        stmt;                                                                \
        put32(t + 12, (uint32_t)crc32(0, t + 16, records));                  \
        expect_damaged(bad, len, what);                                      \
    } while (0)
    TABLE_CASE("member_count 4", put32(t + 4, 4));
    TABLE_CASE("member_count 2^32 - 1", put32(t + 4, 0xFFFFFFFFu));
    TABLE_CASE("record_size 0", put32(t + 8, 0));
    TABLE_CASE("record_size 8", put32(t + 8, 8));
    TABLE_CASE("record_size 2^32 - 1", put32(t + 8, 0xFFFFFFFFu));
    TABLE_CASE("magic", t[0] = 'X');
    TABLE_CASE("nanoseconds 10^9", put32(t + 16 + 8, 1000000000u));
    TABLE_CASE("mode 010000", (t[16 + 12] = 0x00, t[16 + 13] = 0x10));
    TABLE_CASE("flags bit 2", t[16 + 14] |= 4);
    TABLE_CASE("a time without its flag", put64(t + 32, 1));
    TABLE_CASE("a mode without its flag", t[32 + 12] = 1);
    /* The same table read with record_size 32 (records 16 bytes longer)
     * is a length mismatch, not a misread. */
    TABLE_CASE("record_size 32", put32(t + 8, 32));
    free(bad);
    tu_fmt_free(&fa);
    free(good);
}

/* The newest state's table is damaged: the older state opens, and the
 * loss is reported (FORMAT.md, "Opening", step 5). */
static void test_fallback(void)
{
    size_t len;
    unsigned char *file = three_on_memfile(&len), *two;
    zmm_file *mem = zmm_memfile_new(file, len);
    zmm_archive *ar = NULL;
    zmm_archive_info ai;
    zmm_member_options o;
    tu_fmt_archive fa;
    size_t len2;

    tu_set_context("fallback");
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem), ZMM_OPEN_WRITE, &ar));
    fill_meta(&o, ZMM_META_MODE, 0, 0, 0444);
    put(ar, "d", &o, 50);
    CHECK_OK(zmm_archive_close(ar));
    two = tu_memfile_copy(mem, &len2);
    mem->methods->close(mem);
    CHECK(tu_fmt_parse(two, len2, 0, &fa) == NULL);
    two[fa.meta_offset + 20] ^= 1; /* a record of the newest table */
    CHECK_OK(tu_open_bytes(two, len2, ZMM_OPEN_READ, &ar));
    memset(&ai, 0, sizeof ai);
    ai.struct_size = sizeof ai;
    CHECK_OK(zmm_archive_get_info(ar, &ai));
    CHECK(ai.flags & ZMM_ARCHIVE_NEWEST_LOST);
    CHECK_U64(zmm_archive_member_count(ar), 3);
    expect_three(ar);
    zmm_archive_close(ar);
    tu_fmt_free(&fa);
    free(two);
    free(file);
}

int main(void)
{
    tu_init("test_metadata");
    test_round_trip();
    test_options();
    test_kept();
    test_checkpoint();
    test_compact();
    test_none();
    test_unknown_compat();
    test_damage();
    test_fallback();
    printf("test_metadata: passed\n");
    return 0;
}
