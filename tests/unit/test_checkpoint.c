/*
 * test_checkpoint.c -- checkpoints while writing (zmm_archive_set_checkpoints)
 * with a fake clock, and the garbage they leave.
 *
 * 1. The policy: a checkpoint once the bytes or the time are reached, at a
 *    write that reaches a block edge, at the latest at twice the limit;
 *    none without new data; each one readable by a new opener.
 * 2. A simulated hour of CD-quality recording (44,100 frames of 4 bytes a
 *    second, 635 MB, about 9,700 blocks of 64 KiB) in 16 KiB writes, the
 *    clock advancing with the audio, checkpointed as zmmio.dll does (4 MiB
 *    or 2 s): the garbage the checkpoints leave (directories and delta
 *    records replaced, short blocks stored again) stays under 5% of the
 *    archive, before and after the close; a state mid-recording, reopened
 *    from a copy of the file, reads back byte for byte.
 * 3. A state that is a directory and a chain of delta records, damaged: every
 *    byte flipped (two ways) and every truncation, and the newest record's
 *    bytes changed with its CRCs made right again (so that its rules, not a
 *    CRC, must catch it). Each copy opens or fails cleanly; what opens reads
 *    back the bytes of one of the committed states or fails to, never other
 *    bytes (no silent wrong byte).
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "archive_file.h"
#include "test_util.h"

static uint64_t fake_now;

static uint64_t fake_clock(void *context)
{
    (void)context;
    return fake_now;
}

static void set_policy(zmm_archive *ar, uint64_t bytes, uint32_t ms)
{
    zmm_checkpoint_policy p;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.bytes = bytes;
    p.interval_ms = ms;
    p.clock_ms = fake_clock;
    CHECK_OK(zmm_archive_set_checkpoints(ar, &p));
}

static uint64_t member_length(const unsigned char *bytes, size_t len,
                              const char *name)
{
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    uint64_t size;
    if (tu_open_bytes(bytes, len, ZMM_OPEN_READ, &ar) != ZMM_OK)
        return UINT64_MAX;
    if (zmm_stream_open(ar, name, ZMM_STREAM_READ, NULL, &s) != ZMM_OK) {
        zmm_archive_close(ar);
        return 0; /* not there yet */
    }
    size = zmm_stream_size(s);
    zmm_stream_close(s);
    zmm_archive_close(ar);
    return size;
}

/* What a new opener of the memory file sees of member "m". */
static uint64_t seen(zmm_file *mem)
{
    size_t len;
    const unsigned char *bytes = zmm_memfile_data(mem, &len);
    return member_length(bytes, len, "m");
}

static void policy(void)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_member_options o;
    unsigned char buf[4096];
    zmm_checkpoint_policy bad;
    tu_rng r;

    tu_set_context("policy");
    tu_rng_seed(&r, 5);
    tu_fill(&r, TU_DATA_MIXED, buf, sizeof buf);
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = 4096;
    o.level = -1;
    fake_now = 1000;
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    memset(&bad, 0, sizeof bad);
    bad.struct_size = 4;
    CHECK_RES(zmm_archive_set_checkpoints(ar, &bad), ZMM_ERR_INVALID_ARG);
    set_policy(ar, 0, 2000);
    CHECK_OK(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE | ZMM_STREAM_CREATE,
                             &o, &s));
    /* Time alone: nothing while the clock stands still. */
    CHECK_OK(zmm_stream_write(s, buf, 4096));
    CHECK_OK(zmm_stream_write(s, buf, 4096));
    CHECK_U64(zmm_archive_checkpoints(ar), 0);
    CHECK_U64(seen(mem), 0);
    /* Due (2 s since the first new byte), at a block edge: a checkpoint. */
    fake_now += 2000;
    CHECK_OK(zmm_stream_write(s, buf, 4096));
    CHECK_U64(zmm_archive_checkpoints(ar), 1);
    CHECK_U64(seen(mem), 3 * 4096);
    /* No new data, however long: no checkpoint. The first new byte starts
     * the interval. */
    fake_now += 10000;
    CHECK_U64(zmm_archive_checkpoints(ar), 1);
    CHECK_OK(zmm_stream_write(s, buf, 100)); /* inside a block */
    fake_now += 2000;
    CHECK_OK(zmm_stream_write(s, buf, 100)); /* due, not at an edge: waits */
    CHECK_U64(zmm_archive_checkpoints(ar), 1);
    fake_now += 1999;
    CHECK_OK(zmm_stream_write(s, buf, 100));
    CHECK_U64(zmm_archive_checkpoints(ar), 1);
    fake_now += 1; /* twice the interval: no longer waits for an edge */
    CHECK_OK(zmm_stream_write(s, buf, 100));
    CHECK_U64(zmm_archive_checkpoints(ar), 2);
    CHECK_U64(seen(mem), 3 * 4096 + 400);
    /* Bytes alone. */
    set_policy(ar, 2 * 4096, 0);
    CHECK_OK(zmm_stream_write(s, buf, 4096 - 400)); /* to the edge */
    CHECK_OK(zmm_stream_write(s, buf, 4096));
    CHECK_U64(zmm_archive_checkpoints(ar), 2);
    CHECK_OK(zmm_stream_write(s, buf, 4096)); /* past 2 blocks since: due */
    CHECK_U64(zmm_archive_checkpoints(ar), 3);
    CHECK_U64(seen(mem), 6 * 4096);
    /* Off: nothing more until the close. */
    CHECK_OK(zmm_archive_set_checkpoints(ar, NULL));
    CHECK_OK(zmm_stream_write(s, buf, 4096));
    CHECK_OK(zmm_stream_write(s, buf, 4096));
    CHECK_OK(zmm_stream_write(s, buf, 4096));
    CHECK_OK(zmm_stream_write(s, buf, 4096));
    CHECK_U64(zmm_archive_checkpoints(ar), 3);
    CHECK_U64(seen(mem), 6 * 4096);
    CHECK_OK(zmm_archive_close(ar));
    CHECK_U64(seen(mem), 10 * 4096);
    mem->methods->close(mem);
}

/* ---- a simulated hour ------------------------------------------------------ */

#define RATE 176400u    /* bytes a second: 44.1 kHz, 16 bits, stereo */
#define HOUR_BYTES ((uint64_t)RATE * 3600u)
#define PIECE 16384u

/* Audio-like bytes at member offset `at` (a slow wave with a little noise):
 * the same function makes and checks them. */
static void audio(unsigned char *out, uint64_t at, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        uint64_t x = at + i;
        uint32_t h = (uint32_t)(x * 2654435761u);
        out[i] = (unsigned char)((x / 4 % 200) + (h >> 29));
    }
}

static void hour(void)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_archive_info info;
    unsigned char *piece = tu_xmalloc(PIECE), *copy = NULL, *back;
    size_t copy_len = 0;
    uint64_t at = 0, copy_member = 0, checkpoints;
    double t0 = tu_seconds();

    tu_set_context("a simulated hour");
    fake_now = 0;
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    /* zmmio.dll's policy (src/ioproc/ioproc.c). Level 1: the test is about
     * garbage, not compression, and should not take minutes. */
    set_policy(ar, 4u << 20, 2000);
    {
        zmm_member_options o;
        memset(&o, 0, sizeof o);
        o.struct_size = sizeof o;
        o.level = 1;
        CHECK_OK(zmm_stream_open(ar, "m", ZMM_STREAM_WRITE |
                                 ZMM_STREAM_CREATE, &o, &s));
    }
    /* A WAV header's 44 bytes first, so that writes straddle block edges
     * as a recorder's do. */
    audio(piece, 0, 44);
    CHECK_OK(zmm_stream_write(s, piece, 44));
    at = 44;
    while (at < HOUR_BYTES) {
        size_t n = HOUR_BYTES - at < PIECE ? (size_t)(HOUR_BYTES - at) : PIECE;
        audio(piece, at, n);
        CHECK_OK(zmm_stream_write(s, piece, n));
        at += n;
        fake_now = at * 1000 / RATE;
        /* A copy of the file after 100 checkpoints, with a delta chain. */
        if (copy == NULL && zmm_archive_checkpoints(ar) == 100) {
            copy = tu_memfile_copy(mem, &copy_len);
            copy_member = member_length(copy, copy_len, "m");
        }
    }
    checkpoints = zmm_archive_checkpoints(ar);
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECK_OK(zmm_archive_get_info(ar, &info));
    printf("%s: an hour (%llu bytes, %llu checkpoints): archive %llu bytes, "
           "garbage %llu (%.3f%%) before the close\n", tu_test_name,
           (unsigned long long)HOUR_BYTES, (unsigned long long)checkpoints,
           (unsigned long long)info.file_size,
           (unsigned long long)info.garbage_bytes,
           100.0 * (double)info.garbage_bytes / (double)info.file_size);
    /* One checkpoint each 2 s of audio, plus the wait for a block edge
     * (64 KiB: 0.37 s of audio at most). */
    CHECKF(checkpoints >= 3600 / 2.4 && checkpoints <= 3600 / 2 + 1,
           "%llu checkpoints in an hour at 2 s", (unsigned long long)checkpoints);
    CHECKF(info.garbage_bytes * 20 < info.file_size,
           "garbage %llu of %llu bytes: 5%% or more",
           (unsigned long long)info.garbage_bytes,
           (unsigned long long)info.file_size);
    CHECK_OK(zmm_archive_close(ar));
    {
        size_t len;
        const unsigned char *bytes = zmm_memfile_data(mem, &len);
        CHECK_OK(tu_open_bytes(bytes, len, ZMM_OPEN_READ, &ar));
        CHECK_OK(zmm_archive_get_info(ar, &info));
        CHECK_OK(zmm_archive_close(ar));
        CHECK_U64(member_length(bytes, len, "m"), HOUR_BYTES);
    }
    printf("%s: after the close: archive %llu bytes, garbage %llu (%.3f%%)\n",
           tu_test_name, (unsigned long long)info.file_size,
           (unsigned long long)info.garbage_bytes,
           100.0 * (double)info.garbage_bytes / (double)info.file_size);
    CHECKF(info.garbage_bytes * 20 < info.file_size,
           "garbage %llu of %llu bytes after the close: 5%% or more",
           (unsigned long long)info.garbage_bytes,
           (unsigned long long)info.file_size);
    mem->methods->close(mem);

    /* The state after 100 checkpoints: the member so far, byte for byte. */
    CHECK(copy != NULL);
    CHECKF(copy_member >= 100 * 2 * (uint64_t)RATE - 2 * PIECE,
           "after 100 checkpoints the member has %llu bytes",
           (unsigned long long)copy_member);
    if (copy != NULL) {
        zmm_stream *rs = NULL;
        size_t got = 0;
        back = tu_xmalloc((size_t)copy_member);
        CHECK_OK(tu_open_bytes(copy, copy_len, ZMM_OPEN_READ, &ar));
        CHECK_OK(zmm_stream_open(ar, "m", ZMM_STREAM_READ, NULL, &rs));
        CHECK_OK(zmm_stream_read(rs, back, (size_t)copy_member, &got));
        CHECK_U64(got, copy_member);
        {
            unsigned char *want = tu_xmalloc((size_t)copy_member);
            audio(want, 0, (size_t)copy_member);
            CHECK(memcmp(want, back, (size_t)copy_member) == 0);
            free(want);
        }
        zmm_stream_close(rs);
        zmm_archive_close(ar);
        free(back);
        free(copy);
    }
    free(piece);
    printf("%s: the hour took %.1f s\n", tu_test_name, tu_seconds() - t0);
}

/* ---- a damaged delta chain ------------------------------------------------- */

#define CHAIN_OTHER 5000u
#define CHAIN_REC (4 * 4096u)

static unsigned char chain_other[CHAIN_OTHER], chain_rec[CHAIN_REC + 100];
static unsigned long chain_cases, chain_opened, chain_read;

/* Reads member `name` whole: ZMM_OK with its bytes in *out (free them). */
static zmm_result read_whole(zmm_archive *ar, const char *name,
                             unsigned char **out, size_t *len)
{
    zmm_stream *s = NULL;
    size_t got = 0;
    zmm_result r = zmm_stream_open(ar, name, ZMM_STREAM_READ, NULL, &s);
    *out = NULL;
    *len = 0;
    if (r != ZMM_OK)
        return r;
    *len = (size_t)zmm_stream_size(s);
    *out = tu_xmalloc(*len + 1);
    r = zmm_stream_read(s, *out, *len, &got);
    if (r == ZMM_OK && got != *len)
        r = ZMM_ERR_CORRUPT;
    zmm_stream_close(s);
    return r;
}

static void check_damaged(const unsigned char *file, size_t len)
{
    zmm_archive *ar = NULL;
    unsigned char *got;
    size_t n;
    zmm_result r = tu_open_bytes(file, len, ZMM_OPEN_READ, &ar);

    chain_cases++;
    if (r != ZMM_OK) {
        CHECKF(r == ZMM_ERR_CORRUPT || r == ZMM_ERR_NOT_ARCHIVE ||
                   r == ZMM_ERR_UNSUPPORTED || r == ZMM_ERR_LIMIT,
               "open failed with %s", tu_result_name(r));
        return;
    }
    chain_opened++;
    if (read_whole(ar, "other.txt", &got, &n) == ZMM_OK) {
        CHECK_U64(n, CHAIN_OTHER);
        CHECK(memcmp(got, chain_other, CHAIN_OTHER) == 0);
    }
    free(got);
    r = read_whole(ar, "rec.bin", &got, &n);
    if (r == ZMM_OK) {
        /* A checkpoint's state: a whole number of 4 KiB pieces. */
        CHECKF(n % 4096 == 0 && n >= 4096 && n <= CHAIN_REC,
               "rec.bin has %llu bytes, no checkpoint's length",
               (unsigned long long)n);
        CHECK(memcmp(got, chain_rec, n) == 0);
        chain_read++;
    } else {
        CHECKF(r == ZMM_ERR_CORRUPT || r == ZMM_ERR_NOT_FOUND,
               "reading rec.bin failed with %s", tu_result_name(r));
    }
    free(got);
    CHECK_OK(zmm_archive_close(ar));
}

static void damaged_chain(void)
{
    zmm_file *mem = zmm_memfile_new(NULL, 0);
    zmm_archive *ar = NULL;
    zmm_stream *s = NULL;
    zmm_member_options o;
    unsigned char *file, *copy;
    size_t len, i;
    tu_rng r;
    int k;

    tu_set_context("a damaged delta chain");
    tu_rng_seed(&r, 11);
    tu_fill(&r, TU_DATA_TEXT, chain_other, CHAIN_OTHER);
    tu_fill(&r, TU_DATA_MIXED, chain_rec, sizeof chain_rec);
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.block_size = 4096;
    o.level = 6;
    CHECK_OK(zmm_archive_open_file(tu_borrow_file(mem),
                                   ZMM_OPEN_WRITE | ZMM_OPEN_CREATE, &ar));
    CHECK_OK(zmm_stream_open(ar, "other.txt", ZMM_STREAM_WRITE |
                             ZMM_STREAM_CREATE, &o, &s));
    CHECK_OK(zmm_stream_write(s, chain_other, CHAIN_OTHER));
    CHECK_OK(zmm_stream_close(s));
    CHECK_OK(zmm_archive_commit(ar));
    set_policy(ar, 4096, 0);
    CHECK_OK(zmm_stream_open(ar, "rec.bin", ZMM_STREAM_WRITE |
                             ZMM_STREAM_CREATE, &o, &s));
    for (k = 0; k < 4; k++)
        CHECK_OK(zmm_stream_write(s, chain_rec + k * 4096, 4096));
    CHECK_OK(zmm_stream_write(s, chain_rec + CHAIN_REC, 100)); /* unpublished */
    CHECK_U64(zmm_archive_checkpoints(ar), 4);
    file = tu_memfile_copy(mem, &len); /* a directory and three records */
    CHECK(len > 8192 && (file[12] & 4) != 0 && (file[4096 + 12] & 4) != 0);
    CHECK_OK(zmm_archive_close(ar));
    mem->methods->close(mem);

    check_damaged(file, len); /* intact: the last checkpoint */
    CHECK_U64(chain_read, 1);
    copy = tu_xmalloc(len);
    for (i = 0; i < len; i++) {
        if (i >= 64 && i < 4096)
            i = 4096; /* the slots' padding: never read */
        if (i >= 4096 + 64 && i < 8192)
            i = 8192;
        memcpy(copy, file, len);
        copy[i] ^= 0x01;
        check_damaged(copy, len);
        copy[i] ^= 0x81;
        check_damaged(copy, len);
    }
    for (i = 0; i < len; i++)
        check_damaged(file, i);
    {   /* The newest record (the newer slot's), changed and resealed. */
        static const unsigned char masks[] = {0x00, 0x01, 0x02, 0x10, 0x80, 0xff};
        size_t sl = file[4096 + 24] > file[24] ? 4096 : 0;
        uint64_t at = (uint64_t)file[sl + 32] | (uint64_t)file[sl + 33] << 8 |
                      (uint64_t)file[sl + 34] << 16;
        size_t rec_len = (size_t)file[sl + 40] | (size_t)file[sl + 41] << 8;
        size_t m;
        CHECK(at + rec_len == len && rec_len >= 32);
        for (i = 0; i < rec_len; i++)
            for (m = 0; m < sizeof masks; m++) {
                uint32_t c;
                memcpy(copy, file, len);
                copy[at + i] ^= masks[m];
                c = (uint32_t)crc32(0, copy + at, (uInt)rec_len);
                copy[sl + 44] = (unsigned char)c;
                copy[sl + 45] = (unsigned char)(c >> 8);
                copy[sl + 46] = (unsigned char)(c >> 16);
                copy[sl + 47] = (unsigned char)(c >> 24);
                c = (uint32_t)crc32(0, copy + sl, 60);
                copy[sl + 60] = (unsigned char)c;
                copy[sl + 61] = (unsigned char)(c >> 8);
                copy[sl + 62] = (unsigned char)(c >> 16);
                copy[sl + 63] = (unsigned char)(c >> 24);
                check_damaged(copy, len);
            }
    }
    printf("%s: %lu damaged copies of a delta chain (%lu opened, %lu read "
           "a checkpoint's bytes): no wrong byte\n", tu_test_name,
           chain_cases, chain_opened, chain_read);
    free(copy);
    free(file);
}

int main(void)
{
    tu_init("test_checkpoint");
    policy();
    damaged_chain();
    hour();
    printf("%s: passed\n", tu_test_name);
    return 0;
}
