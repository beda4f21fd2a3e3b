/*
 * fuzz_archive.c -- libFuzzer target: open any bytes as an archive and read
 * everything in it.
 *
 * The input is opened read-only through an in-memory file. Every member is
 * listed and read whole, then read again at seek targets and lengths taken
 * from the input's last bytes; the pieces must equal the whole read. When a
 * member reads whole without an error, zmm_archive_verify_member must agree,
 * and when it does not, verify must fail too. The same bytes go through the
 * shared readers' parser too (a flat snapshot, snapshot.c): it must accept
 * exactly what the archive accepts, list the same members, find each by
 * name, and read the same first bytes of each (or fail alike). A contract
 * violation aborts (a crash for libFuzzer); errors are fine: damaged input
 * is expected.
 *
 * Built as the real fuzzer with ZMM_FUZZ=ON (clang, -fsanitize=fuzzer), and
 * in every configuration with replay_driver.c, which runs the seed corpus
 * (corpus/archive/) as the CTest test fuzz_archive_replay.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_file.h"
#include "names.h"
#include "platform.h"
#include "snapshot.h"
#include "stream.h"
#include "zmm.h"

#ifndef ZMM_FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

/* Reads at most this much of one member (a forged directory may declare a
 * huge sparse member; reading it all would only measure memset). */
#define MAX_MEMBER_READ ((uint64_t)8 << 20)

#define FUZZ_CHECK(cond)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: contract violated: %s\n", __FILE__,      \
                    __LINE__, #cond);                                        \
            abort();                                                         \
        }                                                                    \
    } while (0)

static int damage_result(zmm_result r)
{
    return r == ZMM_ERR_CORRUPT || r == ZMM_ERR_NOT_ARCHIVE ||
           r == ZMM_ERR_UNSUPPORTED || r == ZMM_ERR_LIMIT;
}

/* A little script from the input's tail: seek targets and lengths. */
typedef struct script {
    const uint8_t *p;
    size_t n, i;
} script;

static uint32_t script_next(script *s)
{
    uint32_t v = 0;
    int k;
    for (k = 0; k < 4; k++) {
        v = (v << 8) | (s->n ? s->p[s->i % s->n] : 0x5a);
        s->i++;
    }
    return v;
}

static void check_member(zmm_archive *ar, size_t index, script *sc)
{
    zmm_member_info info;
    zmm_stream *s = NULL;
    zmm_result r, rv;
    unsigned char *whole = NULL;
    size_t have = 0, got;
    uint64_t limit;
    int complete = 0;
    uint32_t bad = 0;
    int k;

    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    r = zmm_archive_member_info(ar, index, &info);
    FUZZ_CHECK(r == ZMM_OK);
    /* The reader's rule (names.h): names written before the UTF-8 rule
     * still read. */
    FUZZ_CHECK(info.name != NULL && zmm_name_is_storable(info.name));
    FUZZ_CHECK(info.block_size >= ZMM_MIN_BLOCK_SIZE &&
               info.block_size <= ZMM_MAX_BLOCK_SIZE &&
               (info.block_size & (info.block_size - 1)) == 0);
    FUZZ_CHECK(info.block_count ==
               info.size / info.block_size + (info.size % info.block_size != 0));
    FUZZ_CHECK(info.level >= 0 && info.level <= 9);

    r = zmm_stream_open(ar, info.name, ZMM_STREAM_READ, NULL, &s);
    if (r != ZMM_OK) {
        /* Names are unique, so only damage may stop the open. */
        FUZZ_CHECK(damage_result(r) || r == ZMM_ERR_NOMEM);
        return;
    }
    FUZZ_CHECK(zmm_stream_size(s) == info.size);
    limit = info.size < MAX_MEMBER_READ ? info.size : MAX_MEMBER_READ;
    whole = malloc((size_t)limit + 1);
    FUZZ_CHECK(whole != NULL);
    /* Whole, in 64 KiB pieces. */
    for (;;) {
        size_t want = (size_t)(limit - have) < 65536 ? (size_t)(limit - have)
                                                     : 65536;
        if (want == 0) {
            complete = limit == info.size;
            break;
        }
        got = 0;
        r = zmm_stream_read(s, whole + have, want, &got);
        if (r != ZMM_OK) {
            FUZZ_CHECK(damage_result(r) || r == ZMM_ERR_NOMEM);
            FUZZ_CHECK(zmm_stream_tell(s) == have);
            break;
        }
        FUZZ_CHECK(got == want); /* short only at the end */
        have += got;
    }
    if (complete) {
        got = 1;
        FUZZ_CHECK(zmm_stream_read(s, whole, 1, &got) == ZMM_OK && got == 0);
    }

    /* Pieces at seek targets from the input. */
    for (k = 0; k < 8; k++) {
        uint64_t span = info.size < UINT64_MAX - 2 ? info.size + 2 : info.size;
        uint64_t off = script_next(sc) % span;
        size_t len = script_next(sc) % (2 * info.block_size + 1);
        unsigned char *piece;
        uint64_t pos = 0;
        piece = malloc(len + 1);
        FUZZ_CHECK(piece != NULL);
        r = zmm_stream_seek(s, (int64_t)off, ZMM_SEEK_SET, &pos);
        FUZZ_CHECK(r == ZMM_OK && pos == off);
        got = 0;
        r = zmm_stream_read(s, piece, len, &got);
        if (r == ZMM_OK) {
            size_t want = off >= info.size
                              ? 0
                              : (len < info.size - off ? len
                                                       : (size_t)(info.size - off));
            FUZZ_CHECK(got == want);
            /* Bytes already read whole must agree. */
            if (off + got <= have)
                FUZZ_CHECK(memcmp(piece, whole + off, got) == 0);
        } else {
            FUZZ_CHECK(damage_result(r) || r == ZMM_ERR_NOMEM);
            /* A member that read whole has no damaged block. */
            FUZZ_CHECK(!complete || r == ZMM_ERR_NOMEM);
            FUZZ_CHECK(zmm_stream_tell(s) == off);
        }
        free(piece);
    }
    r = zmm_stream_close(s);
    FUZZ_CHECK(r == ZMM_OK);
    free(whole);

    /* verify_member agrees with the whole read. */
    if (info.size <= MAX_MEMBER_READ) {
        rv = zmm_archive_verify_member(ar, info.name, &bad);
        if (complete)
            FUZZ_CHECK(rv == ZMM_OK);
        else if (rv == ZMM_OK)
            FUZZ_CHECK(0 && "verify passed a member that failed to read");
        else
            FUZZ_CHECK(damage_result(rv) && bad < info.block_count &&
                       (uint64_t)bad * info.block_size < have + 65536);
    }
}

/* Reads up to 64 KiB from the start of a stream: the count, or -1. */
static long read_head(zmm_stream *s, unsigned char *buf)
{
    size_t got = 0;
    zmm_result r = zmm_stream_read(s, buf, 65536, &got);

    if (r != ZMM_OK) {
        FUZZ_CHECK(damage_result(r) || r == ZMM_ERR_NOMEM);
        return -1;
    }
    return (long)got;
}

/* The snapshot parser against the archive's (ar NULL: it refused). */
static void check_snapshot(const uint8_t *data, size_t size, zmm_archive *ar)
{
    zmm_file *f = zmm_memfile_new(data, size);
    zmm_slot_bytes slots;
    zmm_snapshot *snap = NULL;
    zmm_result r;
    size_t i, n;

    if (!f)
        return;
    r = zmm_state_read_slots(f, size, &slots);
    if (r == ZMM_OK)
        r = zmm_snapshot_load(f, size, &slots, &snap);
    f->methods->close(f);
    if (r == ZMM_ERR_NOMEM)
        return;
    FUZZ_CHECK((r == ZMM_OK) == (ar != NULL));
    if (r != ZMM_OK)
        return;
    n = zmm_archive_member_count(ar);
    FUZZ_CHECK(snap->count == n);
    for (i = 0; i < n; i++) {
        zmm_member member, *m = &member;
        zmm_member_info info;
        static unsigned char a[65536], b[65536];
        zmm_stream *sa = NULL, *sb = NULL;
        zmm_file *fb;
        long na = -1, nb = -1;

        zmm_snapshot_member_get(snap, i, m);
        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        FUZZ_CHECK(zmm_archive_member_info(ar, i, &info) == ZMM_OK);
        FUZZ_CHECK(strcmp(m->name, info.name) == 0 && m->length == info.size &&
                   m->flags == info.flags);
        /* The metadata table: both parsers give each member its record. */
        FUZZ_CHECK(m->meta == info.meta && m->mtime == info.mtime &&
                   m->mtime_nsec == info.mtime_nsec && m->mode == info.mode);
        FUZZ_CHECK(zmm_snapshot_find(snap, m->name) == (long)i);
        if (m->flags & ZMM_MEMBER_DEFAULT)
            FUZZ_CHECK(zmm_snapshot_find(snap, NULL) == (long)i);
        if (i >= 8)
            continue; /* reading: a few members are enough */
        fb = zmm_memfile_new(data, size);
        if (!fb)
            continue;
        zmm_snapshot_ref(snap);
        if (zmm_stream_open_snapshot(snap, (uint32_t)i, fb, NULL, NULL, NULL,
                                     ZMM_STREAM_NO_READAHEAD, &sb) != ZMM_OK)
            continue;
        if (zmm_stream_open(ar, info.name, ZMM_STREAM_READ, NULL, &sa) ==
            ZMM_OK) {
            na = read_head(sa, a);
            nb = read_head(sb, b);
            FUZZ_CHECK(na == nb);
            FUZZ_CHECK(na < 0 || memcmp(a, b, (size_t)na) == 0);
            zmm_stream_close(sa);
        }
        zmm_stream_close(sb);
    }
    zmm_snapshot_unref(snap);
}

/* Every check above on one input (fuzz_edit.c calls it too). */
void fuzz_check_archive(const uint8_t *data, size_t size);

#ifndef ZMM_FUZZ_NO_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_check_archive(data, size);
    return 0;
}
#endif

void fuzz_check_archive(const uint8_t *data, size_t size)
{
    zmm_file *f = zmm_memfile_new(data, size);
    zmm_archive *ar = NULL;
    zmm_archive_info ai;
    zmm_result r;
    script sc;
    size_t n, i, index;

    if (!f)
        return;
    r = zmm_archive_open_file(f, ZMM_OPEN_READ, &ar);
    if (r != ZMM_OK) {
        FUZZ_CHECK(ar == NULL);
        FUZZ_CHECK(damage_result(r) || r == ZMM_ERR_NOMEM);
        if (r != ZMM_ERR_NOMEM)
            check_snapshot(data, size, NULL);
        return;
    }
    check_snapshot(data, size, ar);
    memset(&ai, 0, sizeof ai);
    ai.struct_size = sizeof ai;
    FUZZ_CHECK(zmm_archive_get_info(ar, &ai) == ZMM_OK);
    FUZZ_CHECK(ai.format_version == 1);
    FUZZ_CHECK(ai.file_size <= size);
    FUZZ_CHECK(ai.live_bytes <= ai.file_size);
    FUZZ_CHECK(ai.live_bytes + ai.garbage_bytes == ai.file_size);
    n = zmm_archive_member_count(ar);
    FUZZ_CHECK(n == ai.member_count && n <= ZMM_MAX_MEMBERS);
    sc.p = data + (size > 64 ? size - 64 : 0);
    sc.n = size > 64 ? 64 : size;
    sc.i = 0;
    for (i = 0; i < n; i++)
        check_member(ar, i, &sc);
    /* The default member, if any, is found by the empty name. */
    r = zmm_archive_find(ar, "", &index);
    FUZZ_CHECK(r == ZMM_OK || r == ZMM_ERR_NOT_FOUND);
    if (r == ZMM_OK) {
        zmm_member_info info;
        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        FUZZ_CHECK(index < n);
        FUZZ_CHECK(zmm_archive_member_info(ar, index, &info) == ZMM_OK);
        FUZZ_CHECK(info.flags & ZMM_MEMBER_DEFAULT);
    }
    FUZZ_CHECK(zmm_archive_close(ar) == ZMM_OK);
}
