/*
 * test_damage.c -- damaged archives read through mmio: truncations, bit
 * flips and overwritten regions. Every mmioOpen either fails or gives a
 * handle whose every read either fails (-1) or returns exactly the original
 * bytes; the size mmio sees (SEEK_END) is the original one; nothing crashes
 * or hangs.
 *
 * The archive holds one member written in one commit, so no older committed
 * state exists that a damaged header could legitimately fall back to.
 * Then the newest commit of a two-commit archive is cut or its header slot
 * damaged: the older state must be read exactly (its member whole, the
 * member only the lost commit added refused as damage, not missing), and a
 * writer refused without changing a byte of the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wine_test.h"

#define MEMBER_LEN 300000

static unsigned char original[MEMBER_LEN];
static unsigned char *archive;
static size_t archive_len;
static unsigned long variants, opened, failed_opens, failed_reads,
    short_reads, verified_bytes;

/* Reads the whole member and random pieces of it through `h`. A buffered
 * handle may also return fewer bytes than asked (all of them right): Wine 8's
 * buffered mmioRead reports a failed MMIOM_READ as the end of the file. */
static void check_reads(HMMIO h, const char *what, uint64_t *rng,
                        int buffered)
{
    static unsigned char buf[70000];
    LONG pos = 0, size;
    int k;

    size = mmioSeek(h, 0, SEEK_END);
    if (size != -1 && size != MEMBER_LEN) {
        tw_fail(__FILE__, __LINE__, "%s: size %ld", what, (long)size);
        return;
    }
    tw_checks++;
    mmioSeek(h, 0, SEEK_SET);
    /* Sequentially, then at random places. */
    for (k = 0; k < 40; k++) {
        LONG n = (LONG)(k < 12 ? 30000 : tw_below(rng, sizeof buf));
        LONG got, want;

        if (k >= 12) {
            pos = (LONG)tw_below(rng, MEMBER_LEN + 10);
            if (mmioSeek(h, pos, SEEK_SET) != pos) {
                tw_fail(__FILE__, __LINE__, "%s: seek to %ld", what, (long)pos);
                return;
            }
        }
        want = pos >= MEMBER_LEN ? 0
                                 : (pos + n > MEMBER_LEN ? MEMBER_LEN - pos : n);
        got = mmioRead(h, (HPSTR)buf, n);
        tw_checks++;
        if (got == -1) {
            failed_reads++;
            /* The position is unknown to the test now (a buffered handle may
             * have moved): start the next read from a fresh seek. */
            pos = (LONG)tw_below(rng, MEMBER_LEN);
            mmioSeek(h, pos, SEEK_SET);
            continue;
        }
        if (buffered && got >= 0 && got < want
            && !memcmp(buf, original + pos, (size_t)got)) {
            short_reads++;
            verified_bytes += (unsigned long)got;
            pos = (LONG)tw_below(rng, MEMBER_LEN);
            mmioSeek(h, pos, SEEK_SET);
            continue;
        }
        if (got != want || (got > 0 && memcmp(buf, original + pos, (size_t)got))) {
            tw_fail(__FILE__, __LINE__,
                    "%s: read %ld at %ld gave %ld bytes%s (want %ld)", what,
                    (long)n, (long)pos, (long)got,
                    got == want ? " that differ" : "", (long)want);
            return;
        }
        verified_bytes += (unsigned long)got;
        pos += got;
    }
}

/* The undamaged archive reads whole and right through `h`: the size, one
 * read of all of it, and every byte. */
static void check_whole(HMMIO h, const char *what)
{
    static unsigned char buf[MEMBER_LEN + 1];
    LONG got;

    CHECK_EQ(mmioSeek(h, 0, SEEK_END), MEMBER_LEN);
    CHECK_EQ(mmioSeek(h, 0, SEEK_SET), 0);
    got = mmioRead(h, (HPSTR)buf, (LONG)sizeof buf);
    tw_checks++;
    if (got != MEMBER_LEN || memcmp(buf, original, MEMBER_LEN))
        tw_fail(__FILE__, __LINE__, "%s: read %ld of %d bytes%s", what,
                (long)got, MEMBER_LEN,
                got == MEMBER_LEN ? ", which differ" : "");
}

/* Writes `data` as dmg.zmm and reads it through mmio, unbuffered and
 * buffered. */
static void try_variant(const unsigned char *data, size_t len,
                        const char *what, uint64_t *rng)
{
    int buffered;

    variants++;
    if (tw_write_file("dmg.zmm", data, len)) {
        tw_fail(__FILE__, __LINE__, "cannot write dmg.zmm");
        return;
    }
    for (buffered = 0; buffered < 2; buffered++) {
        MMIOINFO info;
        HMMIO h;

        memset(&info, 0, sizeof info);
        h = tw_mmio_open("dmg.zmm+m.wav", &info,
                         MMIO_READ | (buffered ? MMIO_ALLOCBUF : 0));
        if (!h) {
            failed_opens++;
            tw_checks++;
            if (info.wErrorRet != MMIOERR_INVALIDFILE
                && info.wErrorRet != MMIOERR_FILENOTFOUND)
                tw_fail(__FILE__, __LINE__, "%s: open error %u", what,
                        info.wErrorRet);
            continue;
        }
        opened++;
        check_reads(h, what, rng, buffered);
        mmioClose(h, 0);
    }
}

/* `data` (len bytes) is a two-commit archive whose newest commit is lost:
 * m.wav reads as `original`, n.wav (added by the lost commit) is damage,
 * and a writer is refused, the file left as it was. */
static void try_newest_lost(const unsigned char *data, size_t len,
                            const char *what)
{
    unsigned char *after;
    size_t after_len = 0;
    int buffered;
    MMIOINFO info;
    HMMIO h;

    variants++;
    if (tw_write_file("old.zmm", data, len)) {
        tw_fail(__FILE__, __LINE__, "cannot write old.zmm");
        return;
    }
    for (buffered = 0; buffered < 2; buffered++) {
        memset(&info, 0, sizeof info);
        h = tw_mmio_open("old.zmm+m.wav", &info,
                         MMIO_READ | (buffered ? MMIO_ALLOCBUF : 0));
        if (!h) {
            tw_fail(__FILE__, __LINE__, "%s: the older state's member "
                    "refused (error %u)", what, info.wErrorRet);
            continue;
        }
        check_whole(h, what);
        mmioClose(h, 0);
    }
    memset(&info, 0, sizeof info);
    h = tw_mmio_open("old.zmm+n.wav", &info, MMIO_READ);
    tw_checks++;
    if (h != NULL || info.wErrorRet != MMIOERR_INVALIDFILE)
        tw_fail(__FILE__, __LINE__, "%s: the lost commit's member %s (%u)",
                what, h ? "opened" : "refused, but not as damage",
                info.wErrorRet);
    if (h)
        mmioClose(h, 0);
    memset(&info, 0, sizeof info);
    h = tw_mmio_open("old.zmm+m.wav", &info, MMIO_READWRITE);
    tw_checks++;
    if (h != NULL) {
        tw_fail(__FILE__, __LINE__, "%s: a writer opened", what);
        mmioClose(h, 0);
    }
    after = tw_read_file("old.zmm", &after_len);
    CHECK(after != NULL && after_len == len && memcmp(after, data, len) == 0);
    free(after);
}

/* The newest of two commits cut at every kind of place, and its header slot
 * (the bytes that differ between the two archives' heads) damaged. */
static void newest_commit_lost(const unsigned char *one, size_t one_len,
                               uint64_t *rng)
{
    unsigned char *two, *copy;
    size_t two_len = 0, slot[128], slots = 0, i;
    unsigned char second[5000];
    char what[96];
    int k;

    tw_fill_random(rng, second, sizeof second);
    CHECK_EQ(tw_write_file("two.zmm", one, one_len), 0);
    CHECK_EQ(tw_write_member("two.zmm", "n.wav", second, sizeof second), 0);
    two = tw_read_file("two.zmm", &two_len);
    CHECK(two != NULL && two_len > one_len);
    if (two == NULL || two_len <= one_len)
        return;
    for (i = 0; i < one_len && i < 8192 && slots < 128; i++)
        if (one[i] != two[i])
            slot[slots++] = i;
    CHECK(slots > 0); /* the second commit's header slot */
    for (k = 0; k <= 24; k++) {
        size_t cut = one_len + (two_len - one_len) * (size_t)k / 25;

        snprintf(what, sizeof what, "newest commit cut at %lu of %lu",
                 (unsigned long)cut, (unsigned long)two_len);
        try_newest_lost(two, cut, what);
    }
    try_newest_lost(two, two_len - 1, "newest commit's last byte cut");
    copy = malloc(two_len);
    CHECK(copy != NULL);
    for (k = 0; copy != NULL && slots > 0 && k < 24; k++) {
        size_t at = slot[tw_below(rng, (uint32_t)slots)];
        unsigned bit = tw_below(rng, 8);

        memcpy(copy, two, two_len);
        copy[at] ^= (unsigned char)(1u << bit);
        snprintf(what, sizeof what, "newest slot: bit %u of byte %lu "
                 "flipped", bit, (unsigned long)at);
        try_newest_lost(copy, two_len, what);
    }
    free(copy);
    free(two);
}

int main(void)
{
    uint64_t rng = 12345;
    unsigned char *copy;
    char what[96];
    size_t i, cuts[] = { 0, 1, 8, 63, 64, 100, 4095, 4096, 4159, 8191, 8192,
                         8193 };
    int k;

    tw_enter_workdir("damage");
    tw_install();
    /* Compressible, random and zero stretches: deflate, raw and zero
     * blocks. */
    for (i = 0; i < MEMBER_LEN; i++) {
        size_t block = i / 65536;

        original[i] = block == 1 ? (unsigned char)tw_rand(&rng)
                      : block == 2 ? 0
                                   : (unsigned char)("RIFF wave data "[i % 15]
                                                     + (i >> 12));
    }
    CHECK_EQ(tw_write_member("good.zmm", "m.wav", original, MEMBER_LEN), 0);
    archive = tw_read_file("good.zmm", &archive_len);
    CHECK(archive != NULL);
    if (!archive)
        return tw_finish("test_damage");
    copy = malloc(archive_len);

    /* The undamaged archive reads right: opens, every read whole and right
     * (none refused, none cut short), unbuffered and buffered. */
    try_variant(archive, archive_len, "undamaged", &rng);
    CHECK_EQ(failed_opens, 0);
    CHECK_EQ(failed_reads, 0);
    CHECK_EQ(short_reads, 0);
    CHECK(verified_bytes > 0);
    for (k = 0; k < 2; k++) {
        MMIOINFO info;
        HMMIO h;

        memset(&info, 0, sizeof info);
        h = tw_mmio_open("good.zmm+m.wav", &info,
                         MMIO_READ | (k ? MMIO_ALLOCBUF : 0));
        CHECK(h != NULL);
        if (h) {
            check_whole(h, k ? "undamaged, buffered" : "undamaged");
            mmioClose(h, 0);
        }
    }

    /* Truncations: fixed cuts, then spread over the whole file. */
    for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        snprintf(what, sizeof what, "truncated to %lu", (unsigned long)cuts[i]);
        try_variant(archive, cuts[i] < archive_len ? cuts[i] : 0, what, &rng);
    }
    for (k = 1; k <= 40; k++) {
        size_t cut = archive_len * (size_t)k / 41 + tw_below(&rng, 100);

        if (cut >= archive_len)
            cut = archive_len - 1;
        snprintf(what, sizeof what, "truncated to %lu", (unsigned long)cut);
        try_variant(archive, cut, what, &rng);
    }
    try_variant(archive, archive_len - 1, "last byte cut", &rng);

    /* Bit flips: in the header slots, then anywhere. */
    for (k = 0; k < 160; k++) {
        size_t at = k < 40 ? (size_t)tw_below(&rng, 64)
                  : k < 50 ? 4096 + (size_t)tw_below(&rng, 64)
                           : (size_t)tw_below(&rng, (uint32_t)archive_len);
        unsigned bit = tw_below(&rng, 8);

        memcpy(copy, archive, archive_len);
        copy[at] ^= (unsigned char)(1u << bit);
        snprintf(what, sizeof what, "bit %u of byte %lu flipped", bit,
                 (unsigned long)at);
        try_variant(copy, archive_len, what, &rng);
    }

    /* Overwritten regions: random bytes, zeros, 0xFF. */
    for (k = 0; k < 60; k++) {
        size_t len = 16 + tw_below(&rng, 4096);
        size_t at = tw_below(&rng, (uint32_t)archive_len);
        int fill = k % 3;

        if (at + len > archive_len)
            len = archive_len - at;
        memcpy(copy, archive, archive_len);
        if (fill == 0)
            tw_fill_random(&rng, copy + at, len);
        else
            memset(copy + at, fill == 1 ? 0 : 0xFF, len);
        snprintf(what, sizeof what, "%lu bytes at %lu overwritten (%s)",
                 (unsigned long)len, (unsigned long)at,
                 fill == 0 ? "random" : fill == 1 ? "zeros" : "0xFF");
        try_variant(copy, archive_len, what, &rng);
    }

    newest_commit_lost(archive, archive_len, &rng);

    printf("damage: %lu damaged archives (%lu bytes undamaged), %lu opens "
           "refused, %lu handles read: %lu reads refused (-1), %lu cut short "
           "(buffered), %lu bytes verified right\n",
           variants, (unsigned long)archive_len, failed_opens, opened,
           failed_reads, short_reads, verified_bytes);
    CHECK(ZmmRemoveIOProc());
    free(copy);
    free(archive);
    return tw_finish("test_damage");
}
