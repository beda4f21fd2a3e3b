/*
 * test_share.c -- archives shared by read-only streams (zmm_share).
 *
 * - Every member of an archive on disk reads back through zmm_share_open
 *   exactly as through its own zmm_archive; the errors of bad arguments,
 *   missing files and members, and files that are no archive.
 * - Parsed once: a second open reuses the snapshot of the first (white box:
 *   stream.h); a commit, by another archive object, makes the next open
 *   read the new state, while a stream opened before reads its own state to
 *   the end.
 * - The file stays the user's: renamed, deleted, replaced by a copy (the
 *   same header bytes, another file), rewritten in place, between opens
 *   with nothing open: the next open sees the file now under the name, or
 *   reports it missing; never the old bytes.
 * - Memory: a 5,000-member directory's snapshot against its size on disk.
 * - The cache of decoded blocks: a member read again comes from it (the
 *   file's stored bytes damaged meanwhile, the bytes still come back
 *   right); reading more than the limit through many streams keeps the
 *   cache's own count within it; a limit of 0 keeps nothing.
 * - The cache itself: 60,000 blocks through a budget of 64, every put
 *   evicting (often from the new block's own hash bucket): every block got
 *   back holds its own bytes, the count stays within the budget.
 * - Read-ahead: 8 streams reading long members forward at once are served
 *   by the share's pool, which never runs more threads than processors,
 *   and has none left once the streams are closed.
 * - Threads: 8 readers open, read and close random members while a writer
 *   commits new members and rewrites others; every member read is, whole,
 *   one committed version of it (each version says which it is and the
 *   rest of its bytes follow from that). Run under TSan and ASan too.
 *
 * usage: test_share [SEED]
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "shared_cache.h"
#include "snapshot.h"
#include "stream.h"
#include "test_util.h"
#include "thread.h"

static uint64_t seed = 1;

/* ---- versioned member contents ------------------------------------------- */

/* Member `id`, version `v`: an 8-byte header (id, v) then bytes that follow
 * from both; 0 to ~70 KB, so from one block to several of 16 KiB. */
static size_t version_length(uint32_t id, uint32_t v)
{
    return 8 + (size_t)((id * 7919u + v * 104729u) % 70000u);
}

static unsigned char *version_bytes(uint32_t id, uint32_t v, size_t *len)
{
    size_t n = version_length(id, v);
    unsigned char *p = tu_xmalloc(n);
    tu_rng r;

    tu_rng_seed(&r, seed * 1000003u + id * 1009u + v);
    p[0] = (unsigned char)id;
    p[1] = (unsigned char)(id >> 8);
    p[2] = (unsigned char)(id >> 16);
    p[3] = (unsigned char)(id >> 24);
    p[4] = (unsigned char)v;
    p[5] = (unsigned char)(v >> 8);
    p[6] = (unsigned char)(v >> 16);
    p[7] = (unsigned char)(v >> 24);
    tu_fill(&r, (id % 4 == 3) ? TU_DATA_RANDOM : TU_DATA_MIXED, p + 8, n - 8);
    *len = n;
    return p;
}

static void member_name(char *buf, size_t size, uint32_t id)
{
    snprintf(buf, size, "sfx/%05u.wav", (unsigned)id);
}

static void write_version(zmm_archive *ar, uint32_t id, uint32_t v)
{
    zmm_member_options o;
    zmm_stream *s = NULL;
    unsigned char *data;
    size_t len;
    char name[64];

    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = 16384;
    o.level = 1;
    member_name(name, sizeof name, id);
    data = version_bytes(id, v, &len);
    CHECK_OK(zmm_stream_open(ar, name,
                             ZMM_STREAM_WRITE | ZMM_STREAM_CREATE |
                                 ZMM_STREAM_TRUNCATE,
                             &o, &s));
    CHECK_OK(zmm_stream_write(s, data, len));
    CHECK_OK(zmm_stream_close(s));
    free(data);
}

/* Makes `path` an archive of members 0..count-1 at version 0. */
static void make_archive(const char *path, uint32_t count)
{
    zmm_archive *ar = NULL;
    uint32_t id;

    remove(path);
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                              NULL));
    for (id = 0; id < count; id++)
        write_version(ar, id, 0);
    CHECK_OK(zmm_archive_close(ar));
}

/* Reads the whole stream in chunks of varying sizes. */
static unsigned char *read_all(zmm_stream *s, tu_rng *r, size_t *len)
{
    size_t size = (size_t)zmm_stream_size(s), done = 0, got;
    unsigned char *p = tu_xmalloc(size + 1);

    while (done < size) {
        size_t want = (size_t)tu_rng_range(r, 1, 20000);

        if (want > size - done)
            want = size - done;
        CHECK_OK(zmm_stream_read(s, p + done, want, &got));
        CHECK_U64(got, want);
        done += got;
    }
    CHECK_OK(zmm_stream_read(s, p + done, 1, &got));
    CHECK_U64(got, 0);
    *len = size;
    return p;
}

/* Nonzero when `data` is, whole, some version of member id; *v gets it. */
static int is_a_version(uint32_t id, const unsigned char *data, size_t len,
                        uint32_t *v)
{
    unsigned char *want;
    size_t want_len;
    int same;

    if (len < 8)
        return 0;
    *v = (uint32_t)data[4] | (uint32_t)data[5] << 8 |
         (uint32_t)data[6] << 16 | (uint32_t)data[7] << 24;
    want = version_bytes(id, *v, &want_len);
    same = want_len == len && memcmp(want, data, len) == 0;
    free(want);
    return same;
}

/* Opens member id through the share, reads it whole, checks it is version
 * `v` (or any version when v is UINT32_MAX), closes. */
static void check_member(zmm_share *sh, const char *path, uint32_t id,
                         uint32_t v, tu_rng *r)
{
    zmm_stream *s = NULL;
    unsigned char *data;
    size_t len;
    uint32_t got_v;
    char name[64];

    member_name(name, sizeof name, id);
    CHECK_OK(zmm_share_open(sh, path, 0, name, 0, &s, NULL));
    data = read_all(s, r, &len);
    CHECKF(is_a_version(id, data, len, &got_v),
           "member %u: %lu bytes that are no version of it", (unsigned)id,
           (unsigned long)len);
    CHECKF(v == UINT32_MAX || got_v == v, "member %u: version %u, not %u",
           (unsigned)id, (unsigned)got_v, (unsigned)v);
    free(data);
    CHECK_OK(zmm_stream_close(s));
}

/* ---- cases --------------------------------------------------------------- */

static void test_reads_and_errors(void)
{
    char path[256], text[256];
    zmm_share *sh = NULL;
    zmm_stream *s = NULL;
    zmm_archive *ar = NULL;
    tu_rng r;
    uint32_t id;
    long os_error = 0;

    tu_set_context("reads and errors");
    tu_rng_seed(&r, seed);
    tu_temp_path(path, sizeof path, "basic.zmm");
    make_archive(path, 12);
    CHECK_OK(zmm_share_new(&sh));
    for (id = 0; id < 12; id++)
        check_member(sh, path, id, 0, &r);

    /* The default member is the first created. */
    CHECK_OK(zmm_share_open(sh, path, 0, NULL, 0, &s, NULL));
    CHECK_U64(zmm_stream_size(s), version_length(0, 0));
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_share_open(sh, path, ZMM_OPEN_DENY_WRITE, "",
                            ZMM_STREAM_NO_READAHEAD, &s, NULL));
    CHECK_OK(zmm_stream_close(s));

    /* A read-only stream: no writes, no truncation. */
    CHECK_OK(zmm_share_open(sh, path, 0, "sfx/00003.wav", 0, &s, NULL));
    CHECK_RES(zmm_stream_write(s, "x", 1), ZMM_ERR_READ_ONLY);
    CHECK_RES(zmm_stream_truncate(s, 0), ZMM_ERR_READ_ONLY);
    CHECK_OK(zmm_stream_close(s));

    CHECK_RES(zmm_share_open(sh, path, 0, "no such member", 0, &s, NULL),
              ZMM_ERR_NOT_FOUND);
    CHECK(s == NULL);
    CHECK_RES(zmm_share_open(sh, "test_share_missing.zmm", 0, NULL, 0, &s,
                             &os_error),
              ZMM_ERR_NOT_FOUND);
    CHECK(os_error != 0);
    CHECK_RES(zmm_share_open(sh, path, 0, "bad\nname", 0, &s, NULL),
              ZMM_ERR_BAD_NAME);
    CHECK_RES(zmm_share_open(sh, path, ZMM_OPEN_WRITE, NULL, 0, &s, NULL),
              ZMM_ERR_INVALID_ARG);
    CHECK_RES(zmm_share_open(sh, path, 0, NULL, ZMM_STREAM_WRITE, &s, NULL),
              ZMM_ERR_INVALID_ARG);
    CHECK_RES(zmm_share_open(NULL, path, 0, NULL, 0, &s, NULL),
              ZMM_ERR_INVALID_ARG);
    tu_temp_path(text, sizeof text, "text.txt");
    CHECK(tu_write_file(text, "just some text, no archive\n", 27));
    CHECK_RES(zmm_share_open(sh, text, 0, NULL, 0, &s, NULL),
              ZMM_ERR_NOT_ARCHIVE);

    /* A writer holding the archive does not stop readers. */
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE, &ar, NULL));
    check_member(sh, path, 5, 0, &r);
    CHECK_OK(zmm_archive_close(ar));
    zmm_share_free(sh);
    zmm_share_free(NULL);
    remove(text);
    remove(path);
}

static void test_freshness(void)
{
    char path[256];
    zmm_share *sh = NULL;
    zmm_stream *a = NULL, *b = NULL, *old = NULL;
    zmm_archive *ar = NULL;
    unsigned char *data;
    size_t len;
    uint32_t v;
    tu_rng r;

    tu_set_context("freshness");
    tu_rng_seed(&r, seed + 1);
    tu_temp_path(path, sizeof path, "fresh.zmm");
    make_archive(path, 6);
    CHECK_OK(zmm_share_new(&sh));

    /* Parsed once: both streams stand on one snapshot. */
    CHECK_OK(zmm_share_open(sh, path, 0, "sfx/00001.wav", 0, &a, NULL));
    CHECK_OK(zmm_share_open(sh, path, 0, "sfx/00002.wav", 0, &b, NULL));
    CHECK(a->snap != NULL && a->snap == b->snap);
    CHECK_OK(zmm_stream_close(b));
    /* Still remembered with nothing open on it but `a`... */
    CHECK_OK(zmm_share_open(sh, path, 0, "sfx/00001.wav", 0, &old, NULL));
    CHECK(old->snap == a->snap);
    CHECK_OK(zmm_stream_close(a));

    /* ...until another archive object commits: member 1 rewritten, member
     * 6 added. */
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE, &ar, NULL));
    write_version(ar, 1, 7);
    write_version(ar, 6, 7);
    CHECK_OK(zmm_archive_close(ar));
    CHECK_OK(zmm_share_open(sh, path, 0, "sfx/00001.wav", 0, &a, NULL));
    CHECK(a->snap != old->snap);
    CHECK_OK(zmm_stream_close(a));
    check_member(sh, path, 1, 7, &r);
    check_member(sh, path, 6, 7, &r);
    check_member(sh, path, 2, 0, &r);

    /* The stream opened before reads its own version to the end, across
     * another commit that rewrites it again. */
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE, &ar, NULL));
    write_version(ar, 1, 8);
    CHECK_OK(zmm_archive_close(ar));
    data = read_all(old, &r, &len);
    CHECK(is_a_version(1, data, len, &v));
    CHECK_U64(v, 0);
    free(data);
    CHECK_OK(zmm_stream_close(old));
    check_member(sh, path, 1, 8, &r);
    zmm_share_free(sh);
    remove(path);
}

static void copy_file(const char *from, const char *to)
{
    size_t len;
    unsigned char *data = tu_read_file(from, &len);

    CHECK(data != NULL);
    remove(to);
    CHECK(tu_write_file(to, data, len));
    free(data);
}

static void test_file_stays_the_users(void)
{
    char path[256], other[256], moved[256];
    zmm_share *sh = NULL;
    zmm_stream *s = NULL;
    zmm_snapshot *before;
    zmm_archive *ar = NULL;
    tu_rng r;

    tu_set_context("rename, delete, replace");
    tu_rng_seed(&r, seed + 2);
    tu_temp_path(path, sizeof path, "users.zmm");
    tu_temp_path(other, sizeof other, "other.zmm");
    tu_temp_path(moved, sizeof moved, "moved.zmm");
    make_archive(path, 4);
    CHECK_OK(zmm_share_new(&sh));
    check_member(sh, path, 3, 0, &r);

    /* Renamed away, then deleted, with nothing open. */
    CHECK(rename(path, moved) == 0);
    CHECK_RES(zmm_share_open(sh, path, 0, NULL, 0, &s, NULL),
              ZMM_ERR_NOT_FOUND);
    check_member(sh, moved, 3, 0, &r);
    CHECK(remove(moved) == 0);
    CHECK_RES(zmm_share_open(sh, moved, 0, NULL, 0, &s, NULL),
              ZMM_ERR_NOT_FOUND);

    /* Replaced by another archive: other members, other versions. */
    make_archive(other, 2);
    CHECK_OK(zmm_archive_open(other, ZMM_OPEN_WRITE, &ar, NULL));
    write_version(ar, 1, 5);
    CHECK_OK(zmm_archive_close(ar));
    CHECK_OK(zmm_platform_replace(other, path, NULL));
    check_member(sh, path, 1, 5, &r);
    CHECK_RES(zmm_share_open(sh, path, 0, "sfx/00003.wav", 0, &s, NULL),
              ZMM_ERR_NOT_FOUND);

    /* Replaced by a copy of itself: the same header bytes, another file. A
     * snapshot belongs to one file. */
    CHECK_OK(zmm_share_open(sh, path, 0, NULL, 0, &s, NULL));
    before = s->snap;
    zmm_snapshot_ref(before);
    CHECK_OK(zmm_stream_close(s));
    copy_file(path, other);
    CHECK_OK(zmm_platform_replace(other, path, NULL));
    CHECK_OK(zmm_share_open(sh, path, 0, NULL, 0, &s, NULL));
    CHECK(s->snap != before);
    CHECK_OK(zmm_stream_close(s));
    zmm_snapshot_unref(before);

    /* Rewritten in place (the same file) with another archive's bytes. */
    make_archive(other, 3);
    copy_file(other, path);
    check_member(sh, path, 2, 0, &r);
    check_member(sh, path, 1, 0, &r);
    zmm_share_free(sh);
    remove(other);
    remove(path);
}

static void test_snapshot_memory(void)
{
    char path[256];
    zmm_share *sh = NULL;
    zmm_stream *s = NULL;
    zmm_archive *ar = NULL;
    zmm_archive_info info;
    zmm_member_options o;
    unsigned char sound[3000];
    uint32_t id, dir_len;
    size_t mem;
    tu_rng r;

    tu_set_context("snapshot memory");
    tu_rng_seed(&r, seed + 3);
    tu_temp_path(path, sizeof path, "many.zmm");
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                              NULL));
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.level = 1;
    for (id = 0; id < 5000; id++) {
        char name[64];

        member_name(name, sizeof name, id);
        tu_fill(&r, TU_DATA_MIXED, sound, sizeof sound);
        CHECK_OK(zmm_stream_open(ar, name,
                                 ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, &o,
                                 &s));
        CHECK_OK(zmm_stream_write(s, sound, 1000 + id % 2000));
        CHECK_OK(zmm_stream_close(s));
    }
    CHECK_OK(zmm_archive_close(ar));
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_READ, &ar, NULL));
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK_OK(zmm_archive_get_info(ar, &info));
    CHECK_OK(zmm_archive_close(ar));

    CHECK_OK(zmm_share_new(&sh));
    CHECK_OK(zmm_share_open(sh, path, 0, "sfx/04999.wav", 0, &s, NULL));
    CHECK_U64(zmm_stream_size(s), 1000 + 4999 % 2000);
    dir_len = s->snap->slot.directory_length;
    mem = zmm_snapshot_memory(s->snap);
    printf("5000 members: directory %u bytes on disk, snapshot %lu bytes "
           "in memory (%.2fx)\n",
           (unsigned)dir_len, (unsigned long)mem, (double)mem / dir_len);
    /* Compact: a 32-byte record, one block entry and the name each, and
     * the index, in flat arrays: at most twice the bytes on disk (1.4x
     * here, for members of one block: 53 bytes on disk each; 3.2x when
     * every member was a zmm_member). */
    CHECKF(mem <= 2 * (size_t)dir_len, "snapshot %lu bytes for a "
           "%u-byte directory", (unsigned long)mem, (unsigned)dir_len);
    CHECK_OK(zmm_stream_close(s));
    zmm_share_free(sh);
    remove(path);
}

static void test_cache_budget(void)
{
    char path[256];
    zmm_share *sh = NULL;
    zmm_stream *s = NULL;
    zmm_file *f = NULL;
    unsigned char junk[64];
    uint64_t offset;
    uint32_t id;
    size_t most = 0;
    tu_rng r;

    tu_set_context("cache budget");
    tu_rng_seed(&r, seed + 5);
    tu_temp_path(path, sizeof path, "budget.zmm");
    make_archive(path, 40); /* about 1.4 MB of members */
    CHECK_OK(zmm_share_new(&sh));
    CHECK_U64(zmm_share_cache_bytes(sh), 0);

    /* Member 5 read once, then its first block damaged on disk: read
     * again, it comes whole from the cache. */
    check_member(sh, path, 5, 0, &r);
    CHECK(zmm_share_cache_bytes(sh) > 0);
    CHECK_OK(zmm_share_open(sh, path, 0, "sfx/00005.wav", 0, &s, NULL));
    offset = s->m->blocks[0].offset;
    CHECK(s->m->blocks[0].kind == ZMM_KIND_DEFLATE);
    CHECK_OK(zmm_stream_close(s));
    memset(junk, 0x5a, sizeof junk);
    CHECK_OK(zmm_platform_open(path, ZMM_FILE_WRITE, &f, NULL));
    CHECK_OK(f->methods->write_at(f, offset, junk, sizeof junk));
    CHECK_OK(f->methods->close(f));
    check_member(sh, path, 5, 0, &r);
    /* Without the cache, the damage shows. */
    CHECK_U64(zmm_share_set_cache_limit(sh, 0), ZMM_SHARED_CACHE_DEFAULT);
    CHECK_U64(zmm_share_cache_bytes(sh), 0);
    CHECK_OK(zmm_share_open(sh, path, 0, "sfx/00005.wav", 0, &s, NULL));
    {
        unsigned char buf[16384];
        size_t got;

        CHECK_RES(zmm_stream_read(s, buf, sizeof buf, &got),
                  ZMM_ERR_CORRUPT);
    }
    CHECK_OK(zmm_stream_close(s));

    /* 200 KB for 1.4 MB read over and over by many streams. */
    make_archive(path, 40);
    CHECK_U64(zmm_share_set_cache_limit(sh, 200000), 0);
    for (id = 0; id < 120; id++) {
        check_member(sh, path, id % 40, 0, &r);
        if (zmm_share_cache_bytes(sh) > most)
            most = zmm_share_cache_bytes(sh);
        CHECKF(zmm_share_cache_bytes(sh) <= 200000, "cache holds %lu bytes",
               (unsigned long)zmm_share_cache_bytes(sh));
    }
    printf("cache limit 200000: at most %lu bytes held\n",
           (unsigned long)most);
    CHECK(most > 100000);
    zmm_share_set_cache_limit(sh, 50000);
    CHECK(zmm_share_cache_bytes(sh) <= 50000);
    zmm_share_free(sh);
    remove(path);
}

/* Many more blocks than the cache's hash buckets through a small budget:
 * every put evicts, often from the bucket the new block goes to. Every
 * block got back holds its own bytes, and the count stays in the budget. */
static void test_cache_churn(void)
{
    enum { BLOCK = 100, KEEP = 64, PUTS = 60000 };
    zmm_shared_cache *c = zmm_shared_cache_new(KEEP * BLOCK);
    unsigned char data[BLOCK], got[BLOCK];
    zmm_file_id id = {1, 7};
    zmm_block_ref ref;
    uint32_t i, hits = 0;
    tu_rng r;

    tu_set_context("shared cache churn");
    CHECK(c != NULL);
    tu_rng_seed(&r, seed + 11);
    memset(&ref, 0, sizeof ref);
    for (i = 0; i < PUTS; i++) {
        uint32_t back = (uint32_t)tu_rng_below(&r, 2 * KEEP);

        ref.offset = (uint64_t)i * 4096;
        ref.stored_crc = i;
        memset(data, (int)(i % 251), sizeof data);
        zmm_shared_cache_put(c, &id, &ref, BLOCK, data);
        CHECK(zmm_shared_cache_bytes(c) <= KEEP * BLOCK);
        if (back > i)
            continue;
        ref.offset = (uint64_t)(i - back) * 4096;
        ref.stored_crc = i - back;
        if (zmm_shared_cache_get(c, &id, &ref, BLOCK, got)) {
            memset(data, (int)((i - back) % 251), sizeof data);
            CHECK_MEM(got, data, BLOCK);
            hits++;
        }
    }
    /* Most of those asked for among the newest KEEP are still there. */
    CHECKF(hits > PUTS / 3, "%u hits", (unsigned)hits);
    zmm_shared_cache_unref(c);
}

/* ---- read-ahead pool ----------------------------------------------------- */

enum { LONG_MEMBERS = 8, LONG_LENGTH = 640 * 1024, LONG_STEP = 24 * 1024 };

static void test_readahead_pool(void)
{
    char path[256], name[32];
    unsigned char *data[LONG_MEMBERS], *buf = tu_xmalloc(LONG_STEP);
    zmm_stream *streams[LONG_MEMBERS];
    size_t pos[LONG_MEMBERS];
    zmm_readahead_pool *pool = NULL;
    zmm_archive *ar = NULL;
    zmm_share *sh = NULL;
    unsigned i, open_count = LONG_MEMBERS, most = 0, with_ra = 0;
    tu_rng r;

    tu_set_context("read-ahead pool");
    tu_rng_seed(&r, seed + 7);
    tu_temp_path(path, sizeof path, "pool.zmm");
    remove(path);
    CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar,
                              NULL));
    for (i = 0; i < LONG_MEMBERS; i++) {
        zmm_stream *w = NULL;

        data[i] = tu_xmalloc(LONG_LENGTH);
        tu_fill(&r, TU_DATA_TEXT, data[i], LONG_LENGTH);
        snprintf(name, sizeof name, "music/%u.wav", i);
        CHECK_OK(zmm_stream_open(ar, name,
                                 ZMM_STREAM_WRITE | ZMM_STREAM_CREATE, NULL,
                                 &w));
        CHECK_OK(zmm_stream_write(w, data[i], LONG_LENGTH));
        CHECK_OK(zmm_stream_close(w));
    }
    CHECK_OK(zmm_archive_close(ar));

    CHECK_OK(zmm_share_new(&sh));
    for (i = 0; i < LONG_MEMBERS; i++) {
        snprintf(name, sizeof name, "music/%u.wav", i);
        CHECK_OK(zmm_share_open(sh, path, 0, name, 0, &streams[i], NULL));
        CHECK(streams[i]->pool != NULL);
        CHECK(pool == NULL || streams[i]->pool == pool);
        pool = streams[i]->pool;
        pos[i] = 0;
    }
    /* Round robin, a piece of each member in turn, to the end of each. */
    while (open_count > 0) {
        for (i = 0; i < LONG_MEMBERS; i++) {
            size_t got = 0;
            unsigned threads;

            if (streams[i] == NULL)
                continue;
            CHECK_OK(zmm_stream_read(streams[i], buf, LONG_STEP, &got));
            CHECK_MEM(buf, data[i] + pos[i], got);
            pos[i] += got;
            threads = zmm_readahead_pool_threads(pool);
            /* One fewer than processors: each reader decodes too. */
            CHECKF(threads <= (zmm_cpu_count() > 1 ? zmm_cpu_count() - 1 : 1),
                   "%u read-ahead threads on %u processors", threads,
                   zmm_cpu_count());
            if (streams[i]->ra != NULL) {
                /* A reader that queued blocks started a thread or found
                 * one; threads stop only when no reader is left. */
                CHECK(threads >= 1);
            }
            most = threads > most ? threads : most;
            if (got == 0) {
                CHECK_U64(pos[i], LONG_LENGTH);
                with_ra += streams[i]->ra != NULL;
                CHECK_OK(zmm_stream_close(streams[i]));
                streams[i] = NULL;
                open_count--;
            }
        }
    }
    printf("read-ahead: %u streams reading ahead, at most %u threads "
           "(%u processors)\n", with_ra, most, zmm_cpu_count());
    CHECK_U64(with_ra, LONG_MEMBERS);
    CHECK_U64(zmm_readahead_pool_threads(pool), 0);
    zmm_share_free(sh);
    for (i = 0; i < LONG_MEMBERS; i++)
        free(data[i]);
    free(buf);
    remove(path);
}

/* ---- threads ------------------------------------------------------------- */

enum { READERS = 8, FIRST_MEMBERS = 24, ROUNDS = 12 };

static atomic_int writer_done;

typedef struct reader_arg {
    zmm_share *sh;
    const char *path;
    unsigned index;
    unsigned reads;
    unsigned versions_seen; /* reads of a version other than 0 */
} reader_arg;

static void reader_thread(void *p)
{
    reader_arg *a = p;
    tu_rng r;
    unsigned i;

    tu_rng_seed(&r, seed * 31 + a->index);
    /* For as long as the writer writes, and 150 reads at least. */
    for (i = 0; i < 150 || !atomic_load(&writer_done); i++) {
        /* Members added by the writer may not exist yet. */
        uint32_t id = (uint32_t)tu_rng_below(&r, FIRST_MEMBERS + ROUNDS);
        zmm_stream *s = NULL;
        unsigned char *data;
        size_t len;
        uint32_t v;
        char name[64];
        zmm_result rc;

        member_name(name, sizeof name, id);
        rc = zmm_share_open(a->sh, a->path, 0, name, 0, &s, NULL);
        if (rc == ZMM_ERR_NOT_FOUND && id >= FIRST_MEMBERS)
            continue;
        CHECK_OK(rc);
        data = read_all(s, &r, &len);
        CHECKF(is_a_version(id, data, len, &v),
               "reader %u: member %u read as %lu bytes of no version",
               a->index, (unsigned)id, (unsigned long)len);
        a->versions_seen += v != 0;
        a->reads++;
        free(data);
        CHECK_OK(zmm_stream_close(s));
    }
}

static void test_threads(void)
{
    char path[256];
    zmm_share *sh = NULL;
    zmm_thread *threads[READERS];
    reader_arg args[READERS];
    unsigned i, reads = 0, newer = 0;
    uint32_t round;
    tu_rng r;

    tu_set_context("8 readers and a writer");
    tu_rng_seed(&r, seed + 4);
    tu_temp_path(path, sizeof path, "threads.zmm");
    make_archive(path, FIRST_MEMBERS);
    CHECK_OK(zmm_share_new(&sh));
    atomic_init(&writer_done, 0);
    for (i = 0; i < READERS; i++) {
        memset(&args[i], 0, sizeof args[i]);
        args[i].sh = sh;
        args[i].path = path;
        args[i].index = i;
        threads[i] = zmm_thread_start(reader_thread, &args[i]);
        CHECK(threads[i] != NULL);
    }
    /* The writer: each round rewrites one member and adds one. */
    for (round = 1; round <= ROUNDS; round++) {
        zmm_archive *ar = NULL;

        CHECK_OK(zmm_archive_open(path, ZMM_OPEN_WRITE, &ar, NULL));
        write_version(ar, round % FIRST_MEMBERS, round);
        write_version(ar, FIRST_MEMBERS + round - 1, round);
        CHECK_OK(zmm_archive_close(ar));
    }
    atomic_store(&writer_done, 1);
    for (i = 0; i < READERS; i++) {
        zmm_thread_join(threads[i]);
        reads += args[i].reads;
        newer += args[i].versions_seen;
    }
    printf("8 readers: %u members read whole (%u of a rewritten version) "
           "while %u commits went on\n", reads, newer, (unsigned)ROUNDS);
    /* After the writer: every member at its last version. */
    for (i = 0; i < FIRST_MEMBERS + ROUNDS; i++) {
        uint32_t last = 0;

        for (round = 1; round <= ROUNDS; round++)
            if (round % FIRST_MEMBERS == i || FIRST_MEMBERS + round - 1 == i)
                last = round;
        check_member(sh, path, i, last, &r);
    }
    zmm_share_free(sh);
    remove(path);
}

int main(int argc, char **argv)
{
    tu_init("test_share");
    if (argc > 1 && !tu_parse_u64(argv[1], &seed)) {
        fprintf(stderr, "usage: test_share [SEED]\n");
        return 2;
    }
    test_reads_and_errors();
    test_freshness();
    test_file_stays_the_users();
    test_snapshot_memory();
    test_cache_budget();
    test_cache_churn();
    test_readahead_pool();
    test_threads();
    printf("test_share: all passed (seed %llu)\n", (unsigned long long)seed);
    return 0;
}
